#include "mime/header.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::mime;

TEST_SUITE("mime::Header") {
  TEST_CASE("split_message at the blank line, CRLF") {
    const std::string_view m = "A: 1\r\nB: 2\r\n\r\nbody\r\n";
    const MessageSplit s = split_message(m);
    CHECK(s.header_block == "A: 1\r\nB: 2\r\n");
    CHECK(s.body == "body\r\n");
    CHECK(s.body_offset == 14);
  }
  TEST_CASE("split_message with bare LF") {
    const MessageSplit s = split_message("A: 1\n\nbody");
    CHECK(s.header_block == "A: 1\n");
    CHECK(s.body == "body");
  }
  TEST_CASE("no blank line: everything is header") {
    const MessageSplit s = split_message("A: 1\r\nB: 2\r\n");
    CHECK(s.header_block.size() == 12);
    CHECK(s.body.empty());
    CHECK(s.body_offset == 12);
  }
  TEST_CASE("a part without headers starts with its body") {
    CHECK(split_message("\r\nhello").body == "hello");
    const MessageSplit s = split_message("hello world\r\nA: b\r\n");
    CHECK(s.header_block.empty());
    CHECK(s.body_offset == 0);
  }
  TEST_CASE("a non-header line ends the header block") {
    const MessageSplit s = split_message("A: 1\r\nnot a header\r\nB: 2\r\n");
    CHECK(s.header_block == "A: 1\r\n");
    CHECK(s.body == "not a header\r\nB: 2\r\n");
  }
  TEST_CASE("fields with folding, obsolete space before colon, 8bit values") {
    const std::string_view block = "Subject: a\r\n  b\r\nX-Y : z\r\nFrom: J\xC3\xB6rg <j@x>\r\n";
    const auto f = parse_header_block(block);
    REQUIRE(f.size() == 3);
    CHECK(f[0].name == "Subject");
    CHECK(f[0].value == " a\r\n  b");
    CHECK(f[0].begin == 0);
    CHECK(f[0].end == 17);
    CHECK(f[1].name == "X-Y");
    CHECK(f[1].value == " z");
    CHECK(f[2].value == " J\xC3\xB6rg <j@x>");
    CHECK(f[2].end == block.size());
  }
  TEST_CASE("mbox From_ line is skipped") {
    const auto f = parse_header_block("From a@b Mon Jan 1\nTo: x\n");
    REQUIRE(f.size() == 1);
    CHECK(f[0].name == "To");
  }
  TEST_CASE("unfold removes line breaks and trims") {
    CHECK(unfold(" a\r\n  b\n\tc  ") == "a  b\tc");
  }
  TEST_CASE("find_field is case-insensitive and returns the first") {
    const auto f = parse_header_block("content-type: a\r\nContent-Type: b\r\n");
    REQUIRE(find_field(f, "CONTENT-TYPE") != nullptr);
    CHECK(find_field(f, "Content-Type")->value == " a");
    CHECK(count_fields(f, "content-type") == 2);
    CHECK(find_field(f, "x") == nullptr);
  }
  TEST_CASE("detect_eol") {
    CHECK(detect_eol("a\r\nb") == "\r\n");
    CHECK(detect_eol("a\nb") == "\n");
    CHECK(detect_eol("ab", "\n") == "\n");
  }
}

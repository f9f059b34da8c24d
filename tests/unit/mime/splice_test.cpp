#include "mime/splice.hpp"

#include <doctest/doctest.h>

#include "mime/header.hpp"
#include "mime/walk.hpp"

using namespace pixelwarden::mime;

TEST_SUITE("mime::Splice") {
  TEST_CASE("no replacements is identity") {
    CHECK(splice("any\r\nbytes\xFF", {}) == "any\r\nbytes\xFF");
  }
  TEST_CASE("replacements are applied in order whatever order they come in") {
    CHECK(splice("0123456789", {{6, 2, "BB"}, {1, 2, "a"}}) == "0a345BB89");
  }
  TEST_CASE("one replacement of the whole body is the result, whatever its size") {
    CHECK(splice("0123", {{0, 4, "abcdef"}}) == "abcdef");
    CHECK(splice("0123", {{0, 4, ""}}).empty());
    CHECK(splice("", {{0, 0, "x"}}) == "x");
    CHECK_FALSE(splice_checked("0123", {{0, 5, "x"}}).ok());
  }
  TEST_CASE("overlap and out-of-range are rejected") {
    CHECK_FALSE(splice_checked("0123456789", {{1, 4, "x"}, {4, 2, "y"}}).ok());
    CHECK_FALSE(splice_checked("0123", {{2, 7, "x"}}).ok());
    CHECK(splice_checked("0123", {{2, 0, "x"}, {2, 1, "y"}}).ok());
  }
  TEST_CASE("replacing a part body leaves every other byte alone") {
    const std::string raw =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nold\r\n--b--\r\n";
    const MessageSplit s = split_message(raw);
    const WalkResult r = walk(s.header_block, s.body);
    const Part& p = r.parts.at(1);
    const std::string out = splice(s.body, {replace_body(p, "new!", s.body)});
    CHECK(out == "--b\r\n\r\nnew!\r\n--b--\r\n");
  }
  TEST_CASE("an empty part before a delimiter gets a line break with its content") {
    const std::string body = "--b\r\n\r\n--b--\r\n";
    const WalkResult r = walk("Content-Type: multipart/mixed; boundary=b\r\n", body);
    const pixelwarden::base::Patch rep = replace_body(r.parts.at(1), "x", body);
    CHECK(rep.replacement == "x\r\n");
  }
  TEST_CASE("a part that is all header gets the blank line before its new body") {
    const std::string body = "--b\r\nContent-Type: text/html\r\n--b--\r\n";
    const WalkResult r = walk("Content-Type: multipart/mixed; boundary=b\r\n", body);
    const Part& p = r.parts.at(1);
    CHECK(p.content_type.subtype == "html");
    const std::string out = splice(body, {replace_body(p, "<p>", body)});
    const WalkResult again = walk("Content-Type: multipart/mixed; boundary=b\r\n", out);
    CHECK(part_body(again.parts.at(1), out) == "<p>");
  }
}

#include "mime/walk.hpp"

#include <doctest/doctest.h>

#include <string>

#include "mime/header.hpp"

using namespace pixelwarden::mime;

namespace {

struct Walked {
  std::string raw;
  MessageSplit split;
  WalkResult result;
  std::string body(std::size_t i) const {
    return std::string(part_body(result.parts.at(i), split.body));
  }
};

Walked walk_message(std::string raw, const WalkLimits& limits = {}) {
  Walked w{std::move(raw), {}, {}};
  w.split = split_message(w.raw);
  w.result = walk(w.split.header_block, w.split.body, limits);
  return w;
}

}  // namespace

TEST_SUITE("mime::Walker") {
  TEST_CASE("single-part message body is part 1") {
    const Walked w = walk_message("Content-Type: text/html; charset=UTF-8\r\n\r\n<p>x</p>\r\n");
    REQUIRE(w.result.parts.size() == 1);
    const Part& p = w.result.parts[0];
    CHECK(p.path == "1");
    CHECK(p.is_leaf());
    CHECK(p.content_type.mime_type() == "text/html");
    CHECK(p.charset == "utf-8");
    CHECK(p.header_begin == 0);
    CHECK(p.header_end == 0);
    CHECK(w.body(0) == "<p>x</p>\r\n");
  }
  TEST_CASE("multipart parts, CTE, preamble and epilogue") {
    const Walked w = walk_message(
        "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n"
        "Content-Type: text/plain\r\n\r\nplain\r\n--b1\r\nContent-Type: text/html\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>=3D</p>\r\n--b1--\r\nepilogue\r\n");
    REQUIRE(w.result.parts.size() == 3);
    CHECK(w.result.parts[0].path.empty());
    CHECK(w.result.parts[0].is_multipart);
    CHECK(w.result.parts[0].children == 2);
    CHECK(w.result.parts[1].path == "1");
    CHECK(w.body(1) == "plain");
    CHECK(w.result.parts[2].path == "2");
    CHECK(w.result.parts[2].cte == Cte::quoted_printable);
    CHECK(w.body(2) == "<p>=3D</p>");
    CHECK(w.result.parts[2].parent == 0);
    CHECK(w.result.missing_final_boundaries == 0);
  }
  TEST_CASE("bare LF line endings") {
    const Walked w =
        walk_message("Content-Type: multipart/mixed; boundary=x\n\n--x\n\nhi\n--x--\n");
    REQUIRE(w.result.parts.size() == 2);
    CHECK(w.body(1) == "hi");
    CHECK(w.result.parts_without_headers == 1);
  }
  TEST_CASE("attached message numbering follows IMAP") {
    const Walked w = walk_message(
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n\r\ntext\r\n--o\r\n"
        "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n"
        "Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\n\r\na\r\n--i\r\n"
        "Content-Type: text/html\r\n\r\n<b>\r\n--i--\r\n--o--\r\n");
    std::vector<std::string> paths;
    for (const auto& p : w.result.parts) paths.push_back(p.path);
    CHECK(paths == std::vector<std::string>{"", "1", "2", "2.TEXT", "2.1", "2.2"});
    CHECK(w.result.parts[2].is_message);
    CHECK_FALSE(w.result.parts[2].is_leaf());
    CHECK(w.body(5) == "<b>");
    CHECK(w.result.parts[5].depth == 3);
  }
  TEST_CASE("single-part attached message body is N.1") {
    const Walked w = walk_message("Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nhello");
    REQUIRE(w.result.parts.size() == 2);
    CHECK(w.result.parts[1].path == "1.1");
    CHECK(w.body(1) == "hello");
  }
  TEST_CASE("base64-encoded attached message is a leaf") {
    const Walked w = walk_message("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: "
                                  "base64\r\n\r\nU3ViamVjdDogeA==");
    REQUIRE(w.result.parts.size() == 1);
    CHECK(w.result.parts[0].is_leaf());
  }
  TEST_CASE("missing final boundary: last part runs to the end") {
    const Walked w =
        walk_message("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nlast\r\n");
    REQUIRE(w.result.parts.size() == 2);
    CHECK(w.body(1) == "last");
    CHECK(w.result.missing_final_boundaries == 1);
    CHECK_FALSE(w.result.malformed);
  }
  TEST_CASE("delimiter with trailing whitespace, and a longer look-alike is not one") {
    const Walked w = walk_message("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b "
                                  "\t\r\n\r\none\r\n--bx\r\nmore\r\n--b--  \r\n");
    REQUIRE(w.result.parts.size() == 2);
    CHECK(w.body(1) == "one\r\n--bx\r\nmore");
  }
  TEST_CASE("multipart without boundary or with one that never occurs is a leaf") {
    CHECK(walk_message("Content-Type: multipart/mixed\r\n\r\nx").result.parts[0].is_leaf());
    const Walked w = walk_message("Content-Type: multipart/mixed; boundary=zz\r\n\r\nx");
    CHECK(w.result.parts[0].is_leaf());
    CHECK(w.result.multiparts_without_boundary == 1);
  }
  TEST_CASE("first of duplicate Content-Type headers wins and is counted") {
    const Walked w = walk_message("Content-Type: text/html\r\nContent-Type: text/plain\r\n\r\nx");
    CHECK(w.result.parts[0].content_type.subtype == "html");
    CHECK(w.result.duplicate_content_types == 1);
  }
  TEST_CASE("unknown CTE is identity and counted; 8bit header values are fine") {
    const Walked w = walk_message("Subject: caf\xE9\r\nContent-Transfer-Encoding: x-foo\r\n\r\nx");
    CHECK(w.result.parts[0].cte == Cte::unknown);
    CHECK(w.result.parts[0].cte_raw == "x-foo");
    CHECK(w.result.unknown_ctes == 1);
  }
  TEST_CASE("digest parts default to message/rfc822") {
    const Walked w = walk_message("Content-Type: multipart/digest; "
                                  "boundary=d\r\n\r\n--d\r\n\r\nSubject: a\r\n\r\nbody\r\n--d--");
    REQUIRE(w.result.parts.size() == 3);
    CHECK(w.result.parts[1].is_message);
    CHECK(w.result.parts[2].path == "1.1");
  }
  TEST_CASE("disposition and encoded filename") {
    const Walked w = walk_message(
        "Content-Disposition: attachment; filename=\"=?utf-8?q?caf=C3=A9.html?=\"\r\n\r\nx");
    CHECK(w.result.parts[0].disposition == "attachment");
    CHECK(w.result.parts[0].filename == "caf\xC3\xA9.html");
  }
  TEST_CASE("depth cap makes the message malformed, parts so far kept") {
    std::string raw = "Content-Type: multipart/mixed; boundary=b0\r\n\r\n";
    for (int i = 1; i <= 10; ++i) {
      raw += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" +
             std::to_string(i) + "\r\n\r\n";
    }
    const Walked w = walk_message(raw, WalkLimits{5, 2000});
    CHECK(w.result.malformed);
    CHECK(w.result.malformed_reason.find("deeper") != std::string::npos);
    CHECK(w.result.parts.size() == 6);
  }
  TEST_CASE("part-count cap makes the message malformed") {
    std::string raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (int i = 0; i < 50; ++i) raw += "--b\r\n\r\nx\r\n";
    const Walked w = walk_message(raw, WalkLimits{32, 10});
    CHECK(w.result.malformed);
    CHECK(w.result.parts.size() == 10);
  }
  TEST_CASE("attachments are skipped, not decoded: ranges only") {
    const std::string payload(100000, 'A');
    const Walked w = walk_message("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                                  "Content-Transfer-Encoding: base64\r\n\r\n" +
                                  payload + "\r\n--b--\r\n");
    REQUIRE(w.result.parts.size() == 2);
    CHECK(w.result.parts[1].body_end - w.result.parts[1].body_begin == payload.size());
  }
}

#include "mime/content_type.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::mime;

TEST_SUITE("mime::ContentType") {
  TEST_CASE("type, subtype and quoted parameters") {
    const ContentType ct = parse_content_type("Text/HTML; Charset=\"UTF-8\"; format=flowed");
    CHECK(ct.type == "text");
    CHECK(ct.subtype == "html");
    CHECK(ct.param("charset") == "UTF-8");
    CHECK(ct.param("FORMAT") == "flowed");
    CHECK(ct.param("missing").empty());
  }
  TEST_CASE("boundary with special characters and escapes") {
    const ContentType ct = parse_content_type("multipart/mixed; boundary=\"----=_Part_1;x\\\"y\"");
    CHECK(ct.param("boundary") == "----=_Part_1;x\"y");
  }
  TEST_CASE("invalid value falls back to text/plain") {
    const ContentType ct = parse_content_type("garbage");
    CHECK_FALSE(ct.valid);
    CHECK(ct.mime_type() == "text/plain");
  }
  TEST_CASE("comment in the type is ignored") {
    CHECK(parse_content_type("text/plain (a comment); charset=x").mime_type() == "text/plain");
  }
  TEST_CASE("forgotten semicolon before a parameter") {
    const ContentType ct = parse_content_type("multipart/mixed\tboundary=\"b\"");
    CHECK(ct.subtype == "mixed");
    CHECK(ct.param("boundary") == "b");
  }
  TEST_CASE("RFC 2231 continuations and charset are joined and decoded") {
    const ContentType ct = parse_content_type(
        "application/pdf; name*0*=iso-8859-1''caf%E9; name*1=\" menu\"; name*2*=%2Epdf");
    CHECK(ct.param("name") == "caf\xC3\xA9 menu.pdf");
  }
  TEST_CASE("RFC 2231 extended value wins over the plain one") {
    const ContentType ct = parse_content_type("a/b; title=plain; title*=utf-8'en'x%20y");
    CHECK(ct.param("title") == "x y");
  }
  TEST_CASE("disposition type and filename") {
    const Disposition d = parse_disposition("Attachment; filename=\"a b.html\"");
    CHECK(d.type == "attachment");
    REQUIRE(d.params.size() == 1);
    CHECK(d.params[0].second == "a b.html");
  }
}

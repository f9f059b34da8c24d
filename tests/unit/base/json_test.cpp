#include "base/json.hpp"

#include <doctest/doctest.h>

using pixelwarden::base::json_quote;
using pixelwarden::base::JsonWriter;

TEST_SUITE("base::json") {
  TEST_CASE("control characters and quotes are escaped so a log line cannot be forged") {
    std::string out;
    json_quote(out, "a\"b\\c\r\nInjected: yes\x01");
    CHECK(out == "\"a\\\"b\\\\c\\r\\nInjected: yes\\u0001\"");
  }

  TEST_CASE("invalid UTF-8 becomes U+FFFD, valid UTF-8 passes") {
    std::string out;
    json_quote(out, "\xC3\xA9\xFF\xC3");
    CHECK(out == "\"\xC3\xA9\\ufffd\\ufffd\"");
  }

  TEST_CASE("nested objects and arrays get commas in the right places") {
    JsonWriter w;
    w.begin_object()
        .key("a")
        .value(1)
        .key("b")
        .begin_array()
        .value("x")
        .value(true)
        .null()
        .end_array();
    w.key("c").begin_object().end_object().end_object();
    CHECK(w.str() == R"({"a":1,"b":["x",true,null],"c":{}})");
  }
}

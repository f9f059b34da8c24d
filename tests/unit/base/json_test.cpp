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
  TEST_CASE("key_plain writes what key() writes for a plain key, commas included") {
    JsonWriter a;
    JsonWriter b;
    a.begin_object().key("schema_version").value(1).key("host").value("h").end_object();
    b.begin_object().key_plain("schema_version").value(1).key_plain("host").value("h").end_object();
    CHECK(a.str() == R"({"schema_version":1,"host":"h"})");
    CHECK(b.str() == a.str());
  }
  TEST_CASE("a writer handed a used buffer starts empty") {
    JsonWriter first;
    first.begin_object().key("a").value(1).end_object();
    JsonWriter second(first.take());
    second.begin_array().end_array();
    CHECK(second.str() == "[]");
  }
}

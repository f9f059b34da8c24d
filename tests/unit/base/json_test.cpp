#include "base/json.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

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

  TEST_CASE("every byte is escaped or copied the same wherever it sits in an 8-byte word") {
    // json_quote scans 8 bytes at a time: a byte that needs an escape must be found at
    // every offset, after plain runs of every length, as the byte-by-byte rule finds it.
    const auto one_byte = [](unsigned char c) {
      std::string out;
      json_quote(out, std::string(1, static_cast<char>(c)));
      return out.substr(1, out.size() - 2);
    };
    for (int c = 0; c < 256; ++c) {
      const std::string escaped = one_byte(static_cast<unsigned char>(c));
      for (std::size_t before = 0; before < 17; ++before) {
        std::string in(before, 'a');
        in.push_back(static_cast<char>(c));
        in.append(9, 'b');
        std::string out;
        json_quote(out, in);
        CHECK_MESSAGE(out == "\"" + std::string(before, 'a') + escaped + std::string(9, 'b') + "\"",
                      "byte ", c, " after ", before, " plain bytes");
      }
    }
    CHECK(one_byte('"') == "\\\"");
    CHECK(one_byte(0x7F) == "\\u007f");
    CHECK(one_byte(0x1F) == "\\u001f");
    CHECK(one_byte('~') == "~");
    CHECK(one_byte(0x80) == "\\ufffd");
  }

  TEST_CASE("nesting deeper than 64 containers is refused, 64 are written") {
    JsonWriter w;
    for (int i = 0; i < 64; ++i) w.begin_array();
    CHECK_THROWS_AS(w.begin_object(), std::logic_error);
    for (int i = 0; i < 64; ++i) w.end_array();
    CHECK(w.str() == std::string(64, '[') + std::string(64, ']'));
  }

  TEST_CASE("commas stay right when a container closes and its parent goes on") {
    JsonWriter w;
    w.begin_array().begin_array().value(1).end_array().begin_array().end_array().value(2);
    w.begin_object().key("k").begin_array().value(3).end_array().end_object().end_array();
    CHECK(w.str() == R"([[1],[],2,{"k":[3]}])");
  }
}

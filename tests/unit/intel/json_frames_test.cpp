#include "intel/json_frames.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using pixelwarden::intel::JsonFrames;

namespace {

struct Framed {
  std::vector<std::string> elements;
  std::string skeleton;
  std::string error;
};

Framed frame(const std::string& doc, const char* key = "objects") {
  std::istringstream in(doc);
  JsonFrames f(in, key);
  Framed out;
  std::string_view e;
  while (f.next(e)) out.elements.emplace_back(e);
  if (f.error()) {
    out.error = *f.error();
  } else {
    out.skeleton = f.skeleton();
  }
  return out;
}

}  // namespace

TEST_SUITE("intel::json_frames") {
  TEST_CASE("the elements of the keyed array come out one by one; the rest stays as the skeleton") {
    auto f = frame(
        R"({"type": "bundle", "objects": [ {"a": [1, {"b": "]}"}]}, 7 ,"x,y", [], {} ], "id": "z"})");
    CHECK(f.error.empty());
    REQUIRE(f.elements.size() == 5);
    CHECK(f.elements[0] == R"({"a": [1, {"b": "]}"}]})");
    CHECK(f.elements[1] == "7");
    CHECK(f.elements[2] == R"("x,y")");
    CHECK(f.elements[3] == "[]");
    CHECK(f.elements[4] == "{}");
    CHECK(f.skeleton == R"({"type": "bundle", "objects": [ 0, 0 ,0, 0, 0 ], "id": "z"})");
  }
  TEST_CASE("strings with escaped quotes and brackets do not move the frame") {
    auto f = frame(R"({"objects":[{"k":"a\"}]\\"},{"k":"\\"}]})");
    CHECK(f.error.empty());
    REQUIRE(f.elements.size() == 2);
    CHECK(f.elements[0] == R"({"k":"a\"}]\\"})");
    CHECK(f.elements[1] == R"({"k":"\\"})");
    CHECK(f.skeleton == R"({"objects":[0,0]})");
  }
  TEST_CASE("only the top-level key frames: the same key deeper, or as a value, does not") {
    auto f =
        frame(R"({"x": {"objects": [1, 2]}, "y": "objects", "z": ["objects", 3], "objects": [4]})");
    CHECK(f.error.empty());
    REQUIRE(f.elements.size() == 1);
    CHECK(f.elements[0] == "4");
    CHECK(f.skeleton ==
          R"({"x": {"objects": [1, 2]}, "y": "objects", "z": ["objects", 3], "objects": [0]})");
  }
  TEST_CASE("a longer key that starts with the framed one does not frame") {
    auto f = frame(R"({"objectsX": [1], "object": [2]})");
    CHECK(f.elements.empty());
    CHECK(f.skeleton == R"({"objectsX": [1], "object": [2]})");
  }
  TEST_CASE("what cannot be framed is an error with its byte offset") {
    CHECK(frame("").error == "empty input at byte 0");
    CHECK(frame("  [1, 2]").error == "the top level of the JSON input is not an object at byte 2");
    CHECK(frame(R"({"objects": [{"a": "b)").error == "unexpected end of the JSON input at byte 21");
    CHECK(frame(R"({"objects": [{}]}})").error ==
          "unbalanced brackets in the JSON input at byte 17");
    CHECK(frame(R"({"objects": [{"a": 1})").error == "unexpected end of the JSON input at byte 21");
  }
  TEST_CASE("bytes outside the framed array are capped") {
    std::string doc =
        R"({"pad": ")" + std::string(JsonFrames::k_max_skeleton, 'x') + R"(", "objects": []})";
    CHECK(frame(doc).error.find("more than 16 MiB of JSON outside the framed array") == 0);
  }
  TEST_CASE("elements across the reader's 1 MiB chunks stay whole") {
    std::string big(3u << 20, 'q');
    auto f = frame(R"({"objects": [")" + big + R"(", {"k": ")" + big + R"("}]})");
    CHECK(f.error.empty());
    REQUIRE(f.elements.size() == 2);
    CHECK(f.elements[0].size() == big.size() + 2);
    CHECK(f.elements[1].size() == big.size() + 9);
  }
}

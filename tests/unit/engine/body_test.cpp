// scan_body's reading of text parts in charsets that can hide markup: decoded as a
// browser decodes (U+FFFD, never the raw bytes after a failure), and labels browsers do
// not know read the way browsers render them.
#include "engine/body.hpp"

#include <doctest/doctest.h>

#include "engine/inspect.hpp"
#include "engine_test_support.hpp"

using namespace pixelwarden;
using test::load_inline;

namespace {

const std::string k_rules = R"(ruleset: {name: unit, version: "1"}
lists:
  trackers: {domains: [t.tracker.example]}
trackers:
  - id: known-trackers
    match: {domain_in: trackers}
    action: neutralize
)";

const std::string k_pixel = "<html><img src=\"https://t.tracker.example/p.gif\"></html>";

std::string message(const std::string& charset, const std::string& html_bytes,
                    const std::string& cte = "8bit") {
  return "From: a@shop.example\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=" +
         charset + "\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n" + html_bytes;
}

std::string utf16le(const std::string& ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

// cp037 (EBCDIC) of the printable ASCII used in k_pixel
std::string cp037(const std::string& ascii) {
  const std::string from = "<>/=\". :abcdefghijklmnopqrstuvwxyz";
  const std::string to = "\x4C\x6E\x61\x7E\x7F\x4B\x40\x7A"
                         "\x81\x82\x83\x84\x85\x86\x87\x88\x89\x91\x92\x93\x94\x95\x96\x97\x98\x99"
                         "\xA2\xA3\xA4\xA5\xA6\xA7\xA8\xA9";
  std::string out;
  for (char c : ascii) out += to[from.find(c)];
  return out;
}

engine::Verdict run(const std::string& msg) {
  static auto rules = load_inline(k_rules);
  engine::Envelope e;
  e.mail_from = "a@shop.example";
  e.rcpt = {"r@x.example"};
  return engine::inspect(msg, e, rules);
}

}  // namespace

TEST_SUITE("engine::scan_body charsets") {
  TEST_CASE(
      "UTF-16LE HTML with one stray trailing byte: the pixel is still found and neutralized") {
    const std::string msg = message("utf-16le", utf16le(k_pixel) + "\x41");
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find(utf16le("https://t.tracker.example")) == std::string::npos);
  }

  TEST_CASE("a BOM-marked UTF-16 part with an unpaired surrogate before the pixel") {
    const std::string msg =
        message("utf-16", "\xFF\xFE" + std::string("\x00\xD8", 2) + utf16le(k_pixel));
    const auto v = run(msg);
    CHECK(v.trackers.size() == 1);
    CHECK(v.new_body.has_value());
  }

  TEST_CASE("ASCII HTML labelled ibm-1047 or cp037 is read as browsers render it: bytes") {
    for (const char* label : {"ibm-1047", "cp037", "utf-32le"}) {
      CAPTURE(label);
      const std::string msg = message(label, k_pixel);
      const auto v = run(msg);
      REQUIRE(v.trackers.size() == 1);
      REQUIRE(v.new_body.has_value());
      CHECK(v.new_body->find("t.tracker.example") == std::string::npos);
    }
  }

  TEST_CASE("real EBCDIC HTML labelled cp037 is decoded, the pixel neutralized in EBCDIC") {
    const std::string msg = message("cp037", cp037(k_pixel));
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find(cp037("t.tracker.example")) == std::string::npos);
    CHECK(v.new_body->find(cp037("<html>")) != std::string::npos);  // still EBCDIC
  }

  TEST_CASE("plain UTF-16 without faults keeps its own encoding when rewritten") {
    const std::string msg = message("utf-16le", utf16le(k_pixel));
    const auto v = run(msg);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find(utf16le("<html>")) != std::string::npos);
  }
}

TEST_SUITE("engine::scan_body AMP for Email") {
  TEST_CASE("a text/x-amp-html alternative is read with its components and rewritten") {
    const std::string msg = "From: a@shop.example\r\nMIME-Version: 1.0\r\nContent-Type: "
                            "multipart/alternative; boundary=b\r\n\r\n"
                            "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                            "--b\r\nContent-Type: text/x-amp-html; charset=utf-8\r\n\r\n"
                            "<!doctype html><html \xE2\x9A\xA1\x34\x65mail><body><amp-img "
                            "src=\"https://t.tracker.example/o.gif\" "
                            "width=1 height=1></amp-img><amp-list "
                            "src=\"https://api.shop.example/l.json\"></amp-list></body></html>\r\n"
                            "--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n";
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].vector == "img");
    CHECK(v.trackers[0].part == "2");
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find("https://t.tracker.example") == std::string::npos);
    CHECK(v.new_body->find("<amp-img src=\"data:image/gif;base64,") != std::string::npos);
    CHECK(v.new_body->find("<p>hi</p>") != std::string::npos);
  }
  TEST_CASE("amp- elements in a text/html part are not read") {
    const auto v =
        run(message("utf-8", "<amp-img src=\"https://t.tracker.example/o.gif\"></amp-img>"));
    CHECK(v.trackers.empty());
  }
}

TEST_SUITE("engine::scan_body style blocks") {
  const std::string k_invisible_rules = R"(ruleset: {name: unit, version: "1"}
trackers:
  - id: invisible-image
    match: {invisible: true}
    action: neutralize
)";

  engine::Verdict run_invisible(const std::string& html) {
    static auto rules = load_inline(k_invisible_rules);
    engine::Envelope e;
    e.mail_from = "a@shop.example";
    e.rcpt = {"r@x.example"};
    return engine::inspect(message("utf-8", html), e, rules);
  }

  TEST_CASE("a pixel sized by a class rule is neutralized; a visible image by class is not") {
    engine::Verdict v = run_invisible(
        "<html><head><style>.p{width:1px;height:1px} .hero{width:600px;height:300px}</style></head>"
        "<body><img class=hero src=\"https://cdn.shop.example/hero.jpg\" width=600 height=300>"
        "<img class=p src=\"https://open.unknown.example/o.gif\"></body></html>");
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].rule == "invisible-image");
    CHECK(v.trackers[0].url == "https://open.unknown.example/o.gif");
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find("https://cdn.shop.example/hero.jpg") != std::string::npos);
    CHECK(v.new_body->find("https://open.unknown.example/o.gif") == std::string::npos);
    CHECK(v.style_capped == 0);
  }

  TEST_CASE("selectors over the cap are counted in the verdict") {
    std::string css;
    for (int i = 0; i < 10005; ++i)
      css.append(".k").append(std::to_string(i)).append("{width:1px}");
    engine::Verdict v =
        run_invisible("<style>" + css + "</style><img src=\"https://a.example/x.png\">");
    CHECK(v.style_capped == 5);
    CHECK(v.trackers.empty());
  }
}

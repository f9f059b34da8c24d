#include "html/css.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <string>

using namespace pixelwarden::html;

namespace {
std::vector<CssRef> refs(std::string_view css) {
  std::vector<CssRef> out;
  scan_css(css, out);
  return out;
}
std::string_view span(std::string_view s, std::size_t b, std::size_t e) {
  return s.substr(b, e - b);
}
}  // namespace

TEST_SUITE("html::css") {
  TEST_CASE("url() in a declaration, quoted and unquoted") {
    std::string_view css =
        ".a{background:url(http://t/1.gif) no-repeat;color:red}.b{cursor:url( 'http://t/2' ),auto}";
    auto r = refs(css);
    REQUIRE(r.size() == 2);
    CHECK(r[0].kind == CssRefKind::url);
    CHECK(r[0].url == "http://t/1.gif");
    CHECK(span(css, r[0].begin, r[0].end) == "url(http://t/1.gif)");
    CHECK(span(css, r[0].strip_begin, r[0].strip_end) ==
          "background:url(http://t/1.gif) no-repeat;");
    CHECK(r[1].url == "http://t/2");
    CHECK(span(css, r[1].strip_begin, r[1].strip_end) == "cursor:url( 'http://t/2' ),auto");
  }
  TEST_CASE("@import with string or url, inside @media too") {
    std::string_view css =
        "@import 'http://t/a.css';@IMPORT url(\"http://t/b.css\") screen;@media screen{@import x;}";
    auto r = refs(css);
    REQUIRE(r.size() == 2);
    CHECK(r[0].kind == CssRefKind::import);
    CHECK(r[0].url == "http://t/a.css");
    CHECK(span(css, r[0].strip_begin, r[0].strip_end) == "@import 'http://t/a.css';");
    CHECK(r[1].kind == CssRefKind::import);
    CHECK(span(css, r[1].strip_begin, r[1].strip_end) == "@IMPORT url(\"http://t/b.css\") screen;");
  }
  TEST_CASE("@import: only the first string of the prelude is a URL") {
    // Raw text of an unclosed <style> that swallowed markup: the quoted attribute values
    // after the @import are not imports (they were, and a rewrite that replaced them
    // re-paired the quotes, so a re-scan found URLs that the first scan had not).
    std::string_view css =
        "@import 'http://t/a.css' screen \"print\";\n<img src=\"http://t/x.png\"><a href=\"y\">";
    auto r = refs(css);
    REQUIRE(r.size() == 1);
    CHECK(r[0].kind == CssRefKind::import);
    CHECK(r[0].url == "http://t/a.css");
    CHECK(refs("@import 'a.css' 'b.css';@import \"c.css\";").size() == 2);
  }
  TEST_CASE("@import: a prelude that does not open with a string or url() has no URL") {
    // A browser ignores such a rule. Taking a later string as its URL made a rewrite that
    // neutralized it expose the next string as a URL on re-scan (found by fuzzing).
    CHECK(refs(std::string_view("@import \0\0\0\xc0u\"//3\"\"http:i", 25)).empty());
    CHECK(refs("@import x \"http://t/a.css\";").empty());
    CHECK(refs("@import ! 'http://t/a.css';").empty());
    CHECK(refs("@import   'http://t/a.css';").size() == 1);
  }
  TEST_CASE("@font-face src inside @media; strip span is the block") {
    std::string_view css = "@media "
                           "all{@font-face{font-family:x;src:url(http://f/"
                           "a.woff),url(b.ttf)}p{background:url(http://t/p)}}";
    auto r = refs(css);
    REQUIRE(r.size() == 3);
    CHECK(r[0].kind == CssRefKind::font_face);
    CHECK(r[1].kind == CssRefKind::font_face);
    CHECK(span(css, r[0].strip_begin, r[0].strip_end) ==
          "@font-face{font-family:x;src:url(http://f/a.woff),url(b.ttf)}");
    CHECK(r[2].kind == CssRefKind::url);
    CHECK(span(css, r[2].strip_begin, r[2].strip_end) == "background:url(http://t/p)");
  }
  TEST_CASE("comments hide urls; escapes are decoded") {
    auto r = refs(
        "/* url(http://no/) */ a{b:\\75 rl(\\68 ttp://t/\\31 .gif)} c{d:url(\"http\\3a //t/2\")}");
    REQUIRE(r.size() == 2);
    CHECK(r[0].url == "http://t/1.gif");
    CHECK(r[1].url == "http://t/2");
  }
  TEST_CASE("bad url tokens are not fetched") {
    CHECK(refs("a{b:url(http://t/a b)}").empty());
    CHECK(refs("a{b:url(http://t/a\"b)}").empty());
  }
  TEST_CASE("image-set(): plain string arguments are URLs, type() strings are not") {
    std::string_view css =
        ".a{background-image:image-set(\"http://t/1.png\" 1x, 'http://t/2.avif' "
        "type(\"image/avif\") 2x)}"
        ".b{background:-WEBKIT-image-set(url(http://t/3.png) 1x, \"http://t/4.png\" 2x)}";
    auto r = refs(css);
    REQUIRE(r.size() == 4);
    CHECK(r[0].url == "http://t/1.png");
    CHECK(span(css, r[0].begin, r[0].end) == "\"http://t/1.png\"");
    CHECK(span(css, r[0].url_begin, r[0].url_end) == "http://t/1.png");
    CHECK(span(css, r[0].strip_begin, r[0].strip_end).substr(0, 17) == "background-image:");
    CHECK(r[1].url == "http://t/2.avif");
    CHECK(r[2].url == "http://t/3.png");
    CHECK(r[3].url == "http://t/4.png");
    CHECK(refs("p{content:\"http://t/x\";background:image-set(none)}").empty());
    std::string deep;
    for (int k = 0; k < 200000; ++k) deep += "image-set(";
    CHECK(refs(deep + "\"http://t/deep\"").empty());  // bounded nesting, no stack exhaustion
  }
  TEST_CASE("custom properties: their strings are URLs (image-set(var(--u)) fetches them)") {
    std::string_view css =
        ":root{--u:\"http://t/1.png\";--v : 'http://t/2.png' 'x'}p{content:\"http://t/no\"}"
        ".--cls:hover{b:c}q{font-family:'http://t/no2'}";
    auto r = refs(css);
    REQUIRE(r.size() == 3);
    CHECK(r[0].url == "http://t/1.png");
    CHECK(span(css, r[0].begin, r[0].end) == "\"http://t/1.png\"");
    CHECK(r[1].url == "http://t/2.png");
    CHECK(r[2].url == "x");  // not remote: scan() drops it unless a <base> makes it so
    CHECK(refs("a{--u:url(http://t/3.png)}").size() == 1);
  }
  TEST_CASE("declaration list (style attribute)") {
    std::string_view css = "color:red; background-image : URL(//t/p.gif) ;width:1px";
    auto r = refs(css);
    REQUIRE(r.size() == 1);
    CHECK(r[0].url == "//t/p.gif");
    CHECK(span(css, r[0].strip_begin, r[0].strip_end) == "background-image : URL(//t/p.gif) ;");
  }
}

TEST_SUITE("html::style_facts") {
  TEST_CASE("each hiding fact, as written, in capitals and after other declarations") {
    // Every property StyleFacts reads. Each style is checked as written, upper-cased
    // whole (names and values compare without case), and after declarations whose names
    // start with letters no property starts with (apply() skips those by that letter).
    struct Case {
      std::string_view style;
      bool StyleFacts::*fact;
    };
    constexpr Case k_cases[] = {
        {"display: none !important", &StyleFacts::display_none},
        {"visibility:hidden", &StyleFacts::visibility_hidden},
        {"opacity:0.0", &StyleFacts::opacity_zero},
        {"width:1px", &StyleFacts::tiny_size},
        {"height:0", &StyleFacts::tiny_size},
        {"max-width:0", &StyleFacts::max_size_zero},
        {"max-height:0px", &StyleFacts::max_size_zero},
        {"position:absolute;left:-9999px", &StyleFacts::offscreen},
        {"left:-500px;position:absolute", &StyleFacts::offscreen},
        {"position:fixed;top:-100px", &StyleFacts::offscreen},
    };
    for (const Case& c : k_cases) {
      std::string upper(c.style);
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      for (const std::string& style :
           {std::string(c.style), upper, "color:red;font:1px a;border:0;" + upper}) {
        INFO(style);
        CHECK(style_facts(style).*c.fact);
      }
    }
  }
  TEST_CASE("visible styles are not hidden") {
    CHECK_FALSE(style_facts("display:block;width:600px;opacity:1").hidden());
    CHECK_FALSE(style_facts("width:3px;height:10em").hidden());
    CHECK_FALSE(style_facts("left:-9999px").hidden());  // not positioned
    CHECK_FALSE(style_facts("position:absolute;left:-99px").hidden());
    CHECK_FALSE(style_facts("font-family:'display:none'").hidden());
  }
  TEST_CASE("comments, case and neighbours around the declarations that hide") {
    CHECK(style_facts("/* pixel */display:none").display_none);
    CHECK(style_facts("dis/* split */play: none").display_none);
    CHECK(style_facts("font-family:Arial,sans-serif;background-color:#fff;DISPLAY : none")
              .display_none);
    CHECK(style_facts("max-height:0;mso-hide:all").max_size_zero);
    CHECK(style_facts("top:-200px;position:absolute").offscreen);
    CHECK_FALSE(style_facts("background-image:none;text-decoration:none").hidden());
    CHECK_FALSE(style_facts("/* display:none */color:red").hidden());
  }
}

TEST_SUITE("html::fact_property") {
  TEST_CASE("the ten properties, case-insensitive; others are not") {
    FactProperty p{};
    CHECK(fact_property("Max-Width", p));
    CHECK(p == FactProperty::max_width);
    CHECK(fact_property("top", p));
    CHECK(p == FactProperty::top);
    CHECK_FALSE(fact_property("color", p));
    CHECK_FALSE(fact_property("min-width", p));
    CHECK_FALSE(fact_property("", p));
  }
  TEST_CASE("fact_value_hides reads each value as style_facts does") {
    CHECK(fact_value_hides(FactProperty::display, "None"));
    CHECK_FALSE(fact_value_hides(FactProperty::display, "block"));
    CHECK(fact_value_hides(FactProperty::visibility, "hidden"));
    CHECK(fact_value_hides(FactProperty::opacity, "0.0"));
    CHECK_FALSE(fact_value_hides(FactProperty::opacity, "0.5"));
    CHECK(fact_value_hides(FactProperty::width, "2px"));
    CHECK(fact_value_hides(FactProperty::height, "0em"));
    CHECK_FALSE(fact_value_hides(FactProperty::width, "3px"));
    CHECK_FALSE(fact_value_hides(FactProperty::width, "1em"));
    CHECK(fact_value_hides(FactProperty::max_height, "0"));
    CHECK(fact_value_hides(FactProperty::position, "FIXED"));
    CHECK(fact_value_hides(FactProperty::left, "-100px"));
    CHECK_FALSE(fact_value_hides(FactProperty::top, "-99px"));
  }
}

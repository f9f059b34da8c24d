#include "html/stylesheet.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pixelwarden::html;

namespace {
constexpr std::uint16_t bit(FactProperty p) {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(p));
}

std::string selectors(const StyleSheet& s) {
  std::string out;
  for (const StyleRule& r : s.rules()) {
    if (!out.empty()) out += ' ';
    const Compound& c = r.selector.compounds.back();
    out += c.type + (c.id.empty() ? "" : "#" + c.id);
    for (const auto& k : c.classes) out += "." + k;
  }
  return out;
}
}  // namespace

TEST_SUITE("html::parse_declarations") {
  TEST_CASE("set and hides bits, normal and important, last one wins") {
    DeclBits d = parse_declarations(
        " WIDTH:1PX; height: 300px ; display:none !IMPORTANT; display:block; opacity:0;opacity:1;"
        "color:red; font-family:'a;b'; max-width:0 ! important");
    CHECK(d.set == (bit(FactProperty::width) | bit(FactProperty::height) |
                    bit(FactProperty::display) | bit(FactProperty::opacity)));
    CHECK(d.hides == bit(FactProperty::width));
    CHECK(d.set_important == (bit(FactProperty::display) | bit(FactProperty::max_width)));
    CHECK(d.hides_important == (bit(FactProperty::display) | bit(FactProperty::max_width)));
    CHECK(d.can_hide());
  }
  TEST_CASE("comments, quotes and nested blocks") {
    DeclBits d = parse_declarations(
        "/*display:none*/ content:'width:1px;'; & .x { display:none } visibility:/**/hidden");
    CHECK(d.set == bit(FactProperty::visibility));
    CHECK(d.hides == bit(FactProperty::visibility));
  }
  TEST_CASE("nothing the heuristic reads") {
    DeclBits d = parse_declarations("color:red;padding:0;;:;width");
    CHECK(d.empty());
    CHECK_FALSE(d.can_hide());
  }
}

TEST_SUITE("html::StyleSheet") {
  TEST_CASE("keeps rules with a fact property, in source order across blocks") {
    StyleSheet s;
    s.add("p{color:red} .a, img#b {width:1px} td > img{display:block}");
    s.add("<!-- .c{opacity:0} -->");
    CHECK(selectors(s) == ".a img#b img .c");
    REQUIRE(s.rules().size() == 4);
    CHECK(s.rules()[0].order == 0);
    CHECK(s.rules()[3].order == 3);
    CHECK(s.can_hide());
    CHECK(s.dropped() == 0);
  }
  TEST_CASE("a sheet that only shows cannot hide") {
    StyleSheet s;
    s.add("img{display:block;width:600px} .x{visibility:visible}");
    CHECK(s.rules().size() == 2);
    CHECK_FALSE(s.can_hide());
  }
  TEST_CASE("@media: screen and all hold, other queries and @supports are conditional, other "
            "at-rules skipped") {
    StyleSheet s;
    s.add(
        "@media screen{.a{display:none}} @media only screen, ALL { @media all {.b{display:none}} }"
        "@media (max-width:600px){.c{display:none}} @media print{.d{display:none}}"
        "@supports (display:grid){.e{display:none}} @font-face{font-family:x;src:url(a)}"
        "@keyframes k{from{width:0}} @page{width:0} @import 'x.css'; @charset \"utf-8\"; "
        ".f{display:none}"
        "@media screen{@media (min-width:1px){.g{width:0}}}");
    CHECK(selectors(s) == ".a .b .c .d .e .f .g");
    std::string conditional;
    for (const StyleRule& r : s.rules()) conditional += r.conditional ? '1' : '0';
    CHECK(conditional == "0011101");
  }
  TEST_CASE("conditional rules alone cannot hide") {
    StyleSheet s;
    s.add("@media (max-width:600px){.c{display:none}} .x{display:block}");
    CHECK(s.rules().size() == 2);
    CHECK_FALSE(s.can_hide());
    s.add(".y{opacity:0}");
    CHECK(s.can_hide());
  }
  TEST_CASE("@media nesting deeper than 8 is skipped") {
    std::string css;
    for (int i = 0; i < 9; ++i) css += "@media screen{";
    css += ".deep{display:none}";
    for (int i = 0; i < 9; ++i) css += "}";
    css += ".after{display:none}";
    StyleSheet s;
    s.add(css);
    CHECK(selectors(s) == ".after");
  }
  TEST_CASE("comments, strings, stray braces and an unclosed block") {
    StyleSheet s;
    s.add("/* .x{display:none} */ .a/*c*/.b { content:'}'; display:none } } .c{width:0");
    CHECK(selectors(s) == ".a.b .c");
  }
  TEST_CASE("unreadable selectors are dropped and counted") {
    StyleSheet s;
    s.add("img:hover, .ok, a+img {display:none}");
    CHECK(selectors(s) == ".ok");
    CHECK(s.dropped() == 2);
  }
  TEST_CASE("selectors over max_rules are counted, not kept") {
    StyleSheetLimits limits;
    limits.max_rules = 3;
    StyleSheet s(limits);
    s.add(".a, .b {display:none} .c, .d, .e {width:1px} .f{color:red}");
    CHECK(selectors(s) == ".a .b .c");
    CHECK(s.capped() == 2);
  }
}

#include "html/cascade.hpp"

#include <doctest/doctest.h>

#include <string>

#include "html/tokenizer.hpp"

using namespace pixelwarden::html;

namespace {

// The sheet of `css` and a tree of `html` in which each tag nests in the previous
// non-void one; answers for the last element.
struct Doc {
  std::string html;
  StyleSheet sheet;
  StyleTree tree{html};
  Doc(std::string_view css, std::string h, const StyleSheetLimits& limits = {})
      : html(std::move(h)), sheet(limits), tree(html) {
    sheet.add(css);
    Tokenizer tok(html);
    Token t;
    std::uint32_t parent = k_no_element;
    while (tok.next(t)) {
      if (t.kind != TokenKind::start_tag) continue;
      const std::uint32_t id = tree.add(t, parent);
      if (!is_void_element(t.name)) parent = id;
    }
  }
  StyleHidden last(const CascadeLimits& limits = {}) {
    Cascade c(sheet, tree, limits);
    return c.hidden(static_cast<std::uint32_t>(tree.size() - 1));
  }
};

StyleHidden hidden(std::string_view css, std::string html) {
  return Doc(css, std::move(html)).last();
}

}  // namespace

TEST_SUITE("html::Cascade") {
  TEST_CASE("each fact, on the element itself") {
    CHECK(hidden(".p{width:1px;height:1px}", "<img class=p>") == StyleHidden::self);
    CHECK(hidden("#x{display:none}", "<img id=x>") == StyleHidden::self);
    CHECK(hidden("img.t{visibility:hidden}", "<img class=t>") == StyleHidden::self);
    CHECK(hidden("img{opacity:0}", "<img>") == StyleHidden::self);
    CHECK(hidden("*{max-height:0}", "<img>") == StyleHidden::self);
    CHECK(hidden(".o{position:absolute;left:-9999px}", "<img class=o>") == StyleHidden::self);
    CHECK(hidden(".o{position:absolute} img{top:-500px}", "<img class=o>") == StyleHidden::self);
  }
  TEST_CASE("negatives: a visible image styled by class, a selector that does not match") {
    CHECK(hidden(".hero{width:600px;height:300px}", "<img class=hero>") == StyleHidden::no);
    CHECK(hidden(".p{width:1px}", "<img class=q>") == StyleHidden::no);
    CHECK(hidden("div img{display:none}", "<span><img>") == StyleHidden::no);
    CHECK(hidden("td > img{display:none}", "<td><a><img>") == StyleHidden::no);
    CHECK(hidden(".o{position:absolute}", "<img class=o>") == StyleHidden::no);
    CHECK(hidden(".o{left:-500px}", "<img class=o>") == StyleHidden::no);
  }
  TEST_CASE("an ancestor hidden by a rule hides its descendants") {
    CHECK(hidden("div.h{display:none}", "<div class=h><p><img>") == StyleHidden::ancestor);
    CHECK(hidden(".box{width:1px;height:1px;overflow:hidden}", "<div class=box><img>") ==
          StyleHidden::ancestor);
    CHECK(hidden(".h{opacity:0}", "<table class=h><tr><td><img>") == StyleHidden::ancestor);
  }
  TEST_CASE("specificity: an id beats a class, a class beats a type") {
    CHECK(hidden("#x{display:block} .h{display:none}", "<img id=x class=h>") == StyleHidden::no);
    CHECK(hidden(".h{display:none} img{display:block}", "<img class=h>") == StyleHidden::self);
    CHECK(hidden("img.a.b{width:1px} img.a{width:auto}", "<img class='a b'>") == StyleHidden::self);
  }
  TEST_CASE("source order breaks specificity ties") {
    CHECK(hidden(".a{display:none} .b{display:block}", "<img class='a b'>") == StyleHidden::no);
    CHECK(hidden(".b{display:block} .a{display:none}", "<img class='a b'>") == StyleHidden::self);
  }
  TEST_CASE("!important beats specificity and order") {
    CHECK(hidden(".a{display:none!important} #x{display:block}", "<img id=x class=a>") ==
          StyleHidden::self);
    CHECK(hidden(".a{display:none!important} #x{display:block !important}", "<img id=x class=a>") ==
          StyleHidden::no);
  }
  TEST_CASE("inline style wins over sheets unless the sheet's is !important") {
    CHECK(hidden(".a{width:1px}", "<img class=a style='width:600px'>") == StyleHidden::no);
    CHECK(hidden(".a{width:1px !important}", "<img class=a style='width:600px'>") ==
          StyleHidden::self);
    CHECK(hidden(".a{width:1px !important}", "<img class=a style='width:600px!important'>") ==
          StyleHidden::no);
    CHECK(hidden(".a{display:none}", "<div class=a style='display:block'><img>") ==
          StyleHidden::no);
  }
  TEST_CASE("a rule in a width @media never hides on its own") {
    CHECK(hidden("@media (max-width:600px){.p{width:1px}}", "<img class=p>") == StyleHidden::no);
    CHECK(hidden("@media screen{.p{width:1px}}", "<img class=p>") == StyleHidden::self);
  }
  TEST_CASE("a desktop-hidden image that a width @media shows is not hidden") {
    CHECK(hidden(".m{display:none} @media (max-width:600px){.m{display:block !important}}",
                 "<div class=m><img>") == StyleHidden::no);
    // A conditional rule that loses the cascade changes nothing.
    CHECK(hidden(".m{display:none!important} @media (max-width:600px){.m{display:block}}",
                 "<img class=m>") == StyleHidden::self);
    // Nor does one that sets another property.
    CHECK(hidden(".m{display:none} @media (max-width:600px){.m{width:100%}}", "<img class=m>") ==
          StyleHidden::self);
  }
  TEST_CASE("one property overridden leaves the others") {
    CHECK(hidden(".a{width:1px;height:1px} #x{width:600px}", "<img id=x class=a>") ==
          StyleHidden::self);
  }
  TEST_CASE("each element is decided once; a spent budget leaves elements undecided and counted") {
    Doc d(".a .b .c img{display:none} div img{width:1px}", "<div><div><div><img>");
    CascadeLimits tight;
    tight.match_steps = 2;
    Cascade c(d.sheet, d.tree, tight);
    CHECK(c.hidden(3) == StyleHidden::no);
    CHECK(c.capped() >= 1);
    CHECK(c.steps_left() == 0);
    Cascade enough(d.sheet, d.tree);
    CHECK(enough.hidden(3) == StyleHidden::self);
    CHECK(enough.capped() == 0);
  }
  TEST_CASE("the index: only rules whose subject can match are tested") {
    std::string css;
    for (int i = 0; i < 1000; ++i)
      css.append(".k").append(std::to_string(i)).append("{display:none}");
    Doc d(css + "#x{width:1px}", "<img id=x class=k999>");
    Cascade c(d.sheet, d.tree);
    CHECK(c.hidden(0) == StyleHidden::self);
    CHECK(1000000 - c.steps_left() == 2);  // .k999 and #x, not 1001 rules
  }
}

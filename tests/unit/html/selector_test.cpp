#include "html/selector.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "html/tokenizer.hpp"

using namespace pixelwarden::html;

namespace {

std::vector<Selector> parse(std::string_view text, std::size_t* dropped = nullptr) {
  std::vector<Selector> out;
  std::size_t d = parse_selector_list(text, out);
  if (dropped != nullptr) *dropped = d;
  return out;
}

// A StyleTree of `html` where each start tag is pushed under the previous unclosed one
// (no end tags needed by these tests: every tag nests in the one before, except void ones).
struct Tree {
  std::string html;
  StyleTree tree{html};
  explicit Tree(std::string h) : html(std::move(h)), tree(html) {
    Tokenizer tok(html);
    Token t;
    std::uint32_t parent = k_no_element;
    while (tok.next(t)) {
      if (t.kind != TokenKind::start_tag) continue;
      std::uint32_t id = tree.add(t, parent);
      if (!is_void_element(t.name)) parent = id;
    }
  }
  std::uint32_t last() const { return static_cast<std::uint32_t>(tree.size() - 1); }
};

bool matches(std::string_view sel, const Tree& t, std::uint32_t e) {
  auto s = parse(sel);
  REQUIRE(s.size() == 1);
  MatchBudget budget{1000};
  return selector_matches(s[0], t.tree, e, budget);
}

}  // namespace

TEST_SUITE("html::selector parse") {
  TEST_CASE("type, class, id and their compounds") {
    auto s = parse("IMG.A.b#C");
    REQUIRE(s.size() == 1);
    REQUIRE(s[0].compounds.size() == 1);
    CHECK(s[0].compounds[0].type == "img");
    CHECK(s[0].compounds[0].id == "c");
    CHECK(s[0].compounds[0].classes == std::vector<std::string>{"a", "b"});
    CHECK(s[0].specificity == ((1u << 20) | (2u << 10) | 1u));
  }
  TEST_CASE("combinators and lists") {
    auto s = parse("div.h img, td > img ,*.x>  p  span");
    REQUIRE(s.size() == 3);
    CHECK(s[0].compounds.size() == 2);
    CHECK(s[0].compounds[1].left == Combinator::descendant);
    CHECK(s[1].compounds[1].left == Combinator::child);
    REQUIRE(s[2].compounds.size() == 3);
    CHECK(s[2].compounds[0].type.empty());
    CHECK(s[2].compounds[1].left == Combinator::child);
    CHECK(s[2].compounds[2].left == Combinator::descendant);
  }
  TEST_CASE("what it cannot read is dropped, the rest of the list kept") {
    std::size_t dropped = 0;
    auto s =
        parse("img:hover, img::before, img[width='1,2'], a + img, a ~ img, ns|img, .\\31 x, .ok, "
              ":not(.a, .b) img, > img, img >, #1, .-1, img..a",
              &dropped);
    REQUIRE(s.size() == 1);
    CHECK(s[0].compounds[0].classes == std::vector<std::string>{"ok"});
    CHECK(dropped == 13);
  }
  TEST_CASE("limits: compounds per selector, classes per compound, type length") {
    std::string deep;
    for (int i = 0; i < 17; ++i) deep += "a ";
    std::string classes;
    for (int i = 0; i < 17; ++i) classes += ".c";
    std::size_t dropped = 0;
    CHECK(parse(deep + ", " + classes + ", averyveryverylongname", &dropped).empty());
    CHECK(dropped == 3);
    CHECK(parse("a a a a a a a a a a a a a a a a").size() == 1);
  }
  TEST_CASE("empty list and empty pieces") {
    std::size_t dropped = 0;
    CHECK(parse("", &dropped).empty());
    CHECK(dropped == 1);
    CHECK(parse("a,,b", &dropped).size() == 2);
    CHECK(dropped == 1);
  }
}

TEST_SUITE("html::selector match") {
  TEST_CASE("compound matches name, id, every class, case-insensitively") {
    Tree t("<IMG Class='T  Big' ID=Px src=x>");
    CHECK(matches("img", t, 0));
    CHECK(matches("img.t.big#px", t, 0));
    CHECK(matches(".BIG", t, 0));
    CHECK(matches("*", t, 0));
    CHECK_FALSE(matches("img.t.small", t, 0));
    CHECK_FALSE(matches("#p", t, 0));
    CHECK_FALSE(matches("div", t, 0));
  }
  TEST_CASE("descendant and child combinators") {
    Tree t("<div class=h><table><tr><td><img src=x>");
    const std::uint32_t img = t.last();
    CHECK(matches("div.h img", t, img));
    CHECK(matches("td > img", t, img));
    CHECK(matches("div td>img", t, img));
    CHECK(matches("div > table img", t, img));
    CHECK_FALSE(matches("div > img", t, img));
    CHECK_FALSE(matches("span img", t, img));
    CHECK_FALSE(matches("img td", t, img));
  }
  TEST_CASE("a child combinator after a descendant one backtracks to a farther ancestor") {
    // The nearest div is not under a section; the farther one is.
    Tree t("<section><div><p><div><img src=x>");
    CHECK(matches("section > div img", t, t.last()));
    CHECK_FALSE(matches("section > p img", t, t.last()));
  }
  TEST_CASE("a spent budget answers no match") {
    Tree t("<div><div><div><div><img src=x>");
    auto s = parse("section div img");
    MatchBudget budget{3};
    CHECK_FALSE(selector_matches(s[0], t.tree, t.last(), budget));
    CHECK(budget.spent());
    MatchBudget plenty{1000};
    CHECK(selector_matches(parse("div div img")[0], t.tree, t.last(), plenty));
  }
  TEST_CASE("the ancestor walk of one descendant combinator is bounded") {
    std::string html;
    for (int i = 0; i < 20; ++i) html += "<div>";
    html = "<section>" + html + "<img src=x>";
    Tree t(html);
    auto s = parse("section img");
    MatchBudget budget{1000};
    SelectorLimits limits;
    limits.max_ancestors = 10;
    CHECK_FALSE(selector_matches(s[0], t.tree, t.last(), budget, limits));
    limits.max_ancestors = 21;
    CHECK(selector_matches(s[0], t.tree, t.last(), budget, limits));
  }
}

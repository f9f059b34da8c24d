#include "html/style_tree.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pixelwarden::html;

namespace {
Token first_tag(Tokenizer& tok) {
  Token t;
  while (tok.next(t)) {
    if (t.kind == TokenKind::start_tag) return t;
  }
  FAIL("no start tag");
  return t;
}
}  // namespace

TEST_SUITE("html::StyleTree") {
  TEST_CASE("name, parent, id, classes and style of a start tag") {
    std::string html = "<DIV id=Main class=' a  B\ta ' style='width:1px'>";
    StyleTree tree(html);
    Tokenizer tok(html);
    Token t = first_tag(tok);
    const std::uint32_t e = tree.add(t, k_no_element);
    CHECK(tree.name(e) == "div");
    CHECK(tree.parent(e) == k_no_element);
    CHECK(tree.id(e) == "main");
    REQUIRE(tree.class_count(e) == 2);  // "a" once
    CHECK(tree.class_at(e, 0) == "a");
    CHECK(tree.class_at(e, 1) == "b");
    CHECK(tree.has_class(e, "b"));
    CHECK_FALSE(tree.has_class(e, "c"));
    CHECK(tree.style(e) == "width:1px");
    CHECK(tree.tag_begin(e) == 0);
  }
  TEST_CASE("character references are decoded") {
    std::string html = "<p class='x&amp;y' id=&#65; style='width:&#49;px'><img>";
    StyleTree tree(html);
    Tokenizer tok(html);
    const std::uint32_t p = tree.add(first_tag(tok), k_no_element);
    const std::uint32_t img = tree.add(first_tag(tok), p);
    CHECK(tree.class_at(p, 0) == "x&y");
    CHECK(tree.id(p) == "a");
    CHECK(tree.style(p) == "width:1px");
    CHECK(tree.parent(img) == p);
    CHECK(tree.id(img).empty());
    CHECK(tree.class_count(img) == 0);
  }
  TEST_CASE("an element keeps 32 classes, the rest are counted") {
    std::string cls;
    for (int i = 0; i < 40; ++i) cls.append("c").append(std::to_string(i)).append(" ");
    std::string html = "<img class='" + cls + "'>";
    StyleTree tree(html);
    Tokenizer tok(html);
    const std::uint32_t e = tree.add(first_tag(tok), k_no_element);
    CHECK(tree.class_count(e) == StyleTree::k_max_classes);
    CHECK(tree.classes_dropped() == 8);
    tree.clear();
    CHECK(tree.size() == 0);
    CHECK(tree.classes_dropped() == 0);
  }
}

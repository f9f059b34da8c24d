#include "html/element_stack.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::html;

TEST_SUITE("html::ElementStack") {
  TEST_CASE("hidden while a hidden element is open") {
    ElementStack s;
    s.push("div", true, false);
    s.push("span", false, false);
    CHECK(s.hidden());
    s.close("span");
    CHECK(s.hidden());
    s.close("div");
    CHECK_FALSE(s.hidden());
  }
  TEST_CASE("an end tag closes unclosed children") {
    ElementStack s;
    s.push("table", false, false);
    s.push("td", true, false);
    s.push("b", false, false);
    s.close("table");
    CHECK(s.depth() == 0);
    CHECK_FALSE(s.hidden());
  }
  TEST_CASE("implicit end of td, li, p") {
    ElementStack s;
    s.push("tr", false, false);
    s.push("td", true, false);
    s.implicit_close("td");
    CHECK_FALSE(s.hidden());
    s.push("p", true, false);
    s.implicit_close("div");
    CHECK_FALSE(s.hidden());
    s.push("ul", false, false);
    s.push("li", true, false);
    s.implicit_close("li");
    CHECK_FALSE(s.hidden());
  }
  TEST_CASE("void elements and unmatched end tags do not change the stack") {
    ElementStack s;
    s.push("img", true, true);
    CHECK_FALSE(s.hidden());
    s.push("div", false, false);
    s.close("span");
    CHECK(s.depth() == 1);
  }
  TEST_CASE("top_element: the number of the innermost open element") {
    ElementStack s;
    CHECK(s.top_element() == ElementStack::k_no_id);
    s.push("div", false, false, 7);
    s.push("img", false, true, 8);  // void: never open
    CHECK(s.top_element() == 7);
    s.push("p", false, false);
    CHECK(s.top_element() == ElementStack::k_no_id);
    s.close("p");
    CHECK(s.top_element() == 7);
  }
}

#include "html/element_stack.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

using namespace pixelwarden::html;

namespace {
// For stacks without deferred elements: never asked.
bool never_asked(std::size_t, std::size_t) {
  FAIL("a style was asked about");
  return false;
}
}  // namespace

TEST_SUITE("html::ElementStack") {
  TEST_CASE("hidden while a hidden element is open") {
    ElementStack s;
    s.push("div", true, false);
    s.push("span", false, false);
    CHECK(s.hidden(never_asked));
    s.close("span");
    CHECK(s.hidden(never_asked));
    s.close("div");
    CHECK_FALSE(s.hidden(never_asked));
  }
  TEST_CASE("an end tag closes unclosed children") {
    ElementStack s;
    s.push("table", false, false);
    s.push("td", true, false);
    s.push("b", false, false);
    s.close("table");
    CHECK(s.depth() == 0);
    CHECK_FALSE(s.hidden(never_asked));
  }
  TEST_CASE("implicit end of td, li, p") {
    ElementStack s;
    s.push("tr", false, false);
    s.push("td", true, false);
    s.implicit_close("td");
    CHECK_FALSE(s.hidden(never_asked));
    s.push("p", true, false);
    s.implicit_close("div");
    CHECK_FALSE(s.hidden(never_asked));
    s.push("ul", false, false);
    s.push("li", true, false);
    s.implicit_close("li");
    CHECK_FALSE(s.hidden(never_asked));
  }
  TEST_CASE("exactly the start tags of the HTML standard's list close an open p") {
    // "A p element's end tag may be omitted if [it] is immediately followed by" these.
    const std::vector<std::string_view> closes = {
        "address", "article",  "aside",  "blockquote", "center",  "details", "div",
        "dl",      "fieldset", "figure", "footer",     "form",    "h1",      "h2",
        "h3",      "h4",       "h5",     "h6",         "header",  "hr",      "main",
        "nav",     "ol",       "p",      "pre",        "section", "table",   "ul"};
    const std::vector<std::string_view> keeps = {
        "a",  "b",    "h0",     "h7",       "hx",      "dd",        "li",         "span",  "img",
        "td", "tr",   "divx",   "tables",   "headers", "navs",      "forms",      "mainx", "h",
        "pr", "asid", "centre", "sections", "fieldse", "blockquot", "blockquotes"};
    const auto depth_after = [](std::string_view name) {
      ElementStack s;
      s.push("p", false, false);
      s.implicit_close(name);
      return s.depth();
    };
    for (std::string_view name : closes) {
      CAPTURE(name);
      CHECK(depth_after(name) == 0);
    }
    for (std::string_view name : keeps) {
      CAPTURE(name);
      CHECK(depth_after(name) == 1);
    }
  }
  TEST_CASE("void elements and unmatched end tags do not change the stack") {
    ElementStack s;
    s.push("img", true, true);
    CHECK_FALSE(s.hidden(never_asked));
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
  TEST_CASE("a deferred style is read only when asked, once, outermost first") {
    ElementStack s;
    std::vector<std::pair<std::size_t, std::size_t>> asked;
    auto hides_at_20 = [&](std::size_t b, std::size_t e) {
      asked.emplace_back(b, e);
      return b == 20;
    };
    s.push_deferred("table", 10, 15, false);
    s.push_deferred("td", 20, 25, false);
    s.push_deferred("div", 30, 35, false);
    CHECK(asked.empty());
    CHECK_FALSE(s.hidden_below(1, hides_at_20));  // the table alone: shown
    CHECK(asked == std::vector<std::pair<std::size_t, std::size_t>>{{10, 15}});
    CHECK(s.hidden(hides_at_20));  // the td hides: the div is not asked about
    CHECK(asked.size() == 2);
    CHECK(asked.back() == std::pair<std::size_t, std::size_t>{20, 25});
    CHECK(s.hidden(hides_at_20));  // answers are kept
    CHECK(asked.size() == 2);
    CHECK_FALSE(s.hidden_below(1, hides_at_20));
    s.close("td");  // the hidden td and the deferred div go
    CHECK_FALSE(s.hidden(hides_at_20));
    CHECK(asked.size() == 2);
    s.push_deferred("div", 40, 45, false);
    CHECK_FALSE(s.hidden(hides_at_20));
    CHECK(asked.size() == 3);
  }
  TEST_CASE("deferred elements above a hidden one are not asked about") {
    ElementStack s;
    int asked = 0;
    auto count = [&](std::size_t, std::size_t) {
      ++asked;
      return true;
    };
    s.push("div", true, false);
    s.push_deferred("span", 1, 2, false);
    CHECK(s.hidden(count));
    CHECK(asked == 0);
    s.close("div");
    s.push("p", false, false);
    s.push_deferred("span", 3, 4, false);
    s.push("b", false, false);
    s.push_deferred("i", 5, 6, true);  // void: never open, never asked about
    CHECK(s.depth() == 3);
    CHECK(s.hidden(count));
    CHECK(asked == 1);
  }
}

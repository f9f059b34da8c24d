#include "html/style_scan.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pixelwarden::html;

namespace {

// Drives a StyleScan as the Scanner does: start tags recorded under the stack's top,
// <style> blocks handed over, one element resource per <img> (tag offsets only).
struct Drive {
  std::string html;
  StyleScan style{html};
  ElementStack stack;
  std::vector<Resource> resources;
  std::size_t capped = 0;

  explicit Drive(std::string h) : html(std::move(h)) {
    Tokenizer tok(html);
    Token t;
    while (tok.next(t)) {
      if (t.kind == TokenKind::end_tag) stack.close(t.name);
      if (t.kind == TokenKind::raw_text && t.name == "style") {
        style.add_block(std::string_view(html).substr(t.data_begin, t.data_end - t.data_begin),
                        resources, stack);
      }
      if (t.kind != TokenKind::start_tag) continue;
      stack.implicit_close(t.name);
      const std::uint32_t e = style.record(t, stack.top_element());
      stack.push(t.name, false, t.self_closing || is_void_element(t.name), e, t.begin);
      if (t.name == "img") {
        Resource& r = resources.emplace_back();
        r.tag_begin = t.begin;
        r.invisible = t.find("width") != nullptr;  // stands for the inline heuristic
      }
    }
    capped = style.apply(resources);
  }
  std::string invisible() const {
    std::string out;
    for (const Resource& r : resources) out += r.invisible ? (r.ancestor_hidden ? 'A' : 'S') : '-';
    return out;
  }
};

}  // namespace

TEST_SUITE("html::StyleScan") {
  TEST_CASE("recording from the first block that can hide, open elements numbered") {
    Drive d("<body class=b><style>.b .p{width:1px}</style><img class=p><img>");
    CHECK(d.invisible() == "S-");
    CHECK(d.capped == 0);
  }
  TEST_CASE("a block that can hide after an image: the tree is built again") {
    Drive d(
        "<div class=h><img></div><img class=p><style>.h{display:none} .p{opacity:0}</style><img>");
    CHECK(d.invisible() == "AS-");
  }
  TEST_CASE("sheets that cannot hide change nothing") {
    Drive d("<style>img{display:block;width:600px}</style><img class=p><img>");
    CHECK(d.invisible() == "--");
  }
  TEST_CASE("a resource the inline heuristic already hid is left as it is") {
    Drive d("<style>.x{display:block}</style><img width=1 class=x>");
    CHECK(d.invisible() == "S");
    CHECK_FALSE(d.resources[0].ancestor_hidden);
  }
  TEST_CASE("a resource without a tree element (a tag read inside raw text) is skipped") {
    const std::string html = "<style>img{display:none}</style><img>";
    StyleScan style(html);
    ElementStack stack;
    std::vector<Resource> resources(2);
    resources[0].tag_begin = 3;  // inside the style block's text: no start tag there
    style.add_block("img{display:none}", {}, stack);
    Tokenizer tok(html);
    Token t;
    while (tok.next(t)) {
      if (t.kind == TokenKind::start_tag && t.name == "img") {
        resources[1].tag_begin = t.begin;
        CHECK(style.record(t, k_no_element) == 0);
      }
    }
    CHECK(style.apply(resources) == 0);
    CHECK_FALSE(resources[0].invisible);
    CHECK(resources[1].invisible);
  }
  TEST_CASE("what the bounds leave out is returned") {
    std::string cls;
    for (int i = 0; i < 40; ++i) cls.append("c").append(std::to_string(i)).append(" ");
    Drive d("<style>.c39{display:none}</style><img class='" + cls + "'>");
    CHECK(d.invisible() == "-");  // its 40th class is past the 32 kept
    CHECK(d.capped == 8);
  }
}

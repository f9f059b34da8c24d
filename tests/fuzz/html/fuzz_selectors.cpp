// libFuzzer target: the <style> sheet parser, selector parser and cascade never crash
// and stay consistent. The input is "CSS\0HTML" (without a NUL: the same bytes serve as
// both). Checks: every kept selector is well formed and its specificity counts its
// parts; the cascade answers every element within its budget; when the budget was not
// spent, asking in reverse document order gives the same answers (the memoization does
// not depend on order), and "hidden by an ancestor" means the parent is hidden.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "html/cascade.hpp"
#include "html/element_stack.hpp"
#include "html/stylesheet.hpp"
#include "html/tokenizer.hpp"

using namespace pixelwarden::html;

namespace {

void check_selectors(const StyleSheet& sheet) {
  for (const StyleRule& r : sheet.rules()) {
    const Selector& s = r.selector;
    if (s.compounds.empty() || s.compounds.size() > sheet.limits().selector.max_compounds)
      std::abort();
    unsigned ids = 0, classes = 0, types = 0;
    for (std::size_t i = 0; i < s.compounds.size(); ++i) {
      const Compound& c = s.compounds[i];
      if ((i == 0) != (c.left == Combinator::none)) std::abort();
      ids += c.id.empty() ? 0 : 1;
      classes += static_cast<unsigned>(c.classes.size());
      types += c.type.empty() ? 0 : 1;
    }
    if (s.specificity != ((ids << 20) | (classes << 10) | types)) std::abort();
    if (r.decls.empty()) std::abort();
  }
  if (sheet.rules().size() > sheet.limits().max_rules) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = in.find('\0');
  const std::string_view css = nul == std::string_view::npos ? in : in.substr(0, nul);
  const std::string_view html = nul == std::string_view::npos ? in : in.substr(nul + 1);

  StyleSheetLimits limits;
  limits.max_rules = 64;
  StyleSheet sheet(limits);
  sheet.add(css);
  check_selectors(sheet);
  (void)parse_declarations(css);

  StyleTree tree(html);
  ElementStack stack;
  Tokenizer tok(html);
  Token t;
  while (tok.next(t)) {
    if (t.kind == TokenKind::end_tag) stack.close(t.name);
    if (t.kind != TokenKind::start_tag) continue;
    stack.implicit_close(t.name);
    const std::uint32_t id = tree.add(t, stack.top_element());
    if (tree.parent(id) != k_no_element && tree.parent(id) >= id) std::abort();
    stack.push(t.name, false, t.self_closing || is_void_element(t.name), id);
  }

  CascadeLimits budget;
  budget.match_steps = 20000;
  const auto n = static_cast<std::uint32_t>(tree.size());
  std::vector<StyleHidden> forward(n), backward(n);
  Cascade a(sheet, tree, budget);
  for (std::uint32_t e = 0; e < n; ++e) forward[e] = a.hidden(e);
  if (a.steps_left() > budget.match_steps || a.capped() > n) std::abort();
  Cascade b(sheet, tree, budget);
  for (std::uint32_t e = n; e-- > 0;) backward[e] = b.hidden(e);
  if (a.capped() == 0 && b.capped() == 0) {
    for (std::uint32_t e = 0; e < n; ++e) {
      if (forward[e] != backward[e]) std::abort();
      const std::uint32_t p = tree.parent(e);
      if (forward[e] == StyleHidden::ancestor &&
          (p == k_no_element || forward[p] == StyleHidden::no))
        std::abort();
    }
  }
  return 0;
}

#pragma once
// The rules of <style> blocks that can change the invisibility heuristic's answer: a
// rule is kept only when it declares one of the properties StyleFacts reads
// (FactProperty), with each declaration reduced to two bits: set, and "its value
// hides" (fact_value_hides). Rules that set such a property to a visible value are
// kept too: they win the cascade over a hiding rule (specificity, order, !important).
// What is read: top-level rules and rules inside @media whose query always holds on a
// screen (all, screen, only screen, and comma lists of them); rules inside any other
// @media (a viewport-dependent query, print) or @supports are read as `conditional`:
// they apply on some screens only, so they can never make an element hidden, but they
// can keep one visible (cascade.hpp: hidden must hold with and without them; a
// responsive newsletter's desktop-hidden, mobile-shown image is not invisible).
// Skipped: @font-face, @keyframes, @page and every other at-rule, CSS nesting inside a
// rule's block, @media/@supports nested deeper than 8.
// Selectors this parser cannot read are dropped (selector.hpp).
// Bounds: at most StyleSheetLimits::max_rules selectors are kept per message; the
// rest are counted in capped(). Parsing is one pass over the text.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "html/css.hpp"
#include "html/selector.hpp"

namespace pixelwarden::html {

// One bit per FactProperty.
struct DeclBits {
  std::uint16_t set = 0, hides = 0;                      // normal declarations
  std::uint16_t set_important = 0, hides_important = 0;  // !important ones
  void add(FactProperty p, bool value_hides, bool important);
  bool empty() const { return (set | set_important) == 0; }
  bool can_hide() const { return (hides | hides_important) != 0; }
};

// The FactProperty declarations of a declaration list (a rule's block or a style
// attribute); a later declaration of the same property and importance wins.
DeclBits parse_declarations(std::string_view decls);

struct StyleRule {
  Selector selector;
  DeclBits decls;
  std::uint32_t order = 0;   // source order across every block of the message
  bool conditional = false;  // inside an @media / @supports that may not hold
};

struct StyleSheetLimits {
  std::size_t max_rules = 10000;  // selectors kept (a list "a, b" is two)
  SelectorLimits selector;
};

class StyleSheet {
 public:
  explicit StyleSheet(const StyleSheetLimits& limits = {}) : m_limits(limits) {}

  // Appends the rules of one <style> block's text.
  void add(std::string_view css);

  const std::vector<StyleRule>& rules() const { return m_rules; }
  const StyleSheetLimits& limits() const { return m_limits; }
  bool can_hide() const { return m_can_hide; }       // a rule that is not conditional can hide
  std::size_t dropped() const { return m_dropped; }  // selectors it could not read
  std::size_t capped() const { return m_capped; }    // selectors over max_rules

 private:
  void rule_list(std::string_view css, std::size_t& i, int depth, bool conditional);
  void qualified_rule(std::string_view prelude, std::string_view block, bool conditional);

  StyleSheetLimits m_limits;
  std::vector<StyleRule> m_rules;
  std::vector<Selector> m_scratch;
  std::uint32_t m_order = 0;
  bool m_can_hide = false;
  std::size_t m_dropped = 0, m_capped = 0;
};

}  // namespace pixelwarden::html

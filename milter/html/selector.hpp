#pragma once
// CSS selectors as the invisibility heuristic's cascade reads them (cascade.hpp):
// type, universal, class and id selectors, their compounds (img.a.b#c), the
// descendant (whitespace) and child (>) combinators, and selector lists (a, b).
// Anything else (pseudo-classes and -elements, attribute selectors, sibling
// combinators, namespaces, escapes) makes that one selector of a list unreadable: it
// is dropped, never guessed at, so a rule that only matches in some state (:hover) or
// something else than the element (::before) hides nothing.
// Matching runs against a StyleTree and counts its work on a MatchBudget; it stops,
// answering "no match", when the budget is spent (the caller counts that).
// Names, classes and ids are compared ASCII-lowercased (quirks mode).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "html/style_tree.hpp"

namespace pixelwarden::html {

enum class Combinator : unsigned char { none, descendant, child };

struct Compound {
  std::string type;                    // lowercase; empty: any element
  std::string id;                      // lowercase; empty: none
  std::vector<std::string> classes;    // lowercase
  Combinator left = Combinator::none;  // how it relates to the compound on its left
};

struct Selector {
  std::vector<Compound> compounds;  // left to right; the last one is the subject
  std::uint32_t specificity = 0;    // ids << 20 | classes << 10 | types
};

struct SelectorLimits {
  std::size_t max_compounds = 16;   // per selector
  std::size_t max_classes = 16;     // per compound
  std::size_t max_ancestors = 256;  // elements one descendant combinator walks up
};

// Appends the selectors of a comma-separated list it can read to `out`; returns how
// many it dropped (unreadable or over the limits).
std::size_t parse_selector_list(std::string_view text, std::vector<Selector>& out,
                                const SelectorLimits& limits = {});

struct MatchBudget {
  std::uint64_t left = 0;  // steps: a compound tested, an ancestor visited
  bool spent() const { return left == 0; }
  bool take() {
    if (left == 0) return false;
    --left;
    return true;
  }
};

bool compound_matches(const Compound& c, const StyleTree& tree, std::uint32_t element);

// Whether `sel` selects `element`. False once `budget` is spent.
bool selector_matches(const Selector& sel, const StyleTree& tree, std::uint32_t element,
                      MatchBudget& budget, const SelectorLimits& limits = {});

}  // namespace pixelwarden::html

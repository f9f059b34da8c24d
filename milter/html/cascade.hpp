#pragma once
// The <style> part of the invisibility heuristic: which elements a message's style
// sheets hide, deciding each FactProperty by the cascade (origin and !important,
// specificity, source order), with the element's inline style in it: an inline
// declaration beats the sheets' normal ones, a sheet's !important beats an inline
// normal one, an inline !important beats everything. An element is hidden when the
// winning declarations give it any fact StyleFacts::hidden() reads; an ancestor hidden
// this way hides its descendants, as an inline-hidden open ancestor does in scan().
// Non-goals: the cascade of any other property, inheritance (visibility:visible on a
// child does not unhide it, as in the inline heuristic), the UA sheet, layout.
//
// Cost: rules are indexed by the subject compound's id, else first class, else type,
// else the universal list (as browsers do), so an element tests only the rules that can
// select it; each element is decided once (memoized), ancestors included. Every test of
// a compound and every ancestor step takes one step of a per-message budget
// (CascadeLimits::match_steps); once it is spent, the elements still undecided are
// answered "not hidden by the sheets" and counted in capped().

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "html/selector.hpp"
#include "html/style_tree.hpp"
#include "html/stylesheet.hpp"

namespace pixelwarden::html {

struct CascadeLimits {
  std::uint64_t match_steps = 1000000;
};

enum class StyleHidden : unsigned char { no, self, ancestor };

class Cascade {
 public:
  Cascade(const StyleSheet& sheet, const StyleTree& tree, const CascadeLimits& limits = {});

  // Whether the sheets hide `element` itself, or else one of its ancestors.
  StyleHidden hidden(std::uint32_t element);
  // Elements the budget left undecided (answered "not hidden").
  std::size_t capped() const { return m_capped; }
  std::uint64_t steps_left() const { return m_budget.left; }

 private:
  using Key = std::pair<std::string_view, std::uint32_t>;
  enum State : unsigned char { unknown, visible, hides, undecided };
  State self(std::uint32_t e);
  State decide(std::uint32_t e);
  bool chain(std::uint32_t e);  // e or an ancestor hides
  void candidates(const std::vector<Key>& index, std::string_view key,
                  std::vector<std::uint32_t>& out) const;

  const StyleSheet& m_sheet;
  const StyleTree& m_tree;
  std::vector<Key> m_by_id, m_by_class, m_by_type;
  std::vector<std::uint32_t> m_universal;
  std::vector<std::uint32_t> m_candidates;
  std::vector<unsigned char> m_self;   // State per element
  std::vector<unsigned char> m_chain;  // 0 unknown, 1 visible, 2 hidden
  MatchBudget m_budget;
  std::size_t m_capped = 0;
};

}  // namespace pixelwarden::html

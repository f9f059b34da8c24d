#include "html/cascade.hpp"

#include <algorithm>

namespace pixelwarden::html {

namespace {

constexpr unsigned bit(FactProperty p) { return 1u << static_cast<unsigned>(p); }

// The facts of StyleFacts::hidden(), from one bit per property: the winning value hides.
bool facts_hide(unsigned v) {
  constexpr unsigned k_alone = bit(FactProperty::display) | bit(FactProperty::visibility) |
                               bit(FactProperty::opacity) | bit(FactProperty::width) |
                               bit(FactProperty::height) | bit(FactProperty::max_width) |
                               bit(FactProperty::max_height);
  if ((v & k_alone) != 0) return true;
  return (v & bit(FactProperty::position)) != 0 &&
         (v & (bit(FactProperty::left) | bit(FactProperty::top))) != 0;
}

// The winning sheet declaration of each property, for one importance.
struct Winners {
  std::uint64_t key[k_fact_property_count] = {};  // specificity << 32 | order + 1; 0: none
  unsigned set = 0, hides = 0;
  void offer(std::uint16_t set_bits, std::uint16_t hide_bits, std::uint64_t k) {
    for (unsigned p = 0; p < k_fact_property_count; ++p) {
      if ((set_bits & (1u << p)) == 0 || key[p] > k) continue;
      key[p] = k;
      set |= 1u << p;
      if ((hide_bits & (1u << p)) != 0)
        hides |= 1u << p;
      else
        hides &= ~(1u << p);
    }
  }
};

}  // namespace

Cascade::Cascade(const StyleSheet& sheet, const StyleTree& tree, const CascadeLimits& limits)
    : m_sheet(sheet), m_tree(tree), m_self(tree.size(), unknown), m_chain(tree.size(), 0) {
  m_budget.left = limits.match_steps;
  const std::vector<StyleRule>& rules = sheet.rules();
  for (std::uint32_t r = 0; r < rules.size(); ++r) {
    const Compound& subject = rules[r].selector.compounds.back();
    if (!subject.id.empty())
      m_by_id.emplace_back(subject.id, r);
    else if (!subject.classes.empty())
      m_by_class.emplace_back(subject.classes.front(), r);
    else if (!subject.type.empty())
      m_by_type.emplace_back(subject.type, r);
    else
      m_universal.push_back(r);
  }
  std::sort(m_by_id.begin(), m_by_id.end());
  std::sort(m_by_class.begin(), m_by_class.end());
  std::sort(m_by_type.begin(), m_by_type.end());
}

void Cascade::candidates(const std::vector<Key>& index, std::string_view key,
                         std::vector<std::uint32_t>& out) const {
  auto it = std::lower_bound(index.begin(), index.end(), Key{key, 0});
  for (; it != index.end() && it->first == key; ++it) out.push_back(it->second);
}

Cascade::State Cascade::decide(std::uint32_t e) {
  m_candidates.clear();
  if (!m_tree.id(e).empty()) candidates(m_by_id, m_tree.id(e), m_candidates);
  for (std::size_t c = 0; c < m_tree.class_count(e); ++c)
    candidates(m_by_class, m_tree.class_at(e, c), m_candidates);
  candidates(m_by_type, m_tree.name(e), m_candidates);
  m_candidates.insert(m_candidates.end(), m_universal.begin(), m_universal.end());

  // Two screens: one where no conditional rule (@media (max-width...)) applies, one where
  // all do. Hidden must hold on both: a conditional rule never hides on its own, and one
  // that shows (a desktop-hidden, mobile-shown image) keeps the element visible.
  const SelectorLimits& limits = m_sheet.limits().selector;
  Winners normal, important, normal_all, important_all;
  bool matched = false;
  for (std::uint32_t r : m_candidates) {
    const StyleRule& rule = m_sheet.rules()[r];
    if (!selector_matches(rule.selector, m_tree, e, m_budget, limits)) {
      if (m_budget.spent()) return undecided;
      continue;
    }
    matched = true;
    const std::uint64_t k = (std::uint64_t{rule.selector.specificity} << 32) | (rule.order + 1u);
    normal_all.offer(rule.decls.set, rule.decls.hides, k);
    important_all.offer(rule.decls.set_important, rule.decls.hides_important, k);
    if (rule.conditional) continue;
    normal.offer(rule.decls.set, rule.decls.hides, k);
    important.offer(rule.decls.set_important, rule.decls.hides_important, k);
  }
  // Without a matching rule the inline style alone decides, which scan() already did.
  if (!matched || (normal.set | important.set) == 0) return visible;
  DeclBits inline_bits;
  if (const std::string_view style = m_tree.style(e); !style.empty())
    inline_bits = parse_declarations(style);
  // Lowest to highest precedence, each layer replacing the properties it sets.
  auto cascaded = [&inline_bits](const Winners& n, const Winners& i) {
    unsigned v = n.hides;
    v = (v & ~unsigned{inline_bits.set}) | inline_bits.hides;
    v = (v & ~i.set) | i.hides;
    return (v & ~unsigned{inline_bits.set_important}) | inline_bits.hides_important;
  };
  return facts_hide(cascaded(normal, important)) && facts_hide(cascaded(normal_all, important_all))
             ? hides
             : visible;
}

Cascade::State Cascade::self(std::uint32_t e) {
  if (m_self[e] == unknown) {
    const State s = m_budget.spent() ? undecided : decide(e);
    if (s == undecided) ++m_capped;
    m_self[e] = s;
  }
  return static_cast<State>(m_self[e]);
}

bool Cascade::chain(std::uint32_t e) {
  // Walk up to the first element already known, then decide downwards: each element
  // is decided once however many descendants ask.
  std::vector<std::uint32_t> path;
  for (std::uint32_t x = e; x != k_no_element && m_chain[x] == 0; x = m_tree.parent(x))
    path.push_back(x);
  for (std::size_t i = path.size(); i-- > 0;) {
    const std::uint32_t x = path[i];
    const std::uint32_t p = m_tree.parent(x);
    const bool up = p != k_no_element && m_chain[p] == 2;
    m_chain[x] = (up || self(x) == hides) ? 2 : 1;
  }
  return m_chain[e] == 2;
}

StyleHidden Cascade::hidden(std::uint32_t e) {
  if (self(e) == hides) return StyleHidden::self;
  const std::uint32_t p = m_tree.parent(e);
  return p != k_no_element && chain(p) ? StyleHidden::ancestor : StyleHidden::no;
}

}  // namespace pixelwarden::html

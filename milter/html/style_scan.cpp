#include "html/style_scan.hpp"

#include <algorithm>

#include "html/cascade.hpp"

namespace pixelwarden::html {

void StyleScan::add_block(std::string_view css, const std::vector<Resource>& so_far,
                          ElementStack& open) {
  static_assert(ElementStack::k_no_id == k_no_element);
  m_sheet.add(css);
  if (!m_sheet.can_hide() || m_started) return;
  m_started = true;
  m_whole =
      std::none_of(so_far.begin(), so_far.end(), [](const Resource& r) { return r.in_attribute; });
  Tokenizer one(m_in);
  Token t;
  std::uint32_t parent = k_no_element;
  for (std::size_t i = 0; i < open.depth(); ++i) {
    one.restrict_to(open.tag_begin_at(i), m_in.size());
    std::uint32_t element = k_no_element;
    if (one.next(t) && t.kind == TokenKind::start_tag) element = parent = m_tree.add(t, parent);
    open.set_element_at(i, element);
  }
}

void StyleScan::replay(const std::vector<Resource>& resources) {
  m_tree.clear();
  std::size_t last = 0;
  for (const Resource& r : resources) {
    if (r.in_attribute && !r.invisible) last = std::max(last, r.tag_begin);
  }
  ElementStack stack;
  Tokenizer tok(m_in);
  Token t;
  while (tok.next(t) && t.begin <= last) {
    if (t.kind == TokenKind::end_tag) {
      stack.close(t.name);
    } else if (t.kind == TokenKind::start_tag) {
      stack.implicit_close(t.name);
      const std::uint32_t id = m_tree.add(t, stack.top_element());
      stack.push(t.name, false, t.self_closing || is_void_element(t.name), id);
    }
  }
}

std::size_t StyleScan::apply(std::vector<Resource>& resources) {
  std::size_t capped = m_sheet.capped();
  if (!m_sheet.can_hide()) return capped;
  if (!m_whole) replay(resources);
  // Element resources and tree elements are both in document order: one merge by start
  // tag offset. A resource of a tag inside raw text (the Scanner's shadow_scan) has no
  // element: skipped.
  Cascade cascade(m_sheet, m_tree);
  std::uint32_t e = 0;
  const auto n = static_cast<std::uint32_t>(m_tree.size());
  for (Resource& r : resources) {
    if (!r.in_attribute || r.invisible) continue;
    while (e < n && m_tree.tag_begin(e) < r.tag_begin) ++e;
    if (e == n) break;
    if (m_tree.tag_begin(e) != r.tag_begin) continue;
    const StyleHidden h = cascade.hidden(e);
    if (h == StyleHidden::no) continue;
    r.invisible = true;
    r.ancestor_hidden |= h == StyleHidden::ancestor;
  }
  return capped + cascade.capped() + m_tree.classes_dropped();
}

}  // namespace pixelwarden::html

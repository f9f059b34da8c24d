#include "html/style_tree.hpp"

#include <algorithm>
#include <cstring>

#include "base/text.hpp"
#include "html/entities.hpp"

namespace pixelwarden::html {

namespace {
bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}
}  // namespace

// A value that is plain (and lowercase when asked) stays a view into the input; only
// the others are decoded into the arena, so most tags copy nothing.
StyleTree::Span StyleTree::value(const Attribute* a, bool lower) {
  if (a == nullptr) return {};
  std::string_view raw = m_in.substr(a->value_begin, a->value_end - a->value_begin);
  if (attribute_is_plain(raw) && (!lower || !has_upper(raw))) {
    return {static_cast<std::uint32_t>(a->value_begin), static_cast<std::uint32_t>(raw.size()),
            false};
  }
  decode_attribute(raw, m_scratch);
  if (lower) {
    for (char& c : m_scratch) c = base::ascii_lower(c);
  }
  Span s{static_cast<std::uint32_t>(m_arena.size()), static_cast<std::uint32_t>(m_scratch.size()),
         true};
  m_arena += m_scratch;
  return s;
}

std::uint32_t StyleTree::add(const Token& tag, std::uint32_t parent) {
  Element e;
  e.parent = parent;
  e.tag_begin = static_cast<std::uint32_t>(tag.begin);
  std::string_view n = tag.name.substr(0, sizeof(e.name));
  std::memcpy(e.name, n.data(), n.size());
  e.name_len = static_cast<unsigned char>(n.size());
  // One walk over the attributes instead of three find() calls: this runs for every tag.
  const Attribute *id = nullptr, *cls = nullptr, *style = nullptr;
  if (tag.attributes != nullptr) {
    for (const Attribute& a : *tag.attributes) {
      if (a.duplicate) continue;
      if (a.name == "id")
        id = id != nullptr ? id : &a;
      else if (a.name == "class")
        cls = cls != nullptr ? cls : &a;
      else if (a.name == "style")
        style = style != nullptr ? style : &a;
    }
  }
  e.id = value(id, true);
  e.style = value(style, false);
  e.class_first = static_cast<std::uint32_t>(m_classes.size());
  const Span all = value(cls, true);
  const std::string_view list = text(all);
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && base::is_ascii_space(list[i])) ++i;
    std::size_t end = i;
    while (end < list.size() && !base::is_ascii_space(list[end])) ++end;
    if (end == i) break;
    const std::string_view c = list.substr(i, end - i);
    bool seen = false;
    for (std::size_t k = e.class_first; k < m_classes.size() && !seen; ++k)
      seen = text(m_classes[k]) == c;
    if (!seen) {
      if (e.class_count < k_max_classes) {
        m_classes.push_back({all.begin + static_cast<std::uint32_t>(i),
                             static_cast<std::uint32_t>(c.size()), all.arena});
        ++e.class_count;
      } else {
        ++m_classes_dropped;
      }
    }
    i = end;
  }
  m_elements.push_back(e);
  return static_cast<std::uint32_t>(m_elements.size() - 1);
}

bool StyleTree::has_class(std::uint32_t e, std::string_view lower) const {
  const Element& el = m_elements[e];
  for (std::size_t k = 0; k < el.class_count; ++k) {
    if (text(m_classes[el.class_first + k]) == lower) return true;
  }
  return false;
}

void StyleTree::clear() {
  m_arena.clear();
  m_elements.clear();
  m_classes.clear();
  m_classes_dropped = 0;
}

}  // namespace pixelwarden::html

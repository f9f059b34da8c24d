#pragma once
// The elements a <style> sheet can select, for the invisibility heuristic's cascade
// (cascade.hpp): each start tag's name, id, classes and inline style, and its parent
// (the open element it was pushed under, as ElementStack sees it). Not a DOM: no text,
// no other attributes, no children lists.
// Conventions: elements are numbered in document order; values are decoded attribute
// text; id and classes are ASCII-lowercased (selectors match them case-insensitively,
// as quirks mode does: most mail has no doctype). Views stay valid while the tree and
// the input live and no element is added. An element keeps its first 32 distinct
// classes (k_max_classes); the rest are counted in classes_dropped().

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "html/tokenizer.hpp"

namespace pixelwarden::html {

inline constexpr std::uint32_t k_no_element = 0xffffffffu;

class StyleTree {
 public:
  static constexpr std::size_t k_max_classes = 32;

  explicit StyleTree(std::string_view input) : m_in(input) {}

  // Records a start tag of `input` (tokenized from the same buffer) under `parent`.
  std::uint32_t add(const Token& tag, std::uint32_t parent);
  void clear();

  std::size_t size() const { return m_elements.size(); }
  std::uint32_t parent(std::uint32_t e) const { return m_elements[e].parent; }
  std::uint32_t tag_begin(std::uint32_t e) const { return m_elements[e].tag_begin; }
  std::string_view name(std::uint32_t e) const {
    return {m_elements[e].name, m_elements[e].name_len};
  }
  std::string_view id(std::uint32_t e) const { return text(m_elements[e].id); }
  std::string_view style(std::uint32_t e) const { return text(m_elements[e].style); }
  std::size_t class_count(std::uint32_t e) const { return m_elements[e].class_count; }
  std::string_view class_at(std::uint32_t e, std::size_t i) const {
    return text(m_classes[m_elements[e].class_first + i]);
  }
  bool has_class(std::uint32_t e, std::string_view lower) const;
  std::size_t classes_dropped() const { return m_classes_dropped; }

 private:
  struct Span {
    std::uint32_t begin = 0, size = 0;
    bool arena = false;  // in m_arena, else in the input
  };
  struct Element {
    std::uint32_t parent = k_no_element;
    std::uint32_t tag_begin = 0;
    std::uint32_t class_first = 0;
    unsigned char class_count = 0;
    unsigned char name_len = 0;
    char name[15] = {};  // truncated, as ElementStack stores names
    Span id, style;
  };
  std::string_view text(Span s) const {
    return s.arena ? std::string_view(m_arena).substr(s.begin, s.size)
                   : m_in.substr(s.begin, s.size);
  }
  Span value(const Attribute* a, bool lower);

  std::string_view m_in;
  std::string m_arena;
  std::string m_scratch;
  std::vector<Element> m_elements;
  std::vector<Span> m_classes;
  std::size_t m_classes_dropped = 0;
};

}  // namespace pixelwarden::html

#pragma once
// The <style> part of scan()'s invisibility heuristic (resource.hpp), internal to html/:
// what the Scanner hands over while it reads a part, and the answer at its end.
//   add_block()  each <style> block's text, as it comes (StyleSheet)
//   record()     each start tag, once a block that can hide was seen (StyleTree)
//   apply()      at the end: marks the element resources still visible that the
//                sheets hide, or hide an ancestor of (Cascade)
// The tree is recorded during the scan from the first block that can hide on; the
// elements open at that point are numbered from their start tags (elements closed
// before it cannot be the ancestor of anything after it). When that block came after
// an element resource, apply() builds the tree again by a second tokenizer pass that
// mirrors the Scanner's element stack, up to the last resource that needs it.
// Offsets: the part's input buffer, which must outlive this object.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "html/element_stack.hpp"
#include "html/resource.hpp"
#include "html/style_tree.hpp"
#include "html/stylesheet.hpp"
#include "html/tokenizer.hpp"

namespace pixelwarden::html {

class StyleScan {
 public:
  explicit StyleScan(std::string_view input) : m_in(input), m_tree(input) {}

  // A <style> block's text; `so_far`: the resources found before it; `open`: the
  // Scanner's stack, whose open elements get their StyleTree numbers when recording starts.
  void add_block(std::string_view css, const std::vector<Resource>& so_far, ElementStack& open);
  // The StyleTree number of a start tag pushed under `parent`; k_no_element while not recording.
  std::uint32_t record(const Token& tag, std::uint32_t parent) {
    return m_started ? m_tree.add(tag, parent) : k_no_element;
  }
  // Sets invisible (and ancestor_hidden) on the element resources the sheets hide;
  // returns what the bounds left out (ScanResult::style_capped).
  std::size_t apply(std::vector<Resource>& resources);

 private:
  void replay(const std::vector<Resource>& resources);

  std::string_view m_in;
  StyleSheet m_sheet;
  StyleTree m_tree;
  bool m_started = false;
  bool m_whole = false;  // recording started before any element resource
};

}  // namespace pixelwarden::html

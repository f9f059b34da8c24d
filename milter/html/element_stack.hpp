#pragma once
// The stack of open elements the invisibility heuristic needs ("an open ancestor was
// hidden"), internal to html/. Not a tree builder: it knows only the implicit end
// tags that matter in mail layouts (td/th, tr, li, option, dt/dd, p before a block),
// and an end tag closes the nearest open element of that name. Fixed-size entries,
// bounded depth: no allocation per tag after the first few.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace pixelwarden::html {

class ElementStack {
 public:
  ElementStack();
  // Call before reading hidden() for a new start tag: closes what it implicitly ends.
  void implicit_close(std::string_view lower_name);
  // `element`: the caller's number for it (the StyleTree element), read back by
  // top_element(); `tag_begin`: where its start tag is, for numbering it later.
  void push(std::string_view lower_name, bool hidden, bool is_void, std::uint32_t element = k_no_id,
            std::size_t tag_begin = 0);
  // The innermost open element's number, k_no_id when none is open (or it has none).
  std::uint32_t top_element() const { return m_open.empty() ? k_no_id : m_open.back().element; }
  // The open elements from the outermost (0) to depth() - 1.
  std::size_t tag_begin_at(std::size_t i) const { return m_open[i].tag_begin; }
  void set_element_at(std::size_t i, std::uint32_t element) { m_open[i].element = element; }
  static constexpr std::uint32_t k_no_id = 0xffffffffu;
  void close(std::string_view lower_name);
  bool hidden() const { return m_hidden > 0; }
  std::size_t depth() const { return m_open.size(); }

 private:
  struct Entry {
    char name[15];
    unsigned char len;
    bool hidden;
    std::uint32_t element;
    std::uint32_t tag_begin;
  };
  static constexpr std::size_t k_max_depth = 1024;
  bool is(const Entry& e, std::string_view name) const;
  // Index of the nearest open `name` above any of `boundaries`, or npos.
  std::size_t find(std::string_view name, std::initializer_list<std::string_view> boundaries) const;
  void pop_to(std::size_t index);

  std::vector<Entry> m_open;
  int m_hidden = 0;
};

}  // namespace pixelwarden::html

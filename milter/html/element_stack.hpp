#pragma once
// The stack of open elements the invisibility heuristic needs ("an open ancestor was
// hidden"), internal to html/. Not a tree builder: it knows only the implicit end
// tags that matter in mail layouts (td/th, tr, li, option, dt/dd, p before a block),
// and an end tag closes the nearest open element of that name. Fixed-size entries,
// bounded depth: no allocation per tag after the first few.

#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace pixelwarden::html {

class ElementStack {
 public:
  ElementStack();
  // Call before reading hidden() for a new start tag: closes what it implicitly ends.
  void implicit_close(std::string_view lower_name);
  void push(std::string_view lower_name, bool hidden, bool is_void);
  void close(std::string_view lower_name);
  bool hidden() const { return m_hidden > 0; }
  std::size_t depth() const { return m_open.size(); }

 private:
  struct Entry {
    char name[15];
    unsigned char len;
    bool hidden;
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

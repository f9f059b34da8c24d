#pragma once
// The stack of open elements the invisibility heuristic needs ("an open ancestor was
// hidden"), internal to html/. Not a tree builder: it knows only the implicit end
// tags that matter in mail layouts (td/th, tr, li, option, dt/dd, p before a block),
// and an end tag closes the nearest open element of that name. Fixed-size entries,
// bounded depth: no allocation per tag after the first few.
//
// Whether an element with a style attribute hides what it holds is decided only when a
// resource inside it asks (push_deferred, hidden_below): most styled elements of a
// newsletter hold none, and their declarations are never parsed.

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
  // An element not hidden by its other attributes, whose style attribute value is at
  // [style_begin, style_end) of the scanned text: hidden_below() asks its caller about
  // it when it must know.
  void push_deferred(std::string_view lower_name, std::size_t style_begin, std::size_t style_end,
                     bool is_void, std::uint32_t element = k_no_id, std::size_t tag_begin = 0);
  // The innermost open element's number, k_no_id when none is open (or it has none).
  std::uint32_t top_element() const { return m_open.empty() ? k_no_id : m_open.back().element; }
  // The open elements from the outermost (0) to depth() - 1.
  std::size_t tag_begin_at(std::size_t i) const { return m_open[i].tag_begin; }
  void set_element_at(std::size_t i, std::uint32_t element) { m_open[i].element = element; }
  static constexpr std::uint32_t k_no_id = 0xffffffffu;
  void close(std::string_view lower_name);
  // Whether one of the `depth` outermost open elements is hidden. `style_hides(begin,
  // end)` decides a deferred element (once: the answer is kept), outermost first, and
  // only until one hides. Amortized constant time per element pushed.
  template <class StyleHides> bool hidden_below(std::size_t depth, StyleHides&& style_hides);
  // hidden_below(depth(), ...).
  template <class StyleHides> bool hidden(StyleHides&& style_hides) {
    return hidden_below(m_open.size(), style_hides);
  }
  std::size_t depth() const { return m_open.size(); }

 private:
  enum class Seen : unsigned char { shown, hidden, deferred };
  struct Entry {
    char name[15];
    unsigned char len;
    Seen seen;
    std::uint32_t element;
    std::uint32_t tag_begin;
    std::uint32_t style_begin, style_end;  // a deferred element's style attribute value
  };
  static constexpr std::size_t k_max_depth = 1024;
  static constexpr std::size_t k_none = static_cast<std::size_t>(-1);
  bool is(const Entry& e, std::string_view name) const;
  // Index of the nearest open `name` above any of `boundaries`, or npos.
  std::size_t find(std::string_view name, std::initializer_list<std::string_view> boundaries) const;
  void pop_to(std::size_t index);
  void push_entry(std::string_view lower_name, Seen seen, std::uint32_t element,
                  std::size_t tag_begin, std::size_t style_begin, std::size_t style_end);

  std::vector<Entry> m_open;
  // The lowest index of a hidden entry and of a deferred one, k_none when there is none.
  // Entries are only decided upwards and removed from the top, so each entry is passed
  // over at most once while it is open.
  std::size_t m_first_hidden = k_none;
  std::size_t m_first_deferred = k_none;
};

template <class StyleHides>
bool ElementStack::hidden_below(std::size_t depth, StyleHides&& style_hides) {
  while (m_first_hidden == k_none || m_first_hidden >= depth) {
    if (m_first_deferred == k_none || m_first_deferred >= depth) return false;
    Entry& e = m_open[m_first_deferred];
    const bool hides = style_hides(std::size_t{e.style_begin}, std::size_t{e.style_end});
    e.seen = hides ? Seen::hidden : Seen::shown;
    if (hides && (m_first_hidden == k_none || m_first_deferred < m_first_hidden)) {
      m_first_hidden = m_first_deferred;
    }
    std::size_t next = m_first_deferred + 1;
    while (next < m_open.size() && m_open[next].seen != Seen::deferred) ++next;
    m_first_deferred = next < m_open.size() ? next : k_none;
  }
  return true;
}

}  // namespace pixelwarden::html

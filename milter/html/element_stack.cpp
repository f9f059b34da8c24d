#include "html/element_stack.hpp"

#include <algorithm>
#include <cstring>

#include "base/text.hpp"

namespace pixelwarden::html {

namespace {
constexpr std::size_t k_npos = static_cast<std::size_t>(-1);

// Start tags that close an open <p> (address, article, ... ul), by length: this runs
// for every start tag.
bool closes_p(std::string_view n) {
  using base::same_name;
  switch (n.size()) {
    case 1:
      return n[0] == 'p';
    case 2:
      if (n[0] == 'h') return (n[1] >= '1' && n[1] <= '6') || n[1] == 'r';
      return same_name(n, "dl") || same_name(n, "ol") || same_name(n, "ul");
    case 3:
      return same_name(n, "div") || same_name(n, "nav") || same_name(n, "pre");
    case 4:
      return same_name(n, "form") || same_name(n, "main");
    case 5:
      return same_name(n, "aside") || same_name(n, "table");
    case 6:
      return same_name(n, "center") || same_name(n, "figure") || same_name(n, "footer") ||
             same_name(n, "header");
    case 7:
      return same_name(n, "address") || same_name(n, "article") || same_name(n, "details") ||
             same_name(n, "section");
    case 8:
      return same_name(n, "fieldset");
    case 10:
      return same_name(n, "blockquote");
    default:
      return false;
  }
}
}  // namespace

ElementStack::ElementStack() { m_open.reserve(64); }

bool ElementStack::is(const Entry& e, std::string_view name) const {
  std::string_view n = name.substr(0, sizeof(e.name));
  return base::same_name(std::string_view(e.name, e.len), n);
}

std::size_t ElementStack::find(std::string_view name,
                               std::initializer_list<std::string_view> boundaries) const {
  for (std::size_t i = m_open.size(); i-- > 0;) {
    if (is(m_open[i], name)) return i;
    for (std::string_view b : boundaries) {
      if (is(m_open[i], b)) return k_npos;
    }
  }
  return k_npos;
}

void ElementStack::pop_to(std::size_t index) {
  if (index >= m_open.size()) return;
  m_open.resize(index);
  if (m_first_hidden != k_none && m_first_hidden >= index) m_first_hidden = k_none;
  if (m_first_deferred != k_none && m_first_deferred >= index) m_first_deferred = k_none;
}

void ElementStack::implicit_close(std::string_view n) {
  std::size_t i = k_npos;
  if (n == "td" || n == "th") {
    i = find("td", {"table", "tr"});
    if (i == k_npos) i = find("th", {"table", "tr"});
  } else if (n == "tr") {
    i = find("tr", {"table"});
  } else if (n == "li") {
    i = find("li", {"ul", "ol"});
  } else if (n == "option") {
    i = find("option", {"select"});
  } else if (n == "dt" || n == "dd") {
    i = find("dd", {"dl"});
    if (i == k_npos) i = find("dt", {"dl"});
  } else if (closes_p(n)) {
    i = find("p", {"td", "th", "table", "button", "html"});
  }
  if (i != k_npos) pop_to(i);
}

void ElementStack::push(std::string_view n, bool hidden, bool is_void, std::uint32_t element,
                        std::size_t tag_begin) {
  if (is_void) return;
  push_entry(n, hidden ? Seen::hidden : Seen::shown, element, tag_begin, 0, 0);
}

void ElementStack::push_deferred(std::string_view n, std::size_t style_begin, std::size_t style_end,
                                 bool is_void, std::uint32_t element, std::size_t tag_begin) {
  if (is_void) return;
  push_entry(n, Seen::deferred, element, tag_begin, style_begin, style_end);
}

void ElementStack::push_entry(std::string_view n, Seen seen, std::uint32_t element,
                              std::size_t tag_begin, std::size_t style_begin,
                              std::size_t style_end) {
  if (m_open.size() >= k_max_depth) return;
  Entry e{};
  std::string_view stored = n.substr(0, sizeof(e.name));
  std::memcpy(e.name, stored.data(), stored.size());
  e.len = static_cast<unsigned char>(stored.size());
  e.seen = seen;
  e.element = element;
  e.tag_begin = static_cast<std::uint32_t>(tag_begin);
  e.style_begin = static_cast<std::uint32_t>(style_begin);
  e.style_end = static_cast<std::uint32_t>(style_end);
  if (seen == Seen::hidden && m_first_hidden == k_none) m_first_hidden = m_open.size();
  if (seen == Seen::deferred && m_first_deferred == k_none) m_first_deferred = m_open.size();
  m_open.push_back(e);
}

void ElementStack::close(std::string_view n) {
  std::size_t i = find(n, {});
  if (i != k_npos) pop_to(i);
}

}  // namespace pixelwarden::html

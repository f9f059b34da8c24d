#include "html/element_stack.hpp"

#include <algorithm>
#include <cstring>

namespace pixelwarden::html {

namespace {
constexpr std::size_t k_npos = static_cast<std::size_t>(-1);

bool closes_p(std::string_view n) {
  static constexpr std::string_view k_blocks[] = {
      "address", "article",  "aside",  "blockquote", "center",  "details", "div",
      "dl",      "fieldset", "figure", "footer",     "form",    "h1",      "h2",
      "h3",      "h4",       "h5",     "h6",         "header",  "hr",      "main",
      "nav",     "ol",       "p",      "pre",        "section", "table",   "ul"};
  return std::find(std::begin(k_blocks), std::end(k_blocks), n) != std::end(k_blocks);
}
}  // namespace

ElementStack::ElementStack() { m_open.reserve(64); }

bool ElementStack::is(const Entry& e, std::string_view name) const {
  std::string_view n = name.substr(0, sizeof(e.name));
  return e.len == n.size() && std::memcmp(e.name, n.data(), n.size()) == 0;
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
  while (m_open.size() > index) {
    if (m_open.back().hidden) --m_hidden;
    m_open.pop_back();
  }
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
  if (is_void || m_open.size() >= k_max_depth) return;
  Entry e{};
  std::string_view stored = n.substr(0, sizeof(e.name));
  std::memcpy(e.name, stored.data(), stored.size());
  e.len = static_cast<unsigned char>(stored.size());
  e.hidden = hidden;
  e.element = element;
  e.tag_begin = static_cast<std::uint32_t>(tag_begin);
  if (hidden) ++m_hidden;
  m_open.push_back(e);
}

void ElementStack::close(std::string_view n) {
  std::size_t i = find(n, {});
  if (i != k_npos) pop_to(i);
}

}  // namespace pixelwarden::html

#include "cli/scan_mbox.hpp"

#include <algorithm>
#include <cstring>

namespace pixelwarden::cli {
namespace {

// Lines longer than this are classified on their first bytes and then streamed through,
// so a message without line breaks cannot grow the line buffer without bound.
constexpr std::size_t k_max_line = 64 * 1024;

bool is_blank(std::string_view line) { return line == "\n" || line == "\r\n"; }

bool starts_from(std::string_view line) { return line.substr(0, 5) == "From "; }

// ^>+From : the mboxrd escape of a body line.
bool is_escaped_from(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return i > 0 && starts_from(line.substr(i));
}

std::string_view without_eol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

MboxSplitter::MboxSplitter(std::size_t max_message_bytes, std::uint64_t start_offset,
                           std::uint64_t stop_at)
    : m_cap(max_message_bytes), m_offset(start_offset), m_stop_at(stop_at) {}

bool MboxSplitter::feed(std::string_view chunk, std::vector<MboxMessage>& out) {
  std::size_t pos = 0;
  while (pos < chunk.size() && m_error.empty() && !m_stopped) {
    const void* nl = std::memchr(chunk.data() + pos, '\n', chunk.size() - pos);
    const std::size_t end =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - chunk.data()) + 1
                      : chunk.size();
    const std::string_view piece = chunk.substr(pos, end - pos);
    pos = end;
    if (m_long_line) {  // the rest of an over-long line, already classified
      if (m_long_line_kept) append(piece);
      m_current.stored_bytes += piece.size();
      m_offset += piece.size();
      if (nl != nullptr) m_long_line = false;
      continue;
    }
    if (nl == nullptr) {
      m_line.append(piece);
      if (m_line.size() > k_max_line) {
        // Decided on its first k_max_line bytes, as a whole line is (take_line), wherever
        // the chunks happen to end; the rest is streamed through.
        const std::string_view line(m_line);
        const bool separator = take_line(line.substr(0, k_max_line), out);
        m_long_line = true;
        m_long_line_kept = !separator;
        if (m_error.empty() && !m_stopped) {
          const std::string_view rest = line.substr(k_max_line);
          if (m_long_line_kept) append(rest);
          m_current.stored_bytes += rest.size();
          m_offset += rest.size();
        }
        m_line.clear();
      }
      continue;
    }
    if (m_line.empty()) {
      take_line(piece, out);
    } else {
      m_line.append(piece);
      take_line(m_line, out);
      m_line.clear();
    }
  }
  return m_error.empty() && !m_stopped;
}

bool MboxSplitter::finish(std::vector<MboxMessage>& out) {
  if (!m_line.empty() && m_error.empty()) take_line(m_line, out);
  m_line.clear();
  if (m_error.empty()) end_message(out);
  return m_error.empty();
}

void MboxSplitter::end_message(std::vector<MboxMessage>& out) {
  if (!m_in_message) return;
  // The pending empty line, if any, was counted in stored_bytes when taken, and is
  // dropped: it is the mbox's (before a separator or at the end), not the message's.
  m_pending_blank.clear();
  out.push_back(std::move(m_current));
  m_current = MboxMessage{};
  m_in_message = false;
}

bool MboxSplitter::take_line(std::string_view line, std::vector<MboxMessage>& out) {
  // A line is classified on its first k_max_line bytes only, so that an over-long one is
  // decided the same whether it came whole or in pieces (feed).
  const std::string_view head = line.substr(0, k_max_line);
  const bool blank = is_blank(line);
  const bool separator = starts_from(head) && (m_first || m_prev_blank);
  if (separator && !m_first && m_offset >= m_stop_at) {  // the next part's first message
    end_message(out);
    m_stopped = true;
    return true;
  }
  m_first = false;
  if (separator) {
    start_message(head, out);
  } else if (!m_in_message) {
    m_error = "not an mbox file: it does not start with a \"From \" line";
    return false;
  } else {
    if (!m_pending_blank.empty()) {
      append(m_pending_blank);
      m_pending_blank.clear();
    }
    if (blank) {
      m_pending_blank.assign(line);
    } else if (line[0] == '>' && is_escaped_from(head)) {
      append(line.substr(1));
    } else {
      append(line);
    }
  }
  m_current.stored_bytes += line.size();
  m_prev_blank = blank;
  m_offset += line.size();
  return separator;
}

void MboxSplitter::start_message(std::string_view from_line, std::vector<MboxMessage>& out) {
  end_message(out);
  m_current.offset = m_offset;
  m_current.from_line.assign(without_eol(from_line));
  m_in_message = true;
}

void MboxSplitter::append(std::string_view bytes) {
  std::string& b = m_current.bytes;
  if (b.size() + bytes.size() > m_cap) {
    m_current.truncated = true;
    bytes = bytes.substr(0, m_cap - b.size());
  }
  b.append(bytes);
}

std::size_t find_separator(std::string_view window, std::uint64_t window_offset, std::size_t from) {
  // The byte at stream offset window_offset + i, or '\n' before the stream's start (so
  // the first line of the stream counts as following an empty line).
  const auto at = [&](std::size_t i, std::size_t back) -> char {
    if (i >= back) return window[i - back];
    return window_offset + i < back ? '\n' : '\0';
  };
  if (window_offset == 0 && from == 0 && starts_from(window)) return 0;
  std::size_t q = from == 0 ? 0 : from - 1;  // where the '\n' before a separator may be
  for (;;) {
    q = window.find("\nFrom ", q);
    if (q == std::string_view::npos) return q;
    // The line before the separator ends at q; it is empty when it is "\n" or "\r\n".
    if (at(q, 1) == '\n' || (at(q, 1) == '\r' && at(q, 2) == '\n')) return q + 1;
    ++q;
  }
}

std::optional<std::uint64_t> first_separator(std::uint64_t lo, std::uint64_t hi,
                                             std::string& window, const ReadAt& read_at) {
  // Each window starts 3 bytes before the first place a separator may start in it, and
  // the next one 8 bytes before its end: a separator is seen whole, with the 3 bytes
  // before it, in one window.
  constexpr std::size_t k_back = 3;
  constexpr std::size_t k_overlap = 8;
  if (window.size() < 2 * k_overlap) window.resize(2 * k_overlap);
  std::uint64_t w = lo >= k_back ? lo - k_back : 0;
  auto from = static_cast<std::size_t>(lo - w);
  for (;;) {
    const std::int64_t n = read_at(w, window.data(), window.size());
    if (n < 0) return std::nullopt;
    const std::string_view bytes(window.data(), static_cast<std::size_t>(n));
    const std::size_t p = find_separator(bytes, w, from);
    if (p != std::string_view::npos) return std::min(w + p, hi);
    // The next window would find separators from w + n - 5 on.
    if (bytes.size() < window.size() || w + bytes.size() - 5 >= hi) return hi;
    w += bytes.size() - k_overlap;
    from = k_back;
  }
}

}  // namespace pixelwarden::cli

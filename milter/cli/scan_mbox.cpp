#include "cli/scan_mbox.hpp"

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

MboxSplitter::MboxSplitter(std::size_t max_message_bytes) : m_cap(max_message_bytes) {}

bool MboxSplitter::feed(std::string_view chunk, std::vector<MboxMessage>& out) {
  std::size_t pos = 0;
  while (pos < chunk.size() && m_error.empty()) {
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
        const bool separator = take_line(m_line, out);
        m_long_line = true;
        m_long_line_kept = !separator;
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
  return m_error.empty();
}

bool MboxSplitter::finish(std::vector<MboxMessage>& out) {
  if (!m_line.empty() && m_error.empty()) take_line(m_line, out);
  m_line.clear();
  if (m_error.empty() && m_in_message) {
    m_pending_blank.clear();  // the mbox's final empty line (counted, not kept)
    out.push_back(std::move(m_current));
    m_current = MboxMessage{};
    m_in_message = false;
  }
  return m_error.empty();
}

bool MboxSplitter::take_line(std::string_view line, std::vector<MboxMessage>& out) {
  const bool blank = is_blank(line);
  const bool separator = starts_from(line) && (m_offset == 0 || m_prev_blank);
  if (separator) {
    start_message(line, out);
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
    } else if (line[0] == '>' && is_escaped_from(line)) {
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
  // The pending empty line, if any, was counted in stored_bytes when taken, and is
  // dropped: it is the mbox's, not the message's.
  if (m_in_message) out.push_back(std::move(m_current));
  m_pending_blank.clear();
  m_current = MboxMessage{};
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

}  // namespace pixelwarden::cli

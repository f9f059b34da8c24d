#pragma once
// Frames one large JSON document read from a stream: the elements of the arrays under
// one top-level key (a STIX bundle's "objects") come out one at a time as byte ranges,
// and everything else (the "skeleton", each framed element replaced by `0`) is kept for
// a parser to validate at the end. A JSON library parses every byte in the end (each
// element and the skeleton); this layer only finds where elements start and stop, so
// that a bundle of a million objects is never held, or parsed, as one tree.
// Framing knows strings and their escapes and counts brackets; anything it cannot frame
// (unbalanced brackets, an unterminated string, a skeleton larger than its cap, a top
// level that is not an object) is an error with its byte offset.
// Non-goals: validating JSON (the parser does), keys below the top level.

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::intel {

class JsonFrames {
 public:
  static constexpr std::size_t k_max_skeleton = 16u << 20;  // bytes outside the framed array

  JsonFrames(std::istream& in, std::string array_key);

  // The next element of the framed array; the view stays valid until the next call.
  // Returns false at the end of the input or on a framing error (see error()).
  bool next(std::string_view& element);

  // Offset of the first byte of the element last returned by next().
  std::size_t element_offset() const { return m_element_offset; }

  // After next() returned false without an error: the document with every framed element
  // replaced by `0`.
  const std::string& skeleton() const { return m_skeleton; }

  const std::optional<std::string>& error() const { return m_error; }

 private:
  bool fill();
  void fail(std::string message);
  bool end_of_input();

  std::istream& m_in;
  std::string m_key;
  std::vector<char> m_buf;
  std::size_t m_len = 0;
  std::size_t m_at = 0;
  std::size_t m_offset = 0;  // input offset of m_buf[0]

  std::string m_skeleton;
  std::string m_element;
  std::size_t m_element_offset = 0;
  std::optional<std::string> m_error;

  // Scanner state, outside and inside elements alike.
  int m_depth = 0;  // open objects/arrays
  bool m_in_string = false;
  bool m_escape = false;
  bool m_started = false;      // the first significant byte was seen
  bool m_in_target = false;    // inside a framed array (depth 2)
  bool m_key_pending = false;  // a string just closed at depth 1 (a key candidate)
  std::string m_last_string;   // that string, while it is short enough to be our key
  std::string m_current_key;   // the key whose value follows at depth 1
  bool m_in_element = false;
  bool m_scalar = false;  // the element is a number, literal or string
};

}  // namespace pixelwarden::intel

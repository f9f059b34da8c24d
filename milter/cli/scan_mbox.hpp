#pragma once
// Splitting an mbox stream into messages, fed in chunks of any size (a buffered reader
// over a plain or gzip file feeds it; memory stays bounded by one message plus one
// line, never the mailbox).
//
// Separation (mboxo/mboxrd): a line starting with "From " separates messages when it is
// the first line of the stream or follows an empty line. The one empty line before a
// separator (and at the end of the stream) belongs to the mbox, not to the message.
// Unescaping (mboxrd): one '>' is removed from every line matching ^>+From .
// The ambiguity this leaves, by design: an mboxo writer does not escape a body line
// "From " that follows an empty line, and no reader can tell it from a separator, so it
// starts a new message; mboxrd writers escape it as ">From " and then it is body text.
// Applying the mboxrd rule to an mboxo file turns an original ">From " into "From ",
// which changes no match the engine can make.
//
// Offsets: MboxMessage::offset is the byte offset of the message's "From " line in the
// (uncompressed) stream; bytes excludes that line and is unescaped.
// Non-goals: Content-Length based mboxcl/mboxcl2 splitting (the Content-Length header
// is not trusted; the From_ rule above is what mutt and Dovecot write with).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::cli {

struct MboxMessage {
  std::uint64_t offset = 0;        // of the "From " line in the uncompressed stream
  std::string from_line;           // the separator line, without its line ending
  std::string bytes;               // the message; at most the splitter's cap
  std::uint64_t stored_bytes = 0;  // size in the mbox, "From " line included
  bool truncated = false;          // longer than the cap: bytes holds its first cap bytes
};

class MboxSplitter {
 public:
  // max_message_bytes: cap on the bytes kept of one message (the rest is counted only).
  explicit MboxSplitter(std::size_t max_message_bytes);

  // Feeds the next chunk; appends every message completed by it to out. Returns false
  // once the stream is known not to be an mbox (it does not start with "From ").
  bool feed(std::string_view chunk, std::vector<MboxMessage>& out);
  // End of stream: appends the last message. Returns false when not an mbox.
  bool finish(std::vector<MboxMessage>& out);

  const std::string& error() const { return m_error; }
  std::uint64_t consumed() const { return m_offset; }

 private:
  // Returns true when the line was a separator.
  bool take_line(std::string_view line, std::vector<MboxMessage>& out);
  void start_message(std::string_view from_line, std::vector<MboxMessage>& out);
  void append(std::string_view bytes);

  std::size_t m_cap;
  std::uint64_t m_offset = 0;     // stream offset of the next line to take
  std::string m_line;             // a line split across chunks
  bool m_long_line = false;       // inside a line longer than k_max_line, already classified
  bool m_long_line_kept = false;  // ... whose bytes go to the message
  bool m_prev_blank = false;
  bool m_in_message = false;
  std::string m_pending_blank;  // an empty line that may be the separator's
  MboxMessage m_current;
  std::string m_error;
};

}  // namespace pixelwarden::cli

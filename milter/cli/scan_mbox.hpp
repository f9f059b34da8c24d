#pragma once
// Splitting an mbox stream into messages, fed in chunks of any size (a buffered reader
// over a plain or gzip file feeds it; memory stays bounded by one message plus one
// line, never the mailbox).
//
// Separation (mboxo/mboxrd): a line starting with "From " separates messages when it is
// the first line of the stream or follows an empty line. The one empty line before a
// separator (and at the end of the stream) belongs to the mbox, not to the message.
// Unescaping (mboxrd): one '>' is removed from every line matching ^>+From .
// Lines are classified on their first 64 KiB, however they are chunked: a longer line is
// streamed through, never held whole.
// The ambiguity this leaves, by design: an mboxo writer does not escape a body line
// "From " that follows an empty line, and no reader can tell it from a separator, so it
// starts a new message; mboxrd writers escape it as ">From " and then it is body text.
// Applying the mboxrd rule to an mboxo file turns an original ">From " into "From ",
// which changes no match the engine can make.
//
// Offsets: MboxMessage::offset is the byte offset of the message's "From " line in the
// (uncompressed) stream; bytes excludes that line and is unescaped.
//
// Segments: since a separator is decided by its line and the line before it alone, a
// plain mbox can be cut at byte offsets and its parts split by several threads. The part
// of [lo, hi) holds the messages whose separators start in [lo, hi): find_separator()
// finds the first, and a splitter started there with stop_at = hi ends before the first
// separator at or after hi. The parts of consecutive ranges, concatenated, are exactly
// what one splitter makes of the whole stream.
// Non-goals: Content-Length based mboxcl/mboxcl2 splitting (the Content-Length header
// is not trusted; the From_ rule above is what mutt and Dovecot write with).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::cli {

struct MboxMessage {
  std::uint64_t offset = 0;        // of the "From " line in the uncompressed stream
  std::string from_line;           // the separator line, without its line ending (its first
                                   // 64 KiB, the part of a line it is classified on)
  std::string bytes;               // the message; at most the splitter's cap
  std::uint64_t stored_bytes = 0;  // size in the mbox, "From " line included
  bool truncated = false;          // longer than the cap: bytes holds its first cap bytes
};

class MboxSplitter {
 public:
  // max_message_bytes: cap on the bytes kept of one message (the rest is counted only).
  // start_offset: the stream offset of the first byte fed (a separator's, or 0).
  // stop_at: a separator at or after this offset ends the split (see stopped()).
  explicit MboxSplitter(std::size_t max_message_bytes, std::uint64_t start_offset = 0,
                        std::uint64_t stop_at = UINT64_MAX);

  // Feeds the next chunk; appends every message completed by it to out. Returns false
  // when no more input is wanted: the stream is not an mbox (it does not start with
  // "From ": error()), or a separator at or after stop_at ended it (stopped(); the
  // message before it has been appended, and consumed() is the separator's offset).
  bool feed(std::string_view chunk, std::vector<MboxMessage>& out);
  // End of stream: appends the last message. Returns false when not an mbox.
  bool finish(std::vector<MboxMessage>& out);

  const std::string& error() const { return m_error; }
  bool stopped() const { return m_stopped; }
  std::uint64_t consumed() const { return m_offset; }

 private:
  // Returns true when the line was a separator.
  bool take_line(std::string_view line, std::vector<MboxMessage>& out);
  void start_message(std::string_view from_line, std::vector<MboxMessage>& out);
  void end_message(std::vector<MboxMessage>& out);
  void append(std::string_view bytes);

  std::size_t m_cap;
  std::uint64_t m_offset = 0;  // stream offset of the next line to take
  std::uint64_t m_stop_at;
  bool m_first = true;  // the next line is the first one fed
  bool m_stopped = false;
  std::string m_line;             // a line split across chunks
  bool m_long_line = false;       // inside a line longer than k_max_line, already classified
  bool m_long_line_kept = false;  // ... whose bytes go to the message
  bool m_prev_blank = false;
  bool m_in_message = false;
  std::string m_pending_blank;  // an empty line that may be the separator's
  MboxMessage m_current;
  std::string m_error;
};

// The offset of the first separator line (as MboxSplitter decides them after the first
// line of a stream) that starts at or after `from` in `window`, which holds the stream
// from offset `window_offset` on, or npos when none starts there. A separator is
// recognized only when its "From " and the three bytes before it lie inside the window
// (or the stream starts within them): first_separator() below overlaps its windows so.
std::size_t find_separator(std::string_view window, std::uint64_t window_offset, std::size_t from);

// Reads up to n bytes of the stream at offset into buf: the count (less than n only at the
// end of the stream), or -1 on an error (errno set).
using ReadAt = std::function<std::int64_t(std::uint64_t offset, char* buf, std::size_t n)>;

// The offset of the first separator that starts in [lo, hi), read window by window into
// `window` (its size, at least 16 bytes, is the read size), or hi when none does (the
// bytes there belong to a message that started before lo); nullopt when a read failed.
// Linear: it reads hi - lo plus two windows at most, 8 bytes of each window twice.
std::optional<std::uint64_t> first_separator(std::uint64_t lo, std::uint64_t hi,
                                             std::string& window, const ReadAt& read_at);

}  // namespace pixelwarden::cli

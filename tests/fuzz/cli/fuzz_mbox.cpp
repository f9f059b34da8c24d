// libFuzzer target for the mbox splitter of `scan` (cli/scan_mbox.hpp). The input's first
// four bytes choose a chunk size, a read window, a message cap and a cut; the rest is
// the mbox stream. Checked:
// - fed in chunks of any size, the splitter makes the messages it makes of the stream in
//   one piece (offsets, From lines, bytes, stored sizes, truncation);
// - every byte of a stream it accepts is counted in exactly one message's stored size;
// - cut at the chosen offset, the two parts' messages (found as `scan --jobs` finds them:
//   first_separator() through small read windows, then a splitter that stops at the cut)
//   are, in order, the messages of the whole stream: no message is lost, doubled or
//   changed by the cut.
// Seeds: tests/data/fuzz/fuzz_mbox/ (LF and CRLF mboxes, escapes, non-separators).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli/scan_mbox.hpp"

namespace {

using pixelwarden::cli::MboxMessage;
using pixelwarden::cli::MboxSplitter;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_mbox: %s\n", what);
  std::abort();
}

bool same(const MboxMessage& a, const MboxMessage& b) {
  return a.offset == b.offset && a.from_line == b.from_line && a.bytes == b.bytes &&
         a.stored_bytes == b.stored_bytes && a.truncated == b.truncated;
}

bool same(const std::vector<MboxMessage>& a, const std::vector<MboxMessage>& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](const auto& x, const auto& y) { return same(x, y); });
}

// The messages of [lo, hi) of the stream, as one job of `scan --jobs` finds them.
std::vector<MboxMessage> part(std::string_view mbox, std::uint64_t lo, std::uint64_t hi,
                              std::size_t cap, std::size_t window_bytes, std::size_t chunk) {
  std::vector<MboxMessage> out;
  std::uint64_t start = 0;
  if (lo > 0) {
    std::string window(window_bytes, '\0');
    const auto found = pixelwarden::cli::first_separator(
        lo, hi, window, [&](std::uint64_t at, char* to, std::size_t n) -> std::int64_t {
          const std::size_t k = at >= mbox.size() ? 0 : std::min<std::size_t>(n, mbox.size() - at);
          std::memcpy(to, mbox.data() + at, k);
          return static_cast<std::int64_t>(k);
        });
    if (!found) fail("a read that cannot fail failed");
    if (*found >= hi) return out;
    start = *found;
  }
  MboxSplitter s(cap, start, hi);
  bool more = true;
  for (std::size_t at = start; more && at < mbox.size(); at += chunk)
    more = s.feed(mbox.substr(at, chunk), out);
  if (more) s.finish(out);
  if (!s.error().empty()) fail("a part that starts at a separator is refused");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::size_t chunk = 1 + data[0] % 32;
  const std::size_t window = 16 + data[1] % 48;
  const std::size_t cap = data[2] % 2 == 0 ? std::size_t{1} << 20 : 8 + data[2];
  const std::string_view mbox(reinterpret_cast<const char*>(data) + 4, size - 4);
  const std::uint64_t cut = mbox.empty() ? 0 : (data[3] * mbox.size()) / 256;

  MboxSplitter one(cap);
  std::vector<MboxMessage> whole;
  const bool ok = one.feed(mbox, whole) && one.finish(whole);
  MboxSplitter pieces(cap);
  std::vector<MboxMessage> fed;
  bool ok_pieces = true;
  for (std::size_t at = 0; ok_pieces && at < mbox.size(); at += chunk) {
    ok_pieces = pieces.feed(mbox.substr(at, chunk), fed);
  }
  if (ok_pieces) ok_pieces = pieces.finish(fed);
  if (ok != ok_pieces || !same(whole, fed)) fail("chunked feeding changed the split");
  if (!ok) return 0;

  std::uint64_t stored = 0;
  for (const MboxMessage& m : whole) stored += m.stored_bytes;
  if (stored != mbox.size()) fail("stored sizes do not add up to the stream");

  std::vector<MboxMessage> parts = part(mbox, 0, cut == 0 ? UINT64_MAX : cut, cap, window, chunk);
  if (cut > 0) {
    for (auto& m : part(mbox, cut, UINT64_MAX, cap, window, chunk)) parts.push_back(std::move(m));
  }
  if (!same(whole, parts)) fail("the parts of a cut stream are not its messages");
  return 0;
}

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cli/scan_mbox.hpp"

using pixelwarden::cli::find_separator;
using pixelwarden::cli::first_separator;
using pixelwarden::cli::MboxMessage;
using pixelwarden::cli::MboxSplitter;

namespace {

std::vector<MboxMessage> split_all(const std::string& mbox, std::size_t cap = 1 << 20) {
  MboxSplitter s(cap);
  std::vector<MboxMessage> out;
  s.feed(mbox, out);
  s.finish(out);
  return out;
}

const std::string k_mbox = "From alice@example.org Fri Jan  1 00:00:00 2021\n"
                           "Subject: one\n"
                           "\n"
                           "Hello\n"
                           ">From the start of a line\n"
                           ">>From twice escaped\n"
                           "> From not an escape\n"
                           "\n"
                           "From bob@example.org Sat Jan  2 00:00:00 2021\n"
                           "Subject: two\n"
                           "\n"
                           "Not a separator:\n"
                           "From here, no blank line before\n"
                           "\n"
                           "\n"
                           "From carol@example.org Sun Jan  3 00:00:00 2021\n"
                           "Subject: three\n"
                           "\n"
                           "last\n";

// Separators after LF and CRLF empty lines, "From " lines that are none (no empty line
// before, a line of spaces before, "\r" alone before), escapes, a long line, a first
// separator preceded by nothing, an empty message, and a final empty line.
const std::string k_tricky = k_mbox + "\nFrom d x\r\nA: 1\r\n\r\nFrom q\r\n \r\nFrom r\r\n\r\n" +
                             "From e x\r\n\r\nFrom f x\n\rFrom g\n" + std::string(70000, 'z') +
                             "\n\nFrom h x\n\nFrom i x\nB: 2\n\n>From j\n\n";

// got holds the same messages as want: offsets, From lines, bytes, stored sizes.
void check_same(const std::vector<MboxMessage>& got, const std::vector<MboxMessage>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(got[i].offset == want[i].offset);
    CHECK(got[i].from_line == want[i].from_line);
    CHECK(got[i].bytes == want[i].bytes);
    CHECK(got[i].stored_bytes == want[i].stored_bytes);
  }
}

// The messages of the part [lo, hi) of mbox, as a thread given that part finds them: the
// first separator at or after lo, read through windows of `window_bytes`, then a
// splitter from there fed in chunks of `chunk` bytes until it stops.
std::vector<MboxMessage> split_part(const std::string& mbox, std::size_t lo, std::size_t hi,
                                    std::size_t chunk, std::size_t window_bytes = 4096) {
  std::string window(window_bytes, '\0');
  std::uint64_t read = 0;
  const auto read_at = [&](std::uint64_t at, char* to, std::size_t n) -> std::int64_t {
    if (at >= mbox.size()) return 0;
    const std::size_t k = std::min<std::size_t>(n, mbox.size() - at);
    std::memcpy(to, mbox.data() + at, k);
    read += k;
    return static_cast<std::int64_t>(k);
  };
  const auto start = first_separator(lo, hi, window, read_at);
  REQUIRE(start.has_value());
  // Linear: the search reads the part and two windows more, each window 8 bytes again.
  const std::uint64_t n = window.size();
  // (Checked only when it fails: the tests call this tens of thousands of times.)
  const std::uint64_t bound = (std::min<std::uint64_t>(hi, mbox.size()) - lo + 2 * n) * n / (n - 8);
  if (read > bound) CHECK(read <= bound);
  std::vector<MboxMessage> out;
  if (*start >= hi) return out;
  MboxSplitter s(1 << 20, *start, hi);
  for (std::size_t at = *start; at < mbox.size(); at += chunk) {
    if (!s.feed(std::string_view(mbox).substr(at, chunk), out)) break;
  }
  if (!s.stopped()) s.finish(out);
  if (!s.error().empty()) CHECK(s.error().empty());
  return out;
}

}  // namespace

TEST_SUITE("cli::MboxSplitter") {
  TEST_CASE("an mbox cut at any offsets: the parts' messages are the whole split's") {
    const auto whole = split_all(k_tricky);
    REQUIRE(whole.size() == 9);
    for (const std::size_t size : {1, 2, 3, 4, 5, 6, 7, 9, 13, 31, 64, 100, 333, 4096, 70001}) {
      for (const std::size_t chunk : {std::size_t{1} << 20, std::size_t{7}}) {
        // Read windows of the least size and odd sizes, and of more than most messages
        // here (the small windows alone for the many small parts).
        if (chunk != 7 && size < 64) continue;
        const std::size_t window = chunk == 7 ? 16 + size % 7 : 4096 + size % 5;
        std::vector<MboxMessage> parts;
        for (std::size_t lo = 0; lo < k_tricky.size(); lo += size) {
          const std::size_t hi = lo + size < k_tricky.size() ? lo + size : SIZE_MAX;
          for (auto& m : split_part(k_tricky, lo, hi, chunk, window)) parts.push_back(std::move(m));
        }
        INFO("part size " << size << ", chunk " << chunk << ", window " << window);
        check_same(parts, whole);
      }
    }
  }

  TEST_CASE("an mbox cut in two at and around each separator: the same messages") {
    const auto whole = split_all(k_tricky);
    for (const auto& sep : whole) {
      for (int d = -4; d <= 4; ++d) {
        if (static_cast<int>(sep.offset) + d <= 0) continue;
        const std::size_t cut = sep.offset + static_cast<std::size_t>(d);
        auto parts = split_part(k_tricky, 0, cut, 1 << 20);
        const std::size_t first = parts.size();
        for (auto& m : split_part(k_tricky, cut, SIZE_MAX, 1 << 20, 16 + cut % 9))
          parts.push_back(std::move(m));
        INFO("cut at " << cut << " (" << d << " from a separator)");
        CHECK(first == static_cast<std::size_t>(
                           std::count_if(whole.begin(), whole.end(),
                                         [&](const MboxMessage& m) { return m.offset < cut; })));
        check_same(parts, whole);
      }
    }
  }

  TEST_CASE("first_separator finds a separator just before the part's end, in any window") {
    const auto whole = split_all(k_tricky);
    const auto read_at = [&](std::uint64_t at, char* to, std::size_t n) -> std::int64_t {
      const std::size_t k =
          at >= k_tricky.size() ? 0 : std::min<std::size_t>(n, k_tricky.size() - at);
      std::memcpy(to, k_tricky.data() + at, k);
      return static_cast<std::int64_t>(k);
    };
    for (std::size_t i = 1; i < whole.size(); ++i) {
      const std::uint64_t sep = whole[i].offset;
      for (std::uint64_t lo =
               std::max(whole[i - 1].offset + 1, sep - std::min<std::uint64_t>(sep, 60));
           lo <= sep; ++lo) {
        for (std::uint64_t hi = sep + 1; hi <= sep + 6; ++hi) {
          for (std::size_t n = 16; n <= 24; ++n) {
            std::string window(n, '\0');
            INFO("separator " << sep << ", part [" << lo << ", " << hi << "), window " << n);
            CHECK(first_separator(lo, hi, window, read_at) == sep);
            CHECK(first_separator(lo, sep, window, read_at) == sep);  // none in [lo, sep)
          }
        }
      }
    }
  }

  TEST_CASE("find_separator: the line before must be empty, within the window or the stream") {
    CHECK(find_separator("From a\n", 0, 0) == 0);
    CHECK(find_separator("From a\n", 10, 0) == std::string_view::npos);  // no byte before
    CHECK(find_separator("x\n\nFrom a\n", 0, 0) == 3);
    CHECK(find_separator("x\r\n\r\nFrom a\n", 0, 0) == 5);
    CHECK(find_separator("x\n\r\nFrom a\n", 0, 0) == 4);
    CHECK(find_separator("x\n \nFrom a\n", 0, 0) == std::string_view::npos);
    CHECK(find_separator("x\nx\rFrom a\n", 0, 0) == std::string_view::npos);
    CHECK(find_separator("\nFrom a\n", 0, 0) == 1);  // after an empty first line
    CHECK(find_separator("x\n\nFrom a\n\nFrom b\n", 0, 4) == 11);
    CHECK(find_separator("x\n\nFrom a\n\nFrom b\n", 0, 3) == 3);
    CHECK(find_separator("x\n\nFrom", 0, 0) == std::string_view::npos);  // not whole
  }

  TEST_CASE("a splitter stopped at a separator appends the message before it, not its own") {
    MboxSplitter s(1 << 20, 0, 11);
    std::vector<MboxMessage> out;
    CHECK(s.feed("From a\nb\n\nFrom c\nd\n", out));  // "From c" is at 10, before 11: its own
    CHECK_FALSE(s.stopped());
    CHECK(out.size() == 1);
    const std::string mbox = "From a\nbody\n\nFrom c\nd\n";
    MboxSplitter t(1 << 20, 0, 10);
    std::vector<MboxMessage> got;
    CHECK_FALSE(t.feed(mbox, got));
    CHECK(t.stopped());
    CHECK(t.error().empty());
    REQUIRE(got.size() == 1);
    CHECK(got[0].bytes == "body\n");
    CHECK(t.consumed() == mbox.find("From c"));
  }

  TEST_CASE("messages are split at From lines after an empty line") {
    auto m = split_all(k_mbox);
    REQUIRE(m.size() == 3);
    CHECK(m[0].from_line == "From alice@example.org Fri Jan  1 00:00:00 2021");
    CHECK(m[1].bytes.rfind("Subject: two\n", 0) == 0);
    CHECK(m[2].bytes == "Subject: three\n\nlast\n");
  }

  TEST_CASE("offsets point at each message's From line") {
    auto m = split_all(k_mbox);
    REQUIRE(m.size() == 3);
    for (const auto& msg : m) CHECK(k_mbox.compare(msg.offset, 5, "From ") == 0);
    CHECK(m[0].offset == 0);
    CHECK(k_mbox.substr(m[1].offset, 8) == "From bob");
    CHECK(k_mbox.substr(m[2].offset, 10) == "From carol");
  }

  TEST_CASE("one '>' is removed from ^>+From lines, other quotes stay") {
    auto m = split_all(k_mbox);
    REQUIRE(!m.empty());
    CHECK(m[0].bytes == "Subject: one\n\nHello\nFrom the start of a line\n>From twice escaped\n> "
                        "From not an escape\n");
  }

  TEST_CASE("a From line without an empty line before it is body text") {
    auto m = split_all(k_mbox);
    REQUIRE(m.size() == 3);
    CHECK(m[1].bytes == "Subject: two\n\nNot a separator:\nFrom here, no blank line before\n\n");
  }

  TEST_CASE("mboxo ambiguity: an unescaped From after an empty line separates") {
    auto m = split_all("From a x\nSubject: s\n\nbody\n\nFrom the desk of the editor\nmore\n");
    REQUIRE(m.size() == 2);
    CHECK(m[0].bytes == "Subject: s\n\nbody\n");
    CHECK(m[1].from_line == "From the desk of the editor");
  }

  TEST_CASE("stored sizes add up to the stream") {
    auto m = split_all(k_mbox);
    std::uint64_t sum = 0;
    for (const auto& msg : m) sum += msg.stored_bytes;
    CHECK(sum == k_mbox.size());
    CHECK(m[0].stored_bytes == m[1].offset - m[0].offset);
  }

  TEST_CASE("CRLF mboxes split the same way") {
    const std::string mbox =
        "From a x\r\nA: 1\r\n\r\nbody\r\n>From q\r\n\r\nFrom b y\r\nB: 2\r\n\r\nz\r\n";
    auto m = split_all(mbox);
    REQUIRE(m.size() == 2);
    CHECK(m[0].bytes == "A: 1\r\n\r\nbody\r\nFrom q\r\n");
    CHECK(m[1].offset == 35);
    CHECK(mbox.compare(35, 8, "From b y") == 0);
  }

  TEST_CASE("a stream that does not start with From is refused") {
    MboxSplitter s(1 << 20);
    std::vector<MboxMessage> out;
    CHECK_FALSE(s.feed("Subject: x\n\nFrom a\n", out));
    CHECK_FALSE(s.finish(out));
    CHECK(out.empty());
    CHECK(s.error().find("From ") != std::string::npos);
  }

  TEST_CASE("an empty stream is an empty mbox") {
    MboxSplitter s(1 << 20);
    std::vector<MboxMessage> out;
    CHECK(s.feed("", out));
    CHECK(s.finish(out));
    CHECK(out.empty());
  }

  TEST_CASE("a message longer than the cap is cut and marked, the next one is intact") {
    const std::string body(1000, 'x');
    auto m = split_all("From a\nS: 1\n\n" + body + "\n\nFrom b\nS: 2\n\nok\n", 100);
    REQUIRE(m.size() == 2);
    CHECK(m[0].truncated);
    CHECK(m[0].bytes.size() == 100);
    CHECK_FALSE(m[1].truncated);
    CHECK(m[1].bytes == "S: 2\n\nok\n");
  }

  TEST_CASE("a very long line is streamed through, not buffered whole") {
    const std::string line(200 * 1024, 'y');
    const std::string mbox = "From a\nS: 1\n\n" + line + "\n\nFrom b\nS: 2\n\nok\n";
    MboxSplitter s(1 << 20);
    std::vector<MboxMessage> out;
    for (std::size_t i = 0; i < mbox.size(); i += 4096)
      s.feed(std::string_view(mbox).substr(i, 4096), out);
    s.finish(out);
    REQUIRE(out.size() == 2);
    CHECK(out[0].bytes == "S: 1\n\n" + line + "\n");
    CHECK(out[1].offset == mbox.find("From b"));
  }

  TEST_CASE("an over-long line is decided on its first 64 KiB, however it is chunked") {
    // An escape whose "From " comes after 64 KiB of '>', and a separator line of 70 KB.
    const std::string escape = std::string(70000, '>') + "From z\n";
    const std::string from = "From " + std::string(70000, 'x');
    const std::string mbox = "From a\nS: 1\n\n" + escape + "\n" + from + "\nS: 2\n\nok\n";
    const auto whole = split_all(mbox);
    REQUIRE(whole.size() == 2);
    CHECK(whole[0].bytes == "S: 1\n\n" + escape);  // not an escape within its first 64 KiB
    CHECK(whole[1].from_line == from.substr(0, 64 * 1024));
    CHECK(whole[1].bytes == "S: 2\n\nok\n");
    for (const std::size_t chunk : {1, 7, 4096, 65535, 65536, 65537, 70001, 70010}) {
      MboxSplitter s(1 << 20);
      std::vector<MboxMessage> out;
      for (std::size_t at = 0; at < mbox.size(); at += chunk)
        s.feed(std::string_view(mbox).substr(at, chunk), out);
      s.finish(out);
      INFO("chunk " << chunk);
      check_same(out, whole);
    }
  }

  TEST_CASE("random chunk boundaries give the same messages") {
    const auto whole = split_all(k_mbox);
    const unsigned seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    for (int round = 0; round < 200; ++round) {
      MboxSplitter s(1 << 20);
      std::vector<MboxMessage> out;
      std::size_t pos = 0;
      while (pos < k_mbox.size()) {
        const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 12)(rng);
        s.feed(std::string_view(k_mbox).substr(pos, n), out);
        pos += n;
      }
      s.finish(out);
      REQUIRE(out.size() == whole.size());
      for (std::size_t i = 0; i < out.size(); ++i) {
        CHECK(out[i].bytes == whole[i].bytes);
        CHECK(out[i].offset == whole[i].offset);
      }
    }
  }
}

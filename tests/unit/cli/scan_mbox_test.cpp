#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cli/scan_mbox.hpp"

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

}  // namespace

TEST_SUITE("cli::MboxSplitter") {
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

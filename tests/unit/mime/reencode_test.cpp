#include "mime/reencode.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace pixelwarden::mime;

namespace {

std::string text(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n)
    s += (rng() % 12 == 0) ? std::string("\r\n")
                           : std::string(1, static_cast<char>('a' + rng() % 26));
  return s;
}

// Up to `count` sorted, disjoint random edits of `old_dec`, and the text they make. Each
// starts in the first 1/`spread` of what follows the previous one, takes out fewer than
// `max_len` bytes and puts in fewer than `max_repl` copies of one byte of `fills`.
struct RandomEdits {
  std::vector<pixelwarden::base::Patch> edits;
  std::string new_dec;
};

template <class Rng>
RandomEdits random_edits(const std::string& old_dec, Rng& rng, int count, std::size_t spread,
                         std::size_t max_len, std::size_t max_repl, std::string_view fills) {
  RandomEdits r;
  std::size_t pos = 0;
  for (int e = 0; e < count && pos < old_dec.size(); ++e) {
    const std::size_t off = pos + rng() % std::max<std::size_t>(1, (old_dec.size() - pos) / spread);
    const std::size_t len = std::min<std::size_t>(rng() % max_len, old_dec.size() - off);
    const std::size_t n = rng() % max_repl;
    const std::string repl(n, fills.size() == 1 ? fills[0] : fills[rng() % fills.size()]);
    r.new_dec += old_dec.substr(pos, off - pos) + repl;
    r.edits.push_back({off, len, repl});
    pos = off + len;
  }
  r.new_dec += old_dec.substr(pos);
  return r;
}

}  // namespace

TEST_SUITE("mime::Reencode") {
  TEST_CASE("no edit returns the original encoding") {
    const std::string enc = "SGVs\r\nbG8=";
    CHECK(reencode(enc, "Hello", "Hello", Cte::base64) == enc);
  }
  TEST_CASE("base64: unedited lines are reused and the line length kept") {
    const std::string old_dec = text(3000, 1);
    const std::string enc = encode_base64(old_dec, 64, "\n");
    std::string new_dec = old_dec;
    new_dec.replace(1500, 3, "XYZ");  // same size: the suffix is reusable too
    const std::string out = reencode(enc, old_dec, new_dec, Cte::base64);
    CHECK(decode_base64(out) == new_dec);
    CHECK(out.substr(0, 1000) == enc.substr(0, 1000));
    CHECK(out.substr(out.size() - 1000) == enc.substr(enc.size() - 1000));
    CHECK(longest_line(out) == 64);
    CHECK(out.find('\r') == std::string::npos);
  }
  TEST_CASE("base64: growth by a non-multiple of 3 still decodes exactly") {
    const std::string old_dec = text(2000, 2);
    const std::string enc = encode_base64(old_dec, 76, "\r\n") + "\r\n";
    std::string new_dec = old_dec;
    new_dec.insert(700, "<img>");
    const std::string out = reencode(enc, old_dec, new_dec, Cte::base64);
    CHECK(decode_base64(out) == new_dec);
    CHECK(out.substr(0, 700) == enc.substr(0, 700));
    CHECK(out.substr(out.size() - 2) == "\r\n");
  }
  TEST_CASE("quoted-printable: edit in the middle, both ends reused verbatim") {
    std::string old_dec;
    for (int i = 0; i < 40; ++i)
      old_dec += "line " + std::to_string(i) + " caf\xC3\xA9 = " + std::string(90, 'x') + "\r\n";
    const std::string enc = encode_quoted_printable(old_dec, "\r\n");
    std::string new_dec = old_dec;
    new_dec.replace(new_dec.find("line 20"), 7, "LINE twenty");
    const std::string out = reencode(enc, old_dec, new_dec, Cte::quoted_printable);
    CHECK(decode_quoted_printable(out) == new_dec);
    CHECK(out.substr(0, enc.find("line 20")) == enc.substr(0, enc.find("line 20")));
    const std::size_t tail = enc.size() - enc.find("line 21");
    CHECK(out.substr(out.size() - tail) == enc.substr(enc.size() - tail));
    CHECK(longest_line(out) <= 76);
  }
  TEST_CASE("quoted-printable: edit inside a soft-broken line joins the reused suffix") {
    const std::string old_dec = std::string(300, 'a') + "\n" + std::string(50, 'b');
    const std::string enc = encode_quoted_printable(old_dec, "\n");
    std::string new_dec = old_dec;
    new_dec[100] = '<';
    const std::string out = reencode(enc, old_dec, new_dec, Cte::quoted_printable);
    CHECK(decode_quoted_printable(out) == new_dec);
  }
  TEST_CASE("sender's odd base64 lines fall back to a fresh encoding") {
    const std::string enc = "SGV\r\nsbG8g\r\nd29y bGQ";  // quanta cross lines
    const std::string old_dec = decode_base64(enc);
    const std::string out = reencode(enc, old_dec, old_dec + "!", Cte::base64);
    CHECK(decode_base64(out) == old_dec + "!");
  }
  TEST_CASE("identity encodings return the new content") {
    CHECK(reencode("a", "a", "b\r\n", Cte::eight_bit) == "b\r\n");
  }
  TEST_CASE("random edits always decode back") {
    const unsigned seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    for (int round = 0; round < 100; ++round) {
      const std::string old_dec = text(rng() % 2000, rng());
      const Cte cte = rng() % 2 ? Cte::base64 : Cte::quoted_printable;
      const std::string eol = rng() % 2 ? "\r\n" : "\n";
      const std::string enc = cte == Cte::base64 ? encode_base64(old_dec, 4 + rng() % 90, eol)
                                                 : encode_quoted_printable(old_dec, eol);
      std::string new_dec = old_dec;
      const std::size_t at = rng() % (new_dec.size() + 1);
      new_dec.replace(at, std::min<std::size_t>(rng() % 50, new_dec.size() - at),
                      text(rng() % 60, rng()));
      const std::string out = reencode(enc, old_dec, new_dec, cte, eol);
      CHECK(decode(out, cte) == new_dec);
      CHECK(longest_line(out) <= 998);
    }
  }
}

TEST_SUITE("mime::reencode_edits") {
  using pixelwarden::base::Patch;

  TEST_CASE("QP: lines between two distant edits stay verbatim") {
    std::string enc;
    for (int i = 0; i < 40; ++i)
      enc += "line " + std::to_string(i) + " caf=C3=A9 text=\r\n more\r\n";
    const std::string old_dec = decode(enc, Cte::quoted_printable);
    // Edit "line 3" and "line 37" (replace the digits).
    const std::size_t a = old_dec.find("line 3 ");
    const std::size_t b = old_dec.find("line 37 ");
    REQUIRE(a < b);
    REQUIRE(b + 8 < old_dec.size());
    // Built by concatenation: GCC 12 at -O3 warns (-Wrestrict) on replace() at positions
    // it cannot bound.
    const std::string new_dec = old_dec.substr(0, a + 5) + "Y" + old_dec.substr(a + 6, b - a - 1) +
                                "XXXX" + old_dec.substr(b + 7);
    const std::vector<Patch> edits{{a + 5, 1, "Y"}, {b + 5, 2, "XXXX"}};
    const std::string out = reencode_edits(enc, old_dec, new_dec, edits, Cte::quoted_printable);
    CHECK(decode(out, Cte::quoted_printable) == new_dec);
    // Every original line from "line 4" to "line 36" is in the output verbatim, in one run.
    const std::size_t from = enc.find("line 4 ");
    const std::size_t to = enc.find("line 37 ");
    CHECK(out.find(enc.substr(from, to - from)) != std::string::npos);
    CHECK(longest_line(out) <= 76);
  }

  TEST_CASE("QP: an edit on a soft-broken line keeps the continuation joined") {
    const std::string enc =
        "<img src=3D\"https://t.example/p.gif\" width=3D\"1\">=\r\nrest of line\r\n";
    const std::string old_dec = decode(enc, Cte::quoted_printable);
    const std::size_t at = old_dec.find("https://t.example/p.gif");
    REQUIRE(at + 23 <= old_dec.size());
    std::string new_dec = old_dec;
    new_dec.replace(at, 23, "data:,");
    const std::string out =
        reencode_edits(enc, old_dec, new_dec, {{at, 23, "data:,"}}, Cte::quoted_printable);
    CHECK(decode(out, Cte::quoted_printable) == new_dec);
    CHECK(out.find("rest of line\r\n") != std::string::npos);
  }

  TEST_CASE("QP: a line with '=' before a lone CR is sized as the decoder reads it") {
    // "=\r" not followed by "\n" is a lone "=" and a CR, not a soft break: the line sizes
    // come from the decoder, so such a line far from the edit is still copied verbatim.
    std::string enc = "odd =\rline\r\n";
    for (int i = 0; i < 10; ++i) enc += "filler " + std::to_string(i) + "\r\n";
    enc += "edit here\r\n";
    const std::string old_dec = decode(enc, Cte::quoted_printable);
    const std::size_t at = old_dec.find("here");
    REQUIRE(at != std::string::npos);
    const std::string new_dec = old_dec.substr(0, at) + "THERE" + old_dec.substr(at + 4);
    const std::string out =
        reencode_edits(enc, old_dec, new_dec, {{at, 4, "THERE"}}, Cte::quoted_printable);
    CHECK(decode(out, Cte::quoted_printable) == new_dec);
    CHECK(out.rfind("odd =\rline\r\nfiller 0\r\n", 0) == 0);
  }

  TEST_CASE("QP: random sender encodings (lone '=', bare CR and LF, soft breaks) with edits") {
    // Raw encoded text as senders write it, not as our encoder does: every edit must still
    // give a part that decodes exactly to the new content, whichever proof accepts it.
    std::uint32_t seed = 3;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    const char* pieces[] = {"ab", "=3D", "=\r\n", "\r\n", "\n", "\r", "=", " ", "\t", "=Z", "xyz"};
    for (int round = 0; round < 3000; ++round) {
      std::string enc;
      for (std::size_t n = 1 + rng() % 60; n > 0; --n) enc += pieces[rng() % 11];
      const std::string old_dec = decode(enc, Cte::quoted_printable);
      const auto [edits, new_dec] = random_edits(old_dec, rng, 3, 1, 4, 5, "Q\n");
      CAPTURE(enc);
      const std::string out = reencode_edits(enc, old_dec, new_dec, edits, Cte::quoted_printable);
      REQUIRE(decode(out, Cte::quoted_printable) == new_dec);
      // Told only the edits, the re-encoder writes the same bytes.
      CHECK(reencode_edits(enc, old_dec, edits, Cte::quoted_printable) == out);
    }
  }

  TEST_CASE("random QP edits always decode to the new content (seed printed)") {
    const unsigned seed = static_cast<unsigned>(std::random_device{}());
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    for (int round = 0; round < 200; ++round) {
      std::string dec;
      const int n = static_cast<int>(rng() % 3000) + 10;
      for (int i = 0; i < n; ++i) {
        const unsigned r = rng() % 100;
        dec += r < 5    ? '\n'
               : r < 8  ? '='
               : r < 12 ? ' '
               : r < 14 ? static_cast<char>(0xE9)
                        : static_cast<char>('a' + r % 26);
      }
      std::string crlf_dec;
      for (char c : dec) crlf_dec += c == '\n' ? std::string("\r\n") : std::string(1, c);
      const std::string enc = pixelwarden::mime::encode_quoted_printable(crlf_dec, "\r\n");
      const auto [edits, new_dec] = random_edits(crlf_dec, rng, 4, 2, 20, 30, "Z");
      const std::string out = reencode_edits(enc, crlf_dec, new_dec, edits, Cte::quoted_printable);
      REQUIRE(decode(out, Cte::quoted_printable) == new_dec);
      CHECK(longest_line(out) <= 998);
    }
  }

  TEST_CASE("QP: the decoder's marks give the same output as a walk from the top") {
    // A part of sender-written lines (soft breaks, '=' escapes, lone '=', bare LF, a long
    // line), with a few edits spread over it: guided by the marks, the re-encoder writes
    // the same bytes as without them. Marks of another part are checked and not used.
    std::uint32_t seed = 11;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    const char* pieces[] = {"ab cd", "=3D", "=\r\n", "\r\n", "\n", "=", "xyz ", "=C3=A9"};
    for (int round = 0; round < 40; ++round) {
      std::string enc;
      while (enc.size() < 60000) {
        enc += pieces[rng() % 8];
        if (rng() % 5000 == 0) enc += std::string(9000, 'L');  // one line past a mark spacing
      }
      std::vector<QpMark> marks;
      const std::string old_dec = decode_quoted_printable(enc, marks);
      REQUIRE(marks.size() > 5);
      const auto [edits, new_dec] = random_edits(old_dec, rng, 5, 3, 30, 9, "Q");
      CAPTURE(round);
      const std::string top =
          reencode_edits(enc, old_dec, new_dec, edits, Cte::quoted_printable, "\r\n");
      const std::string guided =
          reencode_edits(enc, old_dec, new_dec, edits, Cte::quoted_printable, "\r\n", &marks);
      REQUIRE(decode(guided, Cte::quoted_printable) == new_dec);
      CHECK(guided == top);
      CHECK(reencode_edits(enc, old_dec, edits, Cte::quoted_printable, "\r\n", &marks) == top);
      // Another part's marks: each is checked against this part's lines before it is used.
      std::vector<QpMark> other;
      decode_quoted_printable("x=\r\n" + enc, other);
      const std::string wrong =
          reencode_edits(enc, old_dec, new_dec, edits, Cte::quoted_printable, "\r\n", &other);
      REQUIRE(decode(wrong, Cte::quoted_printable) == new_dec);
    }
  }
  TEST_CASE("told only the edits: every encoding gives the edited content") {
    const std::string dec =
        "caf\xC3\xA9 <img src=\"https://t.example/p.gif\"> = end\r\nline two\r\n";
    const std::size_t at = dec.find("https://t.example/p.gif");
    REQUIRE(at != std::string::npos);
    const std::vector<Patch> edits{{at, 23, "data:,"}, {dec.size(), 0, "tail"}};
    const std::string want = dec.substr(0, at) + "data:," + dec.substr(at + 23) + "tail";
    for (Cte cte : {Cte::quoted_printable, Cte::base64, Cte::seven_bit, Cte::eight_bit}) {
      CAPTURE(cte_name(cte));
      const std::string enc = cte == Cte::quoted_printable ? encode_quoted_printable(dec, "\r\n")
                              : cte == Cte::base64         ? encode_base64(dec, 76, "\r\n")
                                                           : dec;
      const std::string out = reencode_edits(enc, dec, edits, cte);
      CHECK(decode(out, cte) == want);
      CHECK(out == reencode_edits(enc, dec, want, edits, cte));
    }
    // Edits that change nothing leave the encoding as it was.
    const std::string enc = encode_quoted_printable(dec, "\r\n");
    CHECK(reencode_edits(enc, dec, {{at, 5, "https"}}, Cte::quoted_printable) == enc);
  }
  TEST_CASE("QP: an edit that takes a line break away keeps the next line as it was") {
    const std::string enc = "aaa\r\nbbb\r\nccc\r\n";
    const std::string dec = decode(enc, Cte::quoted_printable);
    const std::vector<Patch> edits{{3, 2, ""}};
    const std::string out = reencode_edits(enc, dec, edits, Cte::quoted_printable);
    CHECK(out == "aaa=\r\nbbb\r\nccc\r\n");
    CHECK(decode(out, Cte::quoted_printable) == "aaabbb\r\nccc\r\n");
    CHECK(reencode_edits(enc, dec, "aaabbb\r\nccc\r\n", edits, Cte::quoted_printable) == out);
  }
}

#include "mime/codec.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using namespace pixelwarden::mime;

namespace {

// The decoder's contract written the slow way, one character at a time: alphabet
// characters accumulate, whitespace and garbage are skipped, "=" ends the data once a
// quantum has two characters (a stray one before that is skipped), a final quantum of 2
// or 3 characters is flushed. decode_base64 (with its vector path) must agree byte for byte.
std::string reference_base64(std::string_view in) {
  static const std::string k_alpha =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int q = 0;
  for (char c : in) {
    const std::size_t v = k_alpha.find(c);
    if (v != std::string::npos) {
      acc = (acc << 6) | static_cast<std::uint32_t>(v);
      if (++q == 4) {
        out += static_cast<char>(acc >> 16);
        out += static_cast<char>(acc >> 8);
        out += static_cast<char>(acc);
        q = 0;
        acc = 0;
      }
    } else if (c == '=' && q >= 2) {
      break;
    }
  }
  if (q == 2) out += static_cast<char>(acc >> 4);
  if (q == 3) {
    out += static_cast<char>(acc >> 10);
    out += static_cast<char>(acc >> 2);
  }
  return out;
}

// RFC 2045 quoted-printable as the decoder reads it, one character at a time: "=XX"
// (hex digits of either case) is a byte; "=", optional spaces and tabs, then LF, CRLF or
// the end is a soft break; any other "=" stays. decode_quoted_printable (with its
// 16-byte blocks) must agree byte for byte.
std::string reference_qp(std::string_view in) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  std::size_t i = 0;
  while (i < in.size()) {
    if (in[i] != '=') {
      out += in[i++];
      continue;
    }
    if (i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 3;
      continue;
    }
    std::size_t k = i + 1;
    while (k < in.size() && (in[k] == ' ' || in[k] == '\t')) ++k;
    if (k == in.size()) {
      i = k;
    } else if (in[k] == '\n') {
      i = k + 1;
    } else if (in[k] == '\r' && (k + 1 == in.size() || in[k + 1] == '\n')) {
      i = k + 1 == in.size() ? k + 1 : k + 2;
    } else {
      out += '=';
      ++i;
    }
  }
  return out;
}

}  // namespace

TEST_SUITE("mime::Codec") {
  TEST_CASE("parse_cte maps names, case, whitespace and comments") {
    CHECK(parse_cte("") == Cte::seven_bit);
    CHECK(parse_cte(" Base64 ") == Cte::base64);
    CHECK(parse_cte("quoted-printable (sender's choice)") == Cte::quoted_printable);
    CHECK(parse_cte("8BIT") == Cte::eight_bit);
    CHECK(parse_cte("binary") == Cte::binary);
    CHECK(parse_cte("x-uuencode") == Cte::unknown);
    CHECK(cte_name(Cte::quoted_printable) == "quoted-printable");
  }
  TEST_CASE("base64 decodes across line breaks") {
    CHECK(decode_base64("SGVs\r\nbG8g\nd29y bGQ=") == "Hello world");
  }
  TEST_CASE("base64 tolerates missing padding and reports it") {
    DecodeStats st;
    CHECK(decode_base64("SGk", &st) == "Hi");
    CHECK(st.missing_padding);
    CHECK(st.garbage == 0);
  }
  TEST_CASE("base64 skips and counts garbage") {
    DecodeStats st;
    CHECK(decode_base64("SG!Vs*bG8", &st) == "Hello");
    CHECK(st.garbage == 2);
  }
  TEST_CASE("base64 stops at the padding that ends the data") {
    DecodeStats st;
    CHECK(decode_base64("SGk=\r\nQUJD", &st) == "Hi");
    CHECK(st.garbage == 4);
  }
  TEST_CASE("base64 ignores a stray equals sign before a quantum completes") {
    CHECK(decode_base64("=SGVsbG8=") == "Hello");
  }
  TEST_CASE("quoted-printable: escapes, lowercase hex, soft breaks") {
    CHECK(decode_quoted_printable("a=3Db=3db") == "a=b=b");
    CHECK(decode_quoted_printable("long li=\r\nne\r\nnext") == "long line\r\nnext");
    CHECK(decode_quoted_printable("lf soft=\nbreak") == "lf softbreak");
    CHECK(decode_quoted_printable("pad= \t\r\nded") == "padded");
  }
  TEST_CASE("quoted-printable keeps a lone equals sign and drops one at the end") {
    CHECK(decode_quoted_printable("a = b =zz") == "a = b =zz");
    CHECK(decode_quoted_printable("end=") == "end");
  }
  TEST_CASE("identity encodings return the bytes") {
    CHECK(decode("a=3D\xFF", Cte::eight_bit) == "a=3D\xFF");
    CHECK(decode("=3D", Cte::unknown) == "=3D");
  }
  TEST_CASE("encode_base64 wraps at the given line length with the given eol") {
    const std::string e = encode_base64(std::string(60, 'a'), 40, "\n");
    CHECK(e.find('\n') == 40);
    CHECK(e.back() != '\n');
    CHECK(decode_base64(e) == std::string(60, 'a'));
    CHECK(encode_base64("Hi", 76, "\r\n") == "SGk=");
  }
  TEST_CASE("encode_base64 writes what RFC 4648 and the line layout say, at every length") {
    // The encoder reads two quanta per 8-byte load where the input allows it: every
    // length around the load's edge and every line length must give the textbook output.
    static const std::string k_alpha =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto textbook = [](const std::string& in, std::size_t line, std::string_view eol) {
      std::string chars;
      for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        chars += k_alpha[(v >> 18) & 63];
        chars += k_alpha[(v >> 12) & 63];
        chars += i + 1 < in.size() ? k_alpha[(v >> 6) & 63] : '=';
        chars += i + 2 < in.size() ? k_alpha[v & 63] : '=';
      }
      const std::size_t per = std::max<std::size_t>(4, line / 4 * 4);
      std::string out;
      for (std::size_t at = 0; at < chars.size(); at += per) {
        if (at > 0) out += eol;
        out += chars.substr(at, per);
      }
      return out;
    };
    std::mt19937 rng(12345);
    for (std::size_t len = 0; len < 160; ++len) {
      std::string in(len, '\0');
      for (char& c : in) c = static_cast<char>(rng() % 256);
      for (std::size_t line : {1u, 4u, 8u, 10u, 12u, 76u, 77u}) {
        CAPTURE(len);
        CAPTURE(line);
        REQUIRE(encode_base64(in, line, "\r\n") == textbook(in, line, "\r\n"));
        REQUIRE(encode_base64(in, line, "\n") == textbook(in, line, "\n"));
      }
    }
  }
  TEST_CASE("encode_quoted_printable keeps lines short and escapes what must be") {
    const std::string in = std::string(200, 'x') + " \r\na=b\tc\r";
    const std::string e = encode_quoted_printable(in, "\r\n");
    for (std::size_t pos = 0, nl; (nl = e.find("\r\n", pos)) != std::string::npos; pos = nl + 2) {
      CHECK(nl - pos <= 76);
    }
    CHECK(e.find("=20\r\n") != std::string::npos);
    CHECK(e.find("a=3Db") != std::string::npos);
    CHECK(e.find("=0D") != std::string::npos);
    CHECK(decode_quoted_printable(e) == in);
  }
  TEST_CASE("encode_quoted_printable starts no line with \"--\", hard or soft") {
    // "--b" at a line start would be a delimiter of a multipart with boundary b.
    CHECK(encode_quoted_printable("--b\r\nx--y\r\n-z", "\r\n") == "=2D-b\r\nx--y\r\n-z");
    const std::string soft = std::string(75, 'x') + "--b";  // "--" right at the soft break
    const std::string e = encode_quoted_printable(soft, "\r\n");
    CHECK(e == std::string(75, 'x') + "=\r\n=2D-b");
    CHECK(decode_quoted_printable(e) == soft);
    for (std::size_t pos = 0; pos < e.size(); pos = e.find('\n', pos) + 1) {
      CHECK(e.compare(pos, 2, "--") != 0);
      if (e.find('\n', pos) == std::string::npos) break;
    }
  }
  TEST_CASE("encode_quoted_printable sizes a large part's output near its final size") {
    // Past 1 MiB the output is reserved from what the first 64 KiB encode to; when the rest
    // escapes more (or less) than that sample, the output must still be right, and grown
    // once to about its size, never doubled (fresh pages for a large part are faults).
    const std::string plain = std::string(64 * 1024, 'p');
    std::string escaped(3 << 20, '\0');
    for (std::size_t i = 0; i < escaped.size(); ++i) escaped[i] = static_cast<char>(0x80 + i % 64);
    for (const std::string& in : {plain + escaped, escaped + plain + plain}) {
      const std::string e = encode_quoted_printable(in, "\r\n");
      REQUIRE(decode_quoted_printable(e) == in);
      CHECK(e.size() > 3 * escaped.size());
      CHECK(e.capacity() < e.size() + e.size() / 16 + 64 * 1024);
      for (std::size_t pos = 0, nl; (nl = e.find("\r\n", pos)) != std::string::npos; pos = nl + 2) {
        REQUIRE(nl - pos <= 76);
      }
    }
  }
  TEST_CASE("random bytes round-trip through both encoders") {
    const unsigned seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    for (int round = 0; round < 200; ++round) {
      std::string s(rng() % 300, '\0');
      for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? "\r\n =\t"[rng() % 5] : rng() % 256);
      CHECK(decode_base64(encode_base64(s, 4 + rng() % 100, "\r\n")) == s);
      CHECK(decode_quoted_printable(encode_quoted_printable(s, rng() % 2 ? "\r\n" : "\n")) == s);
    }
  }
}

TEST_SUITE("mime::Codec base64 blocks") {
  TEST_CASE(
      "every byte value at every place of a 16-character block decodes as the contract says") {
    // 16-character blocks go through the vector path when all are alphabet characters;
    // any other byte must send the block to the scalar loop with the same result.
    const std::string base = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5";  // 48 chars
    for (int c = 0; c < 256; ++c) {
      for (std::size_t at = 0; at < base.size(); ++at) {
        std::string in = base;
        in[at] = static_cast<char>(c);
        CAPTURE(c);
        CAPTURE(at);
        REQUIRE(decode_base64(in) == reference_base64(in));
        REQUIRE(decodes_to(in, Cte::base64, reference_base64(in)));
      }
    }
  }
  TEST_CASE("all 64 alphabet characters at every place of a block") {
    const std::string alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t shift = 0; shift < 64; ++shift) {
      const std::string in = alpha.substr(shift) + alpha.substr(0, shift);
      REQUIRE(decode_base64(in) == reference_base64(in));
    }
  }
  TEST_CASE("random encodings with line breaks, padding and garbage agree with the contract") {
    std::uint32_t seed = 11;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (int round = 0; round < 3000; ++round) {
      std::string raw(rng() % 400, '\0');
      for (char& c : raw) c = static_cast<char>(rng() >> 8);
      std::string in = encode_base64(raw, 4 + rng() % 80, rng() % 2 ? "\r\n" : "\n");
      for (std::size_t k = rng() % 3; k > 0 && !in.empty(); --k)
        in[rng() % in.size()] = "=*\r \x80-_"[rng() % 8];
      CAPTURE(in);
      REQUIRE(decode_base64(in) == reference_base64(in));
    }
  }
}

TEST_SUITE("mime::Codec quoted-printable blocks") {
  TEST_CASE("an escape, a soft break or a lone equals sign at every place around 16-byte blocks") {
    // Runs are copied 16 bytes at a time while no '=' is in the block; the block with
    // one stops the run there. Every length up to three blocks, every place of the '='.
    const std::vector<std::string> forms = {"=3D", "=c3=A9", "=\r\n", "= \t\n", "=zz", "=", "=\r"};
    for (std::size_t len = 0; len <= 48; ++len) {
      for (std::size_t at = 0; at <= len; ++at) {
        for (const std::string& f : forms) {
          std::string in(len, 'a');
          for (std::size_t k = 0; k < len; ++k) in[k] = static_cast<char>('a' + k % 26);
          in.insert(at, f);
          CAPTURE(in);
          REQUIRE(decode_quoted_printable(in) == reference_qp(in));
          REQUIRE(qp_decoded_size(in) == reference_qp(in).size());
          REQUIRE(decodes_to(in, Cte::quoted_printable, reference_qp(in)));
        }
      }
    }
  }
  TEST_CASE("random encodings agree with the character-at-a-time reading") {
    std::uint32_t seed = 7;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (int round = 0; round < 3000; ++round) {
      std::string in(rng() % 300, '\0');
      for (char& c : in) {
        const std::uint32_t r = rng() >> 8;
        c = r % 5 == 0 ? "=\r\n \t3DAf"[r / 5 % 10] : static_cast<char>(r >> 4);
      }
      CAPTURE(in);
      REQUIRE(decode_quoted_printable(in) == reference_qp(in));
      std::vector<QpMark> marks;
      REQUIRE(decode_quoted_printable(in, marks) == reference_qp(in));
    }
  }
}

TEST_SUITE("mime::decode_quoted_printable marks") {
  TEST_CASE("each mark is a line start with the decoded size of the lines before it") {
    std::uint32_t seed = 5;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    const char* pieces[] = {"ab", "=3D", "=\r\n", "\r\n", "\n", "\r", "=", " =\n", "=Z", "xyz"};
    for (int round = 0; round < 30; ++round) {
      std::string enc;
      while (enc.size() < 40000) {
        enc += pieces[rng() % 10];
        if (rng() % 3000 == 0) enc += std::string(6000, 'L');  // a line longer than the spacing
      }
      std::vector<QpMark> marks;
      const std::string dec = decode_quoted_printable(enc, marks);
      CHECK(dec == decode_quoted_printable(enc));
      // The first line start at or past the spacing, then the first one at or past the
      // spacing after that mark, and so on.
      std::vector<std::size_t> expected;
      for (std::size_t i = 0, due = k_qp_mark_spacing; i < enc.size(); ++i) {
        if (enc[i] == '\n' && i + 1 >= due && i + 1 < enc.size()) {
          expected.push_back(i + 1);
          due = i + 1 + k_qp_mark_spacing;
        }
      }
      REQUIRE(expected.size() > 5);
      std::vector<std::size_t> at;
      for (const QpMark& m : marks) {
        CAPTURE(m.encoded);
        at.push_back(m.encoded);
        CHECK(m.decoded == qp_decoded_size(enc.substr(0, m.encoded)));
      }
      CHECK(at == expected);
    }
  }
}

TEST_SUITE("mime::decode_quoted_printable marks at the edges") {
  TEST_CASE("the end of the body is no mark, the top neither") {
    std::vector<QpMark> marks;
    CHECK(decode_quoted_printable(std::string(5000, 'a') + "\n", marks).size() == 5001);
    CHECK(marks.empty());
    decode_quoted_printable(std::string(5000, 'a') + "=\r\n", marks);
    CHECK(marks.empty());
    decode_quoted_printable(std::string(5000, 'a') + "=\r\nb", marks);
    REQUIRE(marks.size() == 1);
    CHECK(marks[0].encoded == 5003);
    CHECK(marks[0].decoded == 5000);
    decode_quoted_printable("=\n" + std::string(5000, 'a'), marks);
    CHECK(marks.empty());
  }
}

TEST_SUITE("mime::decodes_to") {
  TEST_CASE("QP: true exactly when decode() gives the expected bytes") {
    const std::string cases[] = {"",
                                 "plain",
                                 "a=3Db",
                                 "soft=\r\nbreak",
                                 "soft= \t\r\nspace",
                                 "lone = sign",
                                 "end=",
                                 "lower=3d",
                                 "bad=ZZ",
                                 "crlf\r\nline\r\n",
                                 "=\r\n",
                                 "tail=\r"};
    for (const std::string& enc : cases) {
      const std::string dec = decode_quoted_printable(enc);
      CAPTURE(enc);
      CHECK(decodes_to(enc, Cte::quoted_printable, dec));
      CHECK_FALSE(decodes_to(enc, Cte::quoted_printable, dec + "x"));
      if (!dec.empty()) {
        CHECK_FALSE(decodes_to(enc, Cte::quoted_printable, dec.substr(0, dec.size() - 1)));
        std::string changed = dec;
        changed[changed.size() / 2] ^= 1;
        CHECK_FALSE(decodes_to(enc, Cte::quoted_printable, changed));
      }
    }
  }

  TEST_CASE("QP: agrees with decode() on random encodings") {
    std::uint32_t seed = 7;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    const char alphabet[] = "ab=3D\r\n \tZ";
    for (int round = 0; round < 2000; ++round) {
      std::string enc;
      for (std::size_t n = rng() % 40; n > 0; --n) enc += alphabet[rng() % (sizeof(alphabet) - 1)];
      const std::string dec = decode_quoted_printable(enc);
      CHECK(decodes_to(enc, Cte::quoted_printable, dec));
      std::string other = dec;
      if (!other.empty() && rng() % 2)
        other.pop_back();
      else
        other += 'q';
      CHECK_FALSE(decodes_to(enc, Cte::quoted_printable, other));
    }
  }

  TEST_CASE("base64: large parts are compared block by block, across block edges") {
    // The proof decodes 4096 characters at a time; quanta, padding and garbage that
    // straddle those edges must compare exactly as decode_base64 decodes them.
    std::uint32_t seed = 5;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (std::size_t size : {3069u, 3070u, 3071u, 3072u, 3073u, 6144u, 9000u, 20000u}) {
      std::string raw(size, '\0');
      for (char& c : raw) c = static_cast<char>(rng() >> 8);
      for (const char* eol : {"\r\n", "\n", " "}) {
        std::string enc = encode_base64(raw, 76, eol);
        CAPTURE(size);
        CHECK(decodes_to(enc, Cte::base64, raw));
        CHECK_FALSE(decodes_to(enc, Cte::base64, raw + "x"));
        CHECK_FALSE(decodes_to(enc, Cte::base64, raw.substr(0, raw.size() - 1)));
        std::string changed = raw;
        changed[4095 * 3 / 4 % size] ^= 1;
        CHECK_FALSE(decodes_to(enc, Cte::base64, changed));
        // Garbage and a padding in the middle: whatever decode() says, decodes_to agrees.
        enc.insert(4095 % enc.size(), "*");
        CHECK(decodes_to(enc, Cte::base64, decode_base64(enc)));
        enc.insert(enc.size() / 2, "A==");
        CHECK(decodes_to(enc, Cte::base64, decode_base64(enc)));
        CHECK_FALSE(decodes_to(enc, Cte::base64, raw));
      }
    }
  }

  TEST_CASE("base64 and identity encodings") {
    CHECK(decodes_to("aGVsbG8=", Cte::base64, "hello"));
    CHECK_FALSE(decodes_to("aGVsbG8=", Cte::base64, "hellO"));
    CHECK(decodes_to("as is", Cte::seven_bit, "as is"));
    CHECK_FALSE(decodes_to("as is", Cte::eight_bit, "as it"));
  }
}

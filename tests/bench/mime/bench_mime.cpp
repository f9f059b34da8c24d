// bench_mime [DATA_DIR] [ROUNDS]: walk + decode + re-encode throughput over the MIME corpus
// (every message of the corpora folder's mime/ and html-mail/, see tests/README.md), plus
// attachment skipping and the raw codecs, in MB/s of input. Not a test: numbers depend on the
// machine and build type.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../../conformance/mime/corpus_files.hpp"
#include "mime/mime.hpp"

using namespace pixelwarden::mime;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void report(const char* what, std::size_t bytes, double secs) {
  std::printf("%-44s %10.1f MB/s  (%zu bytes, %.3f s)\n", what,
              static_cast<double>(bytes) / 1e6 / secs, bytes, secs);
}

std::size_t walk_decode_reencode(const std::vector<std::string>& messages, bool reencode_too) {
  std::size_t sink = 0;
  for (const auto& raw : messages) {
    const Message msg(raw);
    const WalkResult r = msg.walk();
    for (const auto& p : r.parts) {
      if (!p.is_leaf()) continue;
      const std::string_view enc = part_body(p, msg.body());
      const std::string dec = decode(enc, p.cte);
      sink += dec.size();
      if (reencode_too) {
        const std::size_t mid = dec.size() / 2;
        const std::string edited = dec.substr(0, mid) + "x" + dec.substr(mid);
        sink += reencode(enc, dec, edited, p.cte).size();
      }
    }
  }
  return sink;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : PIXELWARDEN_DATA_DIR;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  std::vector<std::string> messages;
  std::size_t total = 0;
  for (const auto& f : corpus::message_files(data)) {
    messages.push_back(corpus::read_file(f));
    total += messages.back().size();
  }
  std::printf("corpus: %zu messages, %zu bytes, %d rounds\n", messages.size(), total, rounds);
  std::size_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) {
    for (const auto& raw : messages) sink += Message(raw).walk().parts.size();
  }
  report("walk only", total * rounds, seconds_since(t0));
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) sink += walk_decode_reencode(messages, false);
  report("walk + decode every leaf", total * rounds, seconds_since(t0));
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) sink += walk_decode_reencode(messages, true);
  report("walk + decode + edit + re-encode every leaf", total * rounds, seconds_since(t0));

  // Attachments: a 20 MB base64 part is skipped by the walker, never decoded.
  std::string big(15'000'000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + (i >> 9));
  const std::string b64 = encode_base64(big, 76, "\r\n");
  const std::string att =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: "
      "text/html\r\n\r\n<p>hi</p>\r\n"
      "--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
      b64 + "\r\n--b--\r\n";
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) sink += Message(att).walk().parts.size();
  report("walk over a 20 MB base64 attachment", att.size() * rounds, seconds_since(t0));
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) sink += decode_base64(b64).size();
  report("decode_base64", b64.size() * 5, seconds_since(t0));
  const std::string qp = encode_quoted_printable(big.substr(0, 5'000'000), "\r\n");
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) sink += decode_quoted_printable(qp).size();
  report("decode_quoted_printable (binary-heavy)", qp.size() * 5, seconds_since(t0));
  std::string text_qp;
  for (int i = 0; i < 60000; ++i)
    text_qp += "Hello caf=C3=A9 world, this is a fairly ordinary line of text=\r\n";
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) sink += decode_quoted_printable(text_qp).size();
  report("decode_quoted_printable (text)", text_qp.size() * 5, seconds_since(t0));
  std::printf("(checksum %zu)\n", sink);
  return 0;
}

// pw_bench_message: writes one synthetic benchmark message (tests/bench/engine/corpus.hpp)
// to a file, for the milter and end-to-end benchmarks.
//
//   pw_bench_message newsletter-qp|newsletter-base64|newsletter-clean|attachments|text OUT [SERIAL]
//   pw_bench_message big-rules DIR [DOMAINS]   (prints the entry file's path)

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "corpus.hpp"

int main(int argc, char** argv) try {
  using namespace pixelwarden::bench;
  if (argc < 3) {
    std::fprintf(stderr, "usage: pw_bench_message "
                         "newsletter-qp|newsletter-base64|newsletter-clean|attachments|text OUT "
                         "[SERIAL]\n");
    return 2;
  }
  std::string kind = argv[1];
  int serial = argc > 3 ? std::atoi(argv[3]) : 1;
  if (kind == "big-rules") {
    long domains = argc > 3 ? std::atol(argv[3]) : 1000000;
    std::printf("%s\n",
                write_big_ruleset(PIXELWARDEN_SOURCE_DIR "/rules", argv[2], domains).c_str());
    return 0;
  }
  std::string msg;
  if (kind == "newsletter-qp")
    msg = make_newsletter(serial, Encoding::quoted_printable);
  else if (kind == "newsletter-base64")
    msg = make_newsletter(serial, Encoding::base64);
  else if (kind == "newsletter-clean")
    msg = make_newsletter(serial, Encoding::quoted_printable, 50 * 1024, false);
  else if (kind == "attachments")
    msg = make_attachment_message(serial, 4u << 20);
  else if (kind == "text")
    msg = make_text_message(serial, 100 * 1024);
  else {
    std::fprintf(stderr, "pw_bench_message: unknown kind %s\n", kind.c_str());
    return 2;
  }
  std::ofstream(argv[2], std::ios::binary) << msg;
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "pw_bench_message: %s\n", e.what());
  return 1;
}

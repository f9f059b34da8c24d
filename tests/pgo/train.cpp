// pw_pgo_train: the workload the profile-guided build is trained on (built only with
// -DPIXELWARDEN_PGO=generate; see cmake/ProfileGuided.cmake).
//
//   pw_pgo_train RULESET [EML_DIR...]
//
// Runs the mail a gateway sees in bulk through engine::inspect() with the given ruleset,
// in the proportions of such a gateway: newsletters above all (quoted-printable and
// base64, with and without tracking pixels), plain text with links, messages with
// attachments, HTML of a few sizes; then every *.eml below each EML_DIR once per round
// (the project's parity messages: multipart shapes, charsets, lures, look-alikes), so
// the rarer paths are in the profile too, with their own small weight. The daemon runs
// the same engine per message (engine::Inspection), so what the profile says about the
// engine holds for it; its libmilter callbacks are optimized without a profile
// (-fprofile-partial-training).
//
// Deterministic: the same messages in the same order every run, one thread, so the same
// sources give the same profile (reproducible packages).

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "engine/inspect.hpp"
#include "ruleset/ruleset.hpp"

int main(int argc, char** argv) try {
  using namespace pixelwarden;
  using bench::Encoding;
  if (argc < 2) {
    std::fprintf(stderr, "usage: pw_pgo_train RULESET [EML_DIR...]\n");
    return 2;
  }
  auto loaded = ruleset::load_ruleset(argv[1]);
  if (!loaded.ruleset) {
    std::fprintf(stderr, "pw_pgo_train: cannot load the ruleset %s\n", argv[1]);
    return 1;
  }
  std::vector<std::string> bulk;
  for (int serial = 1; serial <= 4; ++serial) {
    // Quoted-printable newsletters twice as often as base64 ones (as the newsletter
    // engines send them), each message distinct.
    bulk.push_back(bench::make_newsletter(serial, Encoding::quoted_printable));
    bulk.push_back(bench::make_newsletter(serial + 4, Encoding::quoted_printable));
    bulk.push_back(bench::make_newsletter(serial, Encoding::base64));
    bulk.push_back(bench::make_newsletter(serial, Encoding::quoted_printable, 50 * 1024, false));
    bulk.push_back(bench::make_text_message(serial, 20 * 1024));
  }
  bulk.push_back(bench::make_attachment_message(1, 256 * 1024));
  for (std::size_t kb : {10, 200}) bulk.push_back(bench::make_sized_message(kb * 1000, 3));
  bulk.push_back(bench::make_sized_message(50 * 1000, 20));
  std::vector<std::string> parity;
  for (int i = 2; i < argc; ++i)
    for (std::string& m : bench::load_eml_tree(argv[i])) parity.push_back(std::move(m));

  engine::Envelope envelope;
  envelope.mail_from = "news@shop.example";
  envelope.rcpt = {"reader@corp.example"};
  envelope.client_ip = "192.0.2.25";
  envelope.helo = "mail.shop.example";
  std::size_t messages = 0;
  std::size_t trackers = 0;
  for (int round = 0; round < 40; ++round) {
    for (const std::string& m : bulk) {
      trackers += engine::inspect(m, envelope, loaded.ruleset).trackers.size();
      ++messages;
    }
    for (const std::string& m : parity) {
      trackers += engine::inspect(m, engine::Envelope{}, loaded.ruleset).trackers.size();
      ++messages;
    }
  }
  std::printf("pw_pgo_train: %zu messages (%zu parity messages per round), %zu trackers\n",
              messages, parity.size(), trackers);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "pw_pgo_train: %s\n", e.what());
  return 1;
}

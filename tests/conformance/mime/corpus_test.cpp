// A set of MIME messages through the walker and splice: every message walks (or is reported
// malformed) without crashing, a splice without edits is byte-identical, and replacing one
// randomly chosen leaf changes exactly that part's bytes, re-encoded in its own CTE.
//
// conformance_mime --corpora DIR                  the outside corpora (corpus_files.hpp)
// conformance_mime --dir DIR --glob PATTERN       every file under DIR matching PATTERN
//   [--label NAME] [--min-messages N] [--min-replaced N] [--max-depth N]
//   [--expect-malformed PATTERN]... [doctest options]
// A --dir that does not exist exits 77 (skipped): the set comes from a package not installed.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <fnmatch.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "base/text.hpp"
#include "corpus_files.hpp"
#include "mime/codec.hpp"
#include "mime/header.hpp"
#include "mime/message.hpp"
#include "mime/reencode.hpp"
#include "mime/splice.hpp"

using namespace pixelwarden::mime;
namespace base = pixelwarden::base;

namespace {

struct MessageSet {
  std::string label = "corpus";
  std::vector<std::filesystem::path> files;
  int min_messages = 1;  // fewer means the set was not found or not generated: fail
  int min_replaced = 1;
  WalkLimits limits;  // --max-depth: the walker's nesting limit (default 32)
  // --expect-malformed PATTERN (repeatable): exactly the files whose name matches one of
  // them must be flagged malformed (a generated set knows which ones exceed the limits).
  std::vector<std::string> expect_malformed;
  bool expected_malformed(const std::filesystem::path& f) const {
    for (const auto& p : expect_malformed) {
      if (::fnmatch(p.c_str(), f.filename().c_str(), 0) == 0) return true;
    }
    return false;
  }
};
MessageSet g_set;

std::uint32_t test_seed() {
  if (const char* s = std::getenv("PIXELWARDEN_SEED"))
    return static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

// Edited content that cannot create a delimiter line: letters, spaces and line ends.
std::string edit(const std::string& decoded, std::mt19937& rng, std::string_view eol) {
  std::string out = decoded;
  const std::size_t at = out.empty() ? 0 : rng() % (out.size() + 1);
  std::string insert = "pixelwarden";
  for (int i = 0, n = static_cast<int>(rng() % 200); i < n; ++i) {
    insert.push_back(i % 37 == 36 ? ' ' : static_cast<char>('a' + rng() % 26));
    if (i % 90 == 89) insert += eol;
  }
  out.insert(at, insert);
  return out;
}

}  // namespace

TEST_SUITE("mime::Corpus") {
  TEST_CASE("every message walks and a splice without edits is byte-identical") {
    const auto& files = g_set.files;
    REQUIRE(static_cast<int>(files.size()) >= g_set.min_messages);
    int malformed = 0, parts = 0, identical = 0;
    for (const auto& f : files) {
      const std::string raw = corpus::read_file(f);
      const Message msg(raw);
      const WalkResult r = msg.walk(g_set.limits);
      malformed += r.malformed ? 1 : 0;
      if (!g_set.expect_malformed.empty() && r.malformed != g_set.expected_malformed(f)) {
        FAIL_CHECK((r.malformed ? "malformed, not expected: " : "not malformed, expected: ")
                   << f.string());
      }
      parts += static_cast<int>(r.parts.size());
      const std::string out =
          std::string(msg.header_block()) +
          raw.substr(msg.header_block().size(), msg.body_offset() - msg.header_block().size()) +
          splice(msg.body(), {});
      if (out == raw)
        ++identical;
      else
        FAIL_CHECK("not identical: " << f.string());
      for (const auto& p : r.parts) {
        CHECK(p.body_begin <= p.body_end);
        CHECK(p.body_end <= msg.body().size());
      }
    }
    std::printf("%s: %zu messages, %d parts, %d malformed, %d identical after no-edit splice\n",
                g_set.label.c_str(), files.size(), parts, malformed, identical);
    CHECK(identical == static_cast<int>(files.size()));
  }

  TEST_CASE("replacing one random leaf changes exactly that part's bytes") {
    const std::uint32_t seed = test_seed();
    std::printf("%s leaf replacement: seed %u (set PIXELWARDEN_SEED to replay)\n",
                g_set.label.c_str(), seed);
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    int replaced = 0, verified = 0, lines_reused = 0;
    for (const auto& f : g_set.files) {
      const std::string raw = corpus::read_file(f);
      const Message msg(raw);
      const WalkResult r = msg.walk(g_set.limits);
      std::vector<std::size_t> leaves;
      for (std::size_t i = 0; i < r.parts.size(); ++i) {
        if (r.parts[i].is_leaf()) leaves.push_back(i);
      }
      if (r.malformed || leaves.empty()) continue;
      const Part& part = r.parts[leaves[rng() % leaves.size()]];
      const std::string_view body = msg.body();
      const std::string_view enc = part_body(part, body);
      const std::string old_dec = decode(enc, part.cte);
      const std::string_view eol = detect_eol(raw);
      const std::string new_dec = edit(old_dec, rng, eol);
      const std::string new_enc = reencode(enc, old_dec, new_dec, part.cte, eol);
      INFO(f.string() << " part " << part.path);
      CHECK(decode(new_enc, part.cte) == new_dec);
      if (longest_line(new_enc) > 998) CHECK(longest_line(new_enc) <= longest_line(enc) + 200);
      if (!enc.empty() && new_enc.compare(0, 16, enc.substr(0, 16)) == 0) ++lines_reused;
      const pixelwarden::base::Patch rep = replace_body(part, new_enc, body);
      const std::string out = splice(body, {rep});
      const std::string expected = std::string(body.substr(0, part.body_begin)) + rep.replacement +
                                   std::string(body.substr(part.body_end));
      CHECK(out == expected);
      ++replaced;
      // The edited message walks to the same tree, with the new content in place.
      const WalkResult again = walk(msg.header_block(), out, g_set.limits);
      if (again.parts.size() == r.parts.size()) {
        const Part& moved = again.parts[static_cast<std::size_t>(&part - r.parts.data())];
        CHECK(moved.path == part.path);
        CHECK(base::trim(decode(part_body(moved, out), moved.cte)) == base::trim(new_dec));
        ++verified;
      }
    }
    std::printf("%s leaf replacement: %d parts replaced, %d re-walked identically, "
                "%d kept their first encoded line\n",
                g_set.label.c_str(), replaced, verified, lines_reused);
    CHECK(replaced >= g_set.min_replaced);
  }
}

int main(int argc, char** argv) {
  std::string corpora, dir, glob = "*";
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (has_value && std::strcmp(argv[i], "--corpora") == 0)
      corpora = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--dir") == 0)
      dir = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--glob") == 0)
      glob = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--label") == 0)
      g_set.label = argv[++i];
    else if (has_value && std::strcmp(argv[i], "--min-messages") == 0)
      g_set.min_messages = std::atoi(argv[++i]);
    else if (has_value && std::strcmp(argv[i], "--min-replaced") == 0)
      g_set.min_replaced = std::atoi(argv[++i]);
    else if (has_value && std::strcmp(argv[i], "--max-depth") == 0)
      g_set.limits.max_depth = std::atoi(argv[++i]);
    else if (has_value && std::strcmp(argv[i], "--expect-malformed") == 0)
      g_set.expect_malformed.emplace_back(argv[++i]);
    else
      rest.push_back(argv[i]);
  }
  if (corpora.empty() == dir.empty()) {
    std::fprintf(
        stderr,
        "usage: %s (--corpora DIR | --dir DIR [--glob PATTERN]) [--label NAME] "
        "[--min-messages N] [--min-replaced N] [--max-depth N] [--expect-malformed PATTERN]... "
        "[doctest options]\n",
        argv[0]);
    return 2;
  }
  if (!dir.empty() && !std::filesystem::is_directory(dir)) {
    std::printf("%s: %s is not there: skipped\n", g_set.label.c_str(), dir.c_str());
    return 77;
  }
  g_set.files =
      corpora.empty() ? corpus::matching_files(dir, glob) : corpus::message_files(corpora);
  doctest::Context context(static_cast<int>(rest.size()), rest.data());
  return context.run();
}

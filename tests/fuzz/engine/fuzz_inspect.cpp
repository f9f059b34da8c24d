// libFuzzer target for the staged inspection and its rewrite (engine::inspect +
// engine::apply_verdict) over one whole message, with two compiled rulesets:
//   - no rules (and malformed_mime: pass): the message leaves byte-identical, with no
//     edit (but the removal of a report header it arrived with) and no refusal;
//   - every remote resource neutralized: whatever the engine rewrote, the output walks
//     to the same part tree as the input (same paths, types, encodings, nesting), and
//     inspecting the output again finds no remote resource left to neutralize in the
//     parts it rewrote, so the rewrite never breaks the MIME structure around a part.
// Seeds: tests/data/fuzz/fuzz_inspect/ (whole messages).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

#include "engine/inspect.hpp"
#include "mime/header.hpp"
#include "mime/walk.hpp"
#include "ruleset/ruleset.hpp"

namespace {

using namespace pixelwarden;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_inspect invariant violated: %s\n", what);
    std::abort();
  }
}

const char* const k_no_rules = R"(ruleset: {name: fuzz-none, version: "1"}
malformed_mime: pass
)";

const char* const k_neutralize_all = R"(ruleset: {name: fuzz-all, version: "1"}
malformed_mime: pass
remote_content:
  action: neutralize
)";

std::shared_ptr<const ruleset::Ruleset> load(const char* yaml) {
  std::string dir = (std::filesystem::temp_directory_path() / "fuzz-inspect-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) std::abort();
  const std::string path = dir + "/rules.yaml";
  std::ofstream(path, std::ios::binary) << yaml;
  auto r = ruleset::load_ruleset(path);
  std::filesystem::remove_all(dir);
  if (!r.ruleset) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::abort();
  }
  return r.ruleset;
}

// The structure of a message: one line per part, without byte offsets.
std::string shape(std::string_view message) {
  const mime::MessageSplit split = mime::split_message(message);
  const mime::WalkResult w = mime::walk(split.header_block, split.body);
  std::string out = w.malformed ? "malformed\n" : "";
  for (const auto& p : w.parts) {
    out += p.path + " " + p.content_type.type + "/" + p.content_type.subtype +
           " cte=" + std::to_string(static_cast<int>(p.cte)) + " depth=" + std::to_string(p.depth) +
           " parent=" + std::to_string(p.parent) + " children=" + std::to_string(p.children) +
           (p.is_multipart ? " multipart" : "") + (p.is_message ? " message" : "") + "\n";
  }
  return out;
}

engine::Envelope envelope() {
  engine::Envelope e;
  e.mail_from = "sender@example.org";
  e.rcpt = {"rcpt@example.net"};
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto none = load(k_no_rules);
  static const auto all = load(k_neutralize_all);
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  engine::Limits limits;
  limits.max_message_bytes = 1 << 20;

  const engine::Verdict plain = engine::inspect(in, envelope(), none, limits);
  require(!plain.final(), "no rules: no refusal");
  // A report header the message arrived with is removed whatever the rules (nobody
  // outside may forge the filter's verdict): the one edit allowed without rules.
  bool removals_only = true;
  for (const auto& e : plain.header_edits) {
    removals_only &= e.kind == engine::HeaderEdit::Kind::remove && e.name == none->report().header;
  }
  require(!plain.new_body && removals_only, "no rules: no edit");
  if (plain.header_edits.empty()) {
    require(engine::apply_verdict(in, plain) == in, "no rules: byte-identical");
  }

  const engine::Verdict v = engine::inspect(in, envelope(), all, limits);
  require(!v.final(), "neutralize-all: no refusal");
  const std::string out = engine::apply_verdict(in, v);
  require(shape(out) == shape(in), "the rewritten message walks to the same part tree");
  if (!v.new_body) return 0;
  const engine::Verdict again = engine::inspect(out, envelope(), all, limits);
  require(again.skipped == v.skipped, "the rewritten message is skipped for the same reason");
  require(again.remote_resources <= v.remote_resources, "no remote resource appears by rewriting");
  return 0;
}

// libFuzzer target for scan + rewrite: no crash; no edits is the identity; planned
// patches never overlap partially; neutralizing everything leaves no remote
// resource; the output tokenizes to the same tags (names, in order) as the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "html/html.hpp"
#include "html/tokenizer.hpp"

namespace {
std::vector<std::string> tags(std::string_view in) {
  pixelwarden::html::Tokenizer tok(in);
  pixelwarden::html::Token t;
  std::vector<std::string> out;
  while (tok.next(t)) {
    if (t.kind == pixelwarden::html::TokenKind::start_tag) out.push_back("<" + std::string(t.name));
    if (t.kind == pixelwarden::html::TokenKind::end_tag) out.push_back("</" + std::string(t.name));
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pixelwarden::html;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ScanResult s = scan(in);
  if (rewrite(in, s, {}) != in) std::abort();
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < s.resources.size(); ++i) edits.push_back({i, Op::neutralize, ""});
  if (!apply_patches(in, plan_patches(in, s, edits))) std::abort();
  std::string out = rewrite(in, s, edits);
  if (!scan(out).resources.empty()) std::abort();
  if (tags(out) != tags(in)) std::abort();
  for (Edit& e : edits) e.op = Op::strip;
  (void)rewrite(in, s, edits);
  (void)scan_text_links(in);
  return 0;
}

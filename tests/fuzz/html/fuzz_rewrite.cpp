// libFuzzer target for scan + rewrite: no crash; no edits is the identity; planned
// patches never overlap partially; neutralizing everything leaves no remote
// resource; the output tokenizes to the same tags (names, in order) as the input.
//
// Known open finding (tests/data/fuzz/known/fuzz_html_rewrite/): when the raw text of a
// <style> holds markup, the engine reads it twice, as CSS and as tags (the shadow scan),
// and an edit made for one reading can change the other (a quote or '<' removed, a url()
// glued to an identifier): the output re-scans with a resource, or the two readings'
// patches overlap. Such inputs are exempt from those two checks here, and only here: the
// strict build (PIXELWARDEN_FUZZ_STRICT, replay_html_rewrite_strict) keeps them, and
// ctest's fuzz.html.rewrite.known.* assert that the listed inputs still fail them, so a
// fix shows.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "html/html.hpp"
#include "html/tokenizer.hpp"

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_rewrite invariant violated: %s\n", what);
    std::abort();
  }
}

std::vector<std::string> tags(std::string_view in) {
  pixelwarden::html::Tokenizer tok(in);
  pixelwarden::html::Token t;
  std::vector<std::string> out;
  while (tok.next(t)) {
    if (t.kind == pixelwarden::html::TokenKind::start_tag) out.push_back(std::string("<").append(t.name));
    if (t.kind == pixelwarden::html::TokenKind::end_tag) out.push_back(std::string("</").append(t.name));
  }
  return out;
}

// A <style> whose raw text holds a '<': read as CSS and as tags both (see above).
[[maybe_unused]] bool style_holds_markup(std::string_view in) {
  pixelwarden::html::Tokenizer tok(in);
  pixelwarden::html::Token t;
  while (tok.next(t)) {
    if (t.kind == pixelwarden::html::TokenKind::raw_text && t.name == "style" &&
        std::memchr(in.data() + t.data_begin, '<', t.data_end - t.data_begin) != nullptr)
      return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pixelwarden::html;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ScanResult s = scan(in);
  require(rewrite(in, s, {}) == in, "no edits is the identity");
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < s.resources.size(); ++i) edits.push_back({i, Op::neutralize, ""});
#ifdef PIXELWARDEN_FUZZ_STRICT
  const bool exempt = false;
#else
  const bool exempt = style_holds_markup(in);
#endif
  require(apply_patches(in, plan_patches(in, s, edits)).ok() || exempt, "planned patches apply");
  std::string out = rewrite(in, s, edits);
  require(scan(out).resources.empty() || exempt, "neutralized output re-scans with no resource");
  require(tags(out) == tags(in), "same tags after neutralizing");
  for (Edit& e : edits) e.op = Op::strip;
  (void)rewrite(in, s, edits);
  (void)scan_text_links(in);
  return 0;
}

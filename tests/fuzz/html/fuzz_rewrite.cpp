// libFuzzer target for scan + rewrite: no crash; no edits is the identity; planned
// patches never overlap partially; neutralizing everything leaves no remote
// resource; the output tokenizes to the same tags (names, in order) as the input.
// An <iframe srcdoc> document, a <style> in foreign content (child text with
// references and CDATA) and the AMP components are held to the same invariants.
// These hold for both readings of a <style> whose raw text holds markup, as CSS and
// as tags (the shadow scan): the seeds *-in-style.html, css-*.html and
// import-glued-to-ident.html are minimized findings of that class.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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
    if (t.kind == pixelwarden::html::TokenKind::start_tag)
      out.push_back(std::string("<").append(t.name));
    if (t.kind == pixelwarden::html::TokenKind::end_tag)
      out.push_back(std::string("</").append(t.name));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pixelwarden::html;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (bool amp : {false, true}) {  // text/html, and text/x-amp-html with its components
    const ScanOptions options{amp};
    ScanResult s = scan(in, {}, options);
    require(rewrite(in, s, {}) == in, "no edits is the identity");
    std::vector<Edit> edits;
    for (std::size_t i = 0; i < s.resources.size(); ++i) edits.push_back({i, Op::neutralize, ""});
    require(apply_patches(in, plan_patches(in, s, edits)).ok(), "planned patches apply");
    std::string out = rewrite(in, s, edits);
    require(scan(out, {}, options).resources.empty(),
            "neutralized output re-scans with no resource");
    require(tags(out) == tags(in), "same tags after neutralizing");
    for (Edit& e : edits) e.op = Op::strip;
    (void)rewrite(in, s, edits);
  }
  (void)scan_text_links(in);
  return 0;
}

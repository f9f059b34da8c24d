#pragma once
// Applying tracker decisions to an HTML part, as patches over the original bytes:
// each decision becomes Patch{offset, length, replacement}; patches are sorted,
// checked for overlap (a patch inside a larger removal is dropped, overlapping
// removals are merged; any other partial overlap is an error), then applied. Bytes outside patched
// spans are untouched and no edits give the input back unchanged. Actions (docs/ruleset.md,
// "Tracker actions"): neutralize (image-like -> 1x1 GIF data URL, others
// -> "data:,"), strip (void element removed whole; other elements lose the attribute; a srcset
// candidate leaves its list; CSS loses the declaration, @import rule or
// @font-face block), proxy (image-like only, the caller's proxy_url; others are
// neutralized; a proxy_url equal to the resolved URL, i.e. already proxied, keeps),
// keep. Attribute values are re-escaped for their quoting; an unquoted value is
// quoted when the new text needs it.
// Non-goals: charset or transfer encoding (the engine re-encodes the part).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/patch.hpp"
#include "base/result.hpp"
#include "html/resource.hpp"

namespace pixelwarden::html {

inline constexpr std::string_view k_pixel_gif =
    "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
inline constexpr std::string_view k_empty_data_url = "data:,";

enum class Op { keep, neutralize, strip, proxy };

struct Edit {
  std::size_t resource = 0;  // index into ScanResult::resources
  Op op = Op::keep;
  std::string proxy_url;  // for Op::proxy (see camo_url)
};

// The project's one edit type (base/patch.hpp): offsets into the part's decoded HTML.
using base::Patch;

// The order patches are applied in: sorted by offset (at one offset, pure insertions
// first, then the larger replacement), a patch inside an earlier larger one dropped,
// two partly overlapping removals merged into one; an error for any other partial
// overlap or a patch beyond `input_size`.
base::Result<std::vector<Patch>> order_patches(std::vector<Patch> patches, std::size_t input_size);

// Orders the patches (order_patches()) and applies them (base::apply_ordered()).
base::Result<std::string> apply_patches(std::string_view input, std::vector<Patch> patches);

// The patches rewrite() would apply (for tests and tools).
std::vector<Patch> plan_patches(std::string_view html, const ScanResult& scan,
                                const std::vector<Edit>& edits);

// plan_patches() applied. Its patches always order (no partial overlap, nothing past the
// end: fuzz_html_rewrite checks it); if they did not, that is a bug, asserted, and in a
// release build an exception, which the milter answers with its on_error action: never a
// decided resource left in place silently.
std::string rewrite(std::string_view html, const ScanResult& scan, const std::vector<Edit>& edits);

// camo/go-camo URL: BASE/<hex HMAC-SHA1(key, url)>/<hex(url)>. A URL already under
// base_url is returned unchanged (never re-proxied).
std::string camo_url(std::string_view base_url, std::string_view key, std::string_view url);

// Inserts `banner` at scan.banner_offset: after <body>, else after </head>, else
// after <html>, else after the DOCTYPE, else first.
std::string insert_html_banner(std::string_view html, const ScanResult& scan,
                               std::string_view banner);

// Puts `banner` and a blank line at the top of a text/plain part, with the part's
// own line ending (its first one; fallback_eol when it has none, e.g. the message's).
std::string insert_text_banner(std::string_view text, std::string_view banner,
                               std::string_view fallback_eol = "\r\n");

}  // namespace pixelwarden::html

#pragma once
// The resource model: every construct through which a browser fetches on open, derived
// from the specs (WHATWG HTML, SVG 2 and SVG Animations, Filter Effects, CSS Values,
// Images, Backgrounds, Lists, Content, UI, Masking, Shapes, Fonts, Cascade, Variables)
// and from what Chromium does where it differs from them, one row per construct.
// docs/ruleset.md publishes it (a unit test keeps the two equal); the engine's unit
// tests scan every row's sample and require the row's vector (so the table and the
// extractor cannot drift), and the real-browser test (tests/conformance/browser) loads
// every sample in Chromium before and after the filter.
// Rows also name constructs that do NOT fetch (legacy attributes, things that need
// scripting), so the table says what was checked, not only what was found.
// Non-goals: links (fetched on a click only) and the read-receipt headers, which are
// not markup.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "html/resource.hpp"

namespace pixelwarden::html {

// Whether mail clients fetch it when a message is opened.
enum class ClientFetch {
  yes,   // the common clients (webmail, Apple Mail, Thunderbird, Outlook) do
  some,  // some do (Outlook's Word engine, Apple Mail, AMP-capable webmail, ...)
  no     // none: clients run no scripts and strip or ignore it
};

struct ResourceRow {
  const char* id;         // stable, [a-z0-9-]+
  const char* construct;  // the element, attribute, property or at-rule (markdown)
  const char* spec;       // where it is specified: "HTML #attr-img-src" (WHATWG anchor), ...
  ClientFetch clients;
  bool chromium;                 // Chromium (headless shell, scripting off) fetches `sample`
  const char* sample;            // HTML with the placeholder {URL} (an absolute http URL)
  const char* part_type;         // the MIME type of the part that carries `sample`
  std::optional<Vector> vector;  // the engine's vector for the URL; none: not read
};

std::span<const ResourceRow> resource_table();

const char* to_string(ClientFetch c);

// The lists of the table that scan() reads by name (lowercase):
// elements whose `background` attribute is an image (HTML rendering, tables; Chromium
// also reads it on col and colgroup),
bool has_background_attribute(std::string_view element);
// SVG presentation attributes whose value may hold a CSS url() that fetches (SVG 2
// painting, CSS Masking, Filter Effects, CSS UI cursor).
bool is_svg_url_presentation_attribute(std::string_view attribute);

// How pixelwarden neutralizes a URL read with this vector (docs/ruleset.md wording);
// "not read" without one.
const char* neutralization(std::optional<Vector> v);

}  // namespace pixelwarden::html

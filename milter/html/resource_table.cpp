// The resource table (see resource_table.hpp). Spec references: "HTML #x" is
// https://html.spec.whatwg.org/multipage/ with anchor x; "SVG2 f#x" is
// https://www.w3.org/TR/SVG2/f.html#x; "svg-animations #x" is
// https://svgwg.org/specs/animations/#x; "URL #x" is https://url.spec.whatwg.org/#x;
// "css-NAME #x" is https://drafts.csswg.org/css-NAME/#x (filter-effects-1 and
// css-masking-1 at drafts.fxtf.org); "MathML Core #x" is
// https://w3c.github.io/mathml-core/#x; "Chromium" marks what only
// Chromium defines. `chromium` is what Chromium 156 (Debian's chromium-headless-shell,
// scripting off) did with the sample; the real-browser test re-checks every row.
#include "html/resource_table.hpp"

namespace pixelwarden::html {

namespace {

using C = ClientFetch;
using V = Vector;
constexpr const char* k_html = "text/html";
constexpr std::optional<Vector> k_not_read = std::nullopt;

// A visible 9x9 box for the CSS rows (Chromium does not fetch the images of boxes it
// does not render).
#define PW_BOX "width:9px;height:9px"

constexpr ResourceRow k_rows[] = {
    // HTML: embedded content
    {"img-src", "`img src`", "HTML #attr-img-src", C::yes, true, "<img src=\"{URL}\">", k_html,
     V::img},
    {"img-srcset", "`img srcset` (each candidate)", "HTML #attr-img-srcset", C::yes, true,
     "<img srcset=\"{URL} 1x\">", k_html, V::srcset},
    {"url-https", "an `https` URL (the proxy sees its CONNECT)", "HTML #attr-img-src", C::yes, true,
     "<img src=\"https://{HOST}/r.png\">", k_html, V::img},
    {"url-protocol-relative", "a protocol-relative URL (`//host/path`)",
     "URL #concept-basic-url-parser", C::yes, true, "<img src=\"//{HOST}/r.png\">", k_html, V::img},
    {"url-charref", "a URL written with character references (`&#104;ttp&colon;`)",
     "HTML #attributes-2", C::yes, true, "<img src=\"&#104;ttp&colon;//{HOST}/r.png\">", k_html,
     V::img},
    {"image-element", "`image src` outside SVG (the parser makes it `img`)",
     "HTML #parsing-main-inbody", C::yes, true, "<image src=\"{URL}\">", k_html, V::img},
    {"img-in-svg", "`img` inside `svg` (the parser leaves foreign content)",
     "HTML #parsing-main-inforeign", C::yes, true, "<svg><img src=\"{URL}\"></svg>", k_html,
     V::img},
    {"noscript-img", "`img` inside `noscript` (markup when scripting is off)",
     "HTML #the-noscript-element", C::yes, true, "<noscript><img src=\"{URL}\"></noscript>", k_html,
     V::img},
    {"template-img", "`img` inside `template` (inert; read anyway)", "HTML #the-template-element",
     C::no, false, "<template><img src=\"{URL}\"></template>", k_html, V::img},
    {"base-protocol-relative", "relative URL under a protocol-relative `<base href=\"//host/\">`",
     "HTML #the-base-element", C::yes, true, "<base href=\"//{HOST}/\"><img src=\"r.png\">", k_html,
     V::img},
    {"picture-source", "`picture > source srcset`", "HTML #attr-source-srcset", C::yes, true,
     "<picture><source srcset=\"{URL}\"><img src=\"data:,\"></picture>", k_html, V::picture_source},
    {"input-image", "`input type=image src`", "HTML #attr-input-src", C::some, true,
     "<input type=\"image\" src=\"{URL}\">", k_html, V::input_image},
    {"video-poster", "`video poster`", "HTML #attr-video-poster", C::some, true,
     "<video poster=\"{URL}\"></video>", k_html, V::video_poster},
    {"video-src", "`video src`", "HTML #attr-media-src", C::some, true,
     "<video src=\"{URL}\"></video>", k_html, V::media_src},
    {"audio-src", "`audio src`", "HTML #attr-media-src", C::some, true,
     "<audio src=\"{URL}\"></audio>", k_html, V::media_src},
    {"media-source-src", "`video > source src`, `audio > source src`", "HTML #attr-source-src",
     C::some, true, "<video><source src=\"{URL}\"></video>", k_html, V::media_src},
    {"track-src", "`track src` (only when the track is shown and its media loads)",
     "HTML #attr-track-src", C::no, false,
     "<video src=\"data:,\"><track src=\"{URL}\" default></video>", k_html, V::media_src},
    {"embed-src", "`embed src`", "HTML #attr-embed-src", C::no, true,
     "<embed src=\"{URL}\" width=\"9\" height=\"9\">", k_html, V::embed},
    {"object-data", "`object data`", "HTML #attr-object-data", C::no, true,
     "<object data=\"{URL}\" width=\"9\" height=\"9\"></object>", k_html, V::object},
    {"object-param", "`object > param` named `movie`, `src`, `url`, `code` (plugins only)",
     "HTML #the-param-element", C::no, false,
     "<object><param name=\"movie\" value=\"{URL}\"></object>", k_html, k_not_read},
    {"iframe-src", "`iframe src`", "HTML #attr-iframe-src", C::some, true,
     "<iframe src=\"{URL}\"></iframe>", k_html, V::iframe},
    {"iframe-srcdoc", "the resources of an `iframe srcdoc` document", "HTML #attr-iframe-srcdoc",
     C::some, true, "<iframe srcdoc=\"&lt;img src=&quot;{URL}&quot;&gt;\"></iframe>", k_html,
     V::img},
    {"frame-src", "`frame src`", "HTML #frame", C::no, true,
     "<frameset><frame src=\"{URL}\"></frameset>", k_html, V::iframe},
    // HTML: links and metadata
    {"link-stylesheet", "`link rel=stylesheet href` (also `alternate stylesheet`, any `media`)",
     "HTML #link-type-stylesheet", C::yes, true, "<link rel=\"stylesheet\" href=\"{URL}\">", k_html,
     V::link},
    {"link-preload", "`link rel=preload href` (`as` image, style, font, fetch)",
     "HTML #link-type-preload", C::some, true, "<link rel=\"preload\" as=\"image\" href=\"{URL}\">",
     k_html, V::link},
    {"link-preload-script",
     "`link rel=preload as=script`, `rel=modulepreload` (not with scripting off)",
     "HTML #link-type-modulepreload", C::no, false, "<link rel=\"modulepreload\" href=\"{URL}\">",
     k_html, V::link},
    {"link-imagesrcset", "`link rel=preload as=image imagesrcset` (each candidate)",
     "HTML #attr-link-imagesrcset", C::some, true,
     "<link rel=\"preload\" as=\"image\" imagesrcset=\"{URL} 1x\">", k_html, V::link},
    {"link-prefetch", "`link rel=prefetch href`", "HTML #link-type-prefetch", C::some, true,
     "<link rel=\"prefetch\" href=\"{URL}\">", k_html, V::link},
    {"link-compression-dictionary", "`link rel=compression-dictionary href`",
     "Chromium; RFC 9842 (Compression Dictionary Transport)", C::some, true,
     "<link rel=\"compression-dictionary\" href=\"{URL}\">", k_html, V::link},
    {"link-icon", "`link rel=icon` (`shortcut icon`, `apple-touch-icon`, `mask-icon`...)",
     "HTML #rel-icon", C::some, false, "<link rel=\"icon\" href=\"{URL}\">", k_html, V::link},
    {"link-preconnect",
     "`link rel=preconnect`, `rel=dns-prefetch` (a connection or a DNS lookup, no request)",
     "HTML #link-type-preconnect", C::some, false, "<link rel=\"preconnect\" href=\"{URL}\">",
     k_html, V::link},
    {"link-prerender", "`link rel=prerender`, `rel=manifest`", "HTML #link-type-manifest", C::no,
     false, "<link rel=\"prerender\" href=\"{URL}\">", k_html, V::link},
    {"meta-refresh", "`meta http-equiv=refresh content` URL", "HTML #attr-meta-http-equiv-refresh",
     C::some, true, "<meta http-equiv=\"refresh\" content=\"0;url={URL}\">", k_html,
     V::meta_refresh},
    {"meta-link", "`meta http-equiv=Link` (no browser reads it)", "RFC 8288 (HTTP header only)",
     C::no, false, "<meta http-equiv=\"Link\" content=\"&lt;{URL}&gt;; rel=preload; as=image\">",
     k_html, k_not_read},
    {"script-src", "`script src` (no client runs scripts)", "HTML #attr-script-src", C::no, false,
     "<script src=\"{URL}\"></script>", k_html, V::script},
    {"speculation-rules", "`script type=speculationrules` (a script: not with scripting off)",
     "HTML #speculation-rules", C::no, false,
     "<script "
     "type=\"speculationrules\">{\"prefetch\":[{\"source\":\"list\",\"urls\":[\"{URL}\"]}]}</"
     "script>",
     k_html, k_not_read},
    {"a-ping", "`a ping`, `a href`, `form action` (on a click only)", "HTML #ping", C::no, false,
     "<a href=\"http://example.org/\" ping=\"{URL}\">x</a>", k_html, k_not_read},
    {"legacy-src", "`img lowsrc`, `img dynsrc`, `bgsound src` (old Internet Explorer)",
     "none (IE only)", C::no, false, "<img lowsrc=\"{URL}\"><bgsound src=\"{URL}\">", k_html,
     k_not_read},
    {"html-manifest", "`html manifest` (application cache, removed)", "none (removed from HTML)",
     C::no, false, "<html manifest=\"{URL}\">", k_html, k_not_read},
    // HTML: presentational background attributes
    {"body-background", "`body background`", "HTML #the-page", C::yes, true,
     "<body background=\"{URL}\">x", k_html, V::background},
    {"table-background", "`table background`", "HTML #tables-2", C::yes, true,
     "<table background=\"{URL}\"><tr><td>x</td></tr></table>", k_html, V::background},
    {"cell-background", "`td background`, `th background`", "HTML #tables-2", C::yes, true,
     "<table><tr><td background=\"{URL}\">x</td></tr></table>", k_html, V::background},
    {"row-background", "`tr background`", "HTML #tables-2", C::yes, true,
     "<table><tr background=\"{URL}\"><td>x</td></tr></table>", k_html, V::background},
    {"section-background", "`thead background`, `tbody background`, `tfoot background`",
     "HTML #tables-2", C::yes, true,
     "<table><tbody background=\"{URL}\"><tr><td>x</td></tr></tbody></table>", k_html,
     V::background},
    {"column-background", "`col background`, `colgroup background`", "Chromium (not in HTML)",
     C::some, true,
     "<table><colgroup background=\"{URL}\"><col></colgroup><tr><td>x</td></tr></table>", k_html,
     V::background},
    // VML (Outlook's Word engine only)
    {"vml", "VML `v:imagedata`, `v:image`, `v:fill` `src`", "none (Microsoft VML)", C::some, false,
     "<v:fill src=\"{URL}\"></v:fill>", k_html, V::vml},
    // SVG
    {"svg-image", "SVG `image href`", "SVG2 embedded.html#ImageElement", C::yes, true,
     "<svg width=\"20\" height=\"20\"><image href=\"{URL}\" width=\"9\" height=\"9\"/></svg>",
     k_html, V::svg_image},
    {"svg-image-xlink", "SVG `image xlink:href`", "SVG2 linking.html#XLinkHrefAttribute", C::yes,
     true,
     "<svg width=\"20\" height=\"20\"><image xlink:href=\"{URL}\" width=\"9\" height=\"9\"/></svg>",
     k_html, V::svg_image},
    {"svg-feimage", "SVG `feImage href`, `xlink:href`", "filter-effects-1 #feImageElement", C::yes,
     true,
     "<svg width=\"20\" height=\"20\"><filter id=\"f\"><feImage href=\"{URL}\"/></filter>"
     "<rect width=\"9\" height=\"9\" filter=\"url(#f)\"/></svg>",
     k_html, V::svg_image},
    {"svg-use", "SVG `use href` to another document (cross-origin: not fetched)",
     "SVG2 struct.html#UseElement", C::no, false,
     "<svg width=\"20\" height=\"20\"><use href=\"{URL}#a\"/></svg>", k_html, k_not_read},
    {"svg-href-reference", "SVG `pattern`, `linearGradient`, `filter` `href` to another document",
     "SVG2 pservers.html#PatternElementHrefAttribute", C::no, false,
     "<svg width=\"20\" height=\"20\"><pattern id=\"p\" href=\"{URL}#q\"/><rect width=\"9\" "
     "height=\"9\" "
     "fill=\"url(#p)\"/></svg>",
     k_html, k_not_read},
    {"svg-paint-attribute", "SVG presentation attributes `fill`, `stroke` with `url()`",
     "SVG2 painting.html#SpecifyingPaint", C::yes, true,
     "<svg width=\"20\" height=\"20\"><rect width=\"9\" height=\"9\" fill=\"url({URL}#p)\"/></svg>",
     k_html, V::css_url},
    {"svg-mask-attribute", "SVG presentation attribute `mask` with `url()`",
     "css-masking-1 #the-mask", C::yes, true,
     "<svg width=\"20\" height=\"20\"><rect width=\"9\" height=\"9\" mask=\"url({URL}#m)\"/></svg>",
     k_html, V::css_url},
    {"svg-clip-path-attribute", "SVG presentation attribute `clip-path` with `url()`",
     "css-masking-1 #the-clip-path", C::yes, true,
     "<svg width=\"20\" height=\"20\"><rect width=\"9\" height=\"9\" "
     "clip-path=\"url({URL}#c)\"/></svg>",
     k_html, V::css_url},
    {"svg-marker-attribute",
     "SVG presentation attributes `marker-start`, `marker-mid`, `marker-end`",
     "SVG2 painting.html#MarkerProperties", C::yes, true,
     "<svg width=\"20\" height=\"20\"><path d=\"M0 0L9 9\" stroke=\"black\" "
     "marker-start=\"url({URL}#m)\"/></svg>",
     k_html, V::css_url},
    {"svg-cursor-attribute", "SVG presentation attribute `cursor` with `url()`",
     "SVG2 interact.html#CursorProperty", C::yes, true,
     "<svg width=\"20\" height=\"20\"><rect width=\"9\" height=\"9\" cursor=\"url({URL}), "
     "auto\"/></svg>",
     k_html, V::css_url},
    {"svg-filter-attribute", "SVG presentation attribute `filter` with `url()` to another document",
     "filter-effects-1 #FilterProperty", C::yes, false,
     "<svg width=\"20\" height=\"20\"><rect width=\"9\" height=\"9\" "
     "filter=\"url({URL}#f)\"/></svg>",
     k_html, V::css_url},
    {"svg-animate-href", "SVG `set`, `animate` of `href` / `xlink:href`: `to`, `from`, `values`",
     "svg-animations #SetElement", C::yes, true,
     "<svg width=\"20\" height=\"20\"><image width=\"9\" height=\"9\"><set attributeName=\"href\" "
     "to=\"{URL}\"/>"
     "</image></svg>",
     k_html, V::svg_image},
    {"svg-animate-presentation", "SVG `set`, `animate` of a presentation attribute with `url()`",
     "svg-animations #AnimationAttributesAndProperties", C::yes, true,
     "<svg width=\"20\" height=\"20\"><rect width=\"9\" height=\"9\"><set attributeName=\"mask\" "
     "to=\"url({URL}#m)\"/></rect></svg>",
     k_html, V::css_url},
    {"svg-style", "`style` inside `svg` (foreign content: no raw text)",
     "SVG2 styling.html#StyleElement", C::yes, true,
     "<svg><style>div{background:url({URL})}</style></svg><div style=\"" PW_BOX "\">x</div>",
     k_html, V::css_url},
    {"svg-style-charref", "`style` inside `svg` with character references in a URL",
     "HTML #parsing-main-inforeign", C::yes, true,
     "<svg><style>div{background:url(&#104;ttp://{HOST}/r.png)}</style></svg><div style=\"" PW_BOX
     "\">x</div>",
     k_html, V::css_url},
    {"svg-style-cdata", "`style` inside `svg` with a CDATA section", "HTML #cdata-sections", C::yes,
     true,
     "<svg><style><![CDATA[div{background:url({URL})}]]></style></svg><div style=\"" PW_BOX
     "\">x</div>",
     k_html, V::css_url},
    {"foreign-html-style", "HTML `style` inside `svg foreignObject`, `math annotation-xml`",
     "HTML #html-integration-point", C::yes, true,
     "<svg><foreignObject><style>div{background:url({URL})}</style></foreignObject></svg>"
     "<div style=\"" PW_BOX "\">x</div>",
     k_html, V::css_url},
    {"math-style", "`style` inside `math` (a MathML element: not applied)",
     "MathML Core #html-and-svg", C::no, false,
     "<math><style>div{background:url({URL})}</style></math><div style=\"" PW_BOX "\">x</div>",
     k_html, V::css_url},
    // CSS (in `style` attributes and `style` elements)
    {"css-style-element",
     "`url()` in a `style` element, at any block depth (`@media`, `@supports`)",
     "HTML #the-style-element", C::yes, true,
     "<style>@media screen{div{background:url({URL})}}</style><div style=\"" PW_BOX "\">x</div>",
     k_html, V::css_url},
    {"css-background", "`background-image`, `background`", "css-backgrounds-3 #background-image",
     C::yes, true, "<div style=\"background-image:url({URL});" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-escaped-url", "`url()` written with CSS escapes (`u\\72l(`)",
     "css-syntax-3 #consume-escaped-code-point", C::yes, true,
     "<div style=\"background:u\\72l({URL});" PW_BOX "\"></div>", k_html, V::css_url},
    {"css-border-image", "`border-image-source`, `border-image`",
     "css-backgrounds-3 #border-image-source", C::yes, true,
     "<div style=\"border:5px solid;border-image-source:url({URL});" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-list-style-image", "`list-style-image`, `list-style`", "css-lists-3 #image-markers",
     C::yes, true, "<ul><li style=\"list-style-image:url({URL})\">x</li></ul>", k_html, V::css_url},
    {"css-content", "`content: url()`", "css-content-3 #content-property", C::yes, true,
     "<div style=\"content:url({URL})\">x</div>", k_html, V::css_url},
    {"css-cursor", "`cursor: url()`", "css-ui-4 #cursor", C::yes, true,
     "<div style=\"cursor:url({URL}),auto\">x</div>", k_html, V::css_url},
    {"css-mask-image", "`mask-image`, `mask`, `-webkit-mask-image`",
     "css-masking-1 #the-mask-image", C::yes, true,
     "<div style=\"mask-image:url({URL});background:red;" PW_BOX "\"></div>", k_html, V::css_url},
    {"css-webkit-mask-box-image", "`-webkit-mask-box-image`", "Chromium", C::some, true,
     "<div style=\"-webkit-mask-box-image:url({URL}) 1;background:red;" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-box-reflect", "`-webkit-box-reflect` mask", "Chromium", C::some, true,
     "<div style=\"-webkit-box-reflect:below 0 url({URL});background:red;" PW_BOX "\"></div>",
     k_html, V::css_url},
    {"css-shape-outside", "`shape-outside: url()`", "css-shapes-1 #shape-outside-property", C::yes,
     true, "<div style=\"float:left;shape-outside:url({URL});" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-clip-path", "`clip-path: url()` to another document", "css-masking-1 #the-clip-path",
     C::yes, true, "<div style=\"clip-path:url({URL}#c);background:red;" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-filter", "`filter: url()` to another document", "filter-effects-1 #FilterProperty",
     C::yes, false, "<div style=\"filter:url({URL}#f);background:red;" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-marker", "`marker-start`, `marker-mid`, `marker-end`, `marker` in CSS",
     "SVG2 painting.html#MarkerProperties", C::yes, true,
     "<svg><path d=\"M0 0L9 9\" stroke=\"black\" style=\"marker-start:url({URL}#m)\"/></svg>",
     k_html, V::css_url},
    {"css-cross-fade", "`cross-fade()`, `-webkit-cross-fade()`",
     "css-images-4 #cross-fade-function", C::yes, true,
     "<div style=\"background-image:-webkit-cross-fade(url({URL}),url(data:,),50%);" PW_BOX
     "\"></div>",
     k_html, V::css_url},
    {"css-image-set-url", "`url()` in `image-set()`, `-webkit-image-set()`",
     "css-images-4 #image-set-notation", C::yes, true,
     "<div style=\"background-image:image-set(url({URL}) 1x);" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-image-set-string", "a plain string in `image-set()`, `-webkit-image-set()`",
     "css-images-4 #image-set-notation", C::yes, true,
     "<div style=\"background-image:-webkit-image-set('{URL}' 1x);" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-custom-property-url", "`url()` in a custom property, used through `var()`",
     "css-variables-1 #defining-variables", C::yes, true,
     "<div style=\"--u:url({URL});background-image:var(--u);" PW_BOX "\"></div>", k_html,
     V::css_url},
    {"css-custom-property-string", "a string in a custom property, used as `image-set(var(--u))`",
     "css-variables-1 #substitute-a-var", C::yes, true,
     "<style>:root{--u:\"{URL}\"} div{background-image:image-set(var(--u) 1x);" PW_BOX
     "}</style><div>x</div>",
     k_html, V::css_url},
    {"css-import", "`@import` (string or `url()`)", "css-cascade-4 #at-import", C::yes, true,
     "<style>@import \"{URL}\";</style>", k_html, V::css_import},
    {"css-font-face", "`@font-face` `src: url()` (fetched when the font is used)",
     "css-fonts-4 #src-desc", C::yes, true,
     "<style>@font-face{font-family:q;src:url({URL})} p{font-family:q}</style><p>x</p>", k_html,
     V::font_face},
    {"css-src-function", "`src()` (CSS Values 4; no browser supports it yet)", "css-values-4 #urls",
     C::no, false, "<div style=\"background-image:src('{URL}');" PW_BOX "\"></div>", k_html,
     k_not_read},
    {"css-attr-url", "`attr()` as a URL (browsers refuse it)", "css-values-5 #attr-notation", C::no,
     false,
     "<div data-u=\"{URL}\" style=\"background-image:image-set(attr(data-u) 1x);" PW_BOX
     "\"></div>",
     k_html, k_not_read},
    {"css-counter-style-symbols", "`@counter-style` image `symbols` (no browser supports it yet)",
     "css-counter-styles-3 #counter-style-symbols", C::no, false,
     "<style>@counter-style s{system:cyclic;symbols:url({URL})}</style><ol "
     "style=\"list-style-type:s\"><li>x</li></ol>",
     k_html, V::css_url},
    // AMP for Email: a text/x-amp-html part, rendered instead of the HTML part by
    // AMP-capable webmail
    {"amp-part-css", "the CSS of an AMP part (`text/x-amp-html`)", "AMP for Email (amp.dev)",
     C::some, true,
     "<style amp-custom>div{background:url({URL})}</style><div style=\"" PW_BOX "\">x</div>",
     "text/x-amp-html", V::css_url},
    {"amp-img", "`amp-img src` in an AMP part (fetched by the AMP runtime, a script)",
     "AMP for Email (amp.dev)", C::some, false,
     "<amp-img src=\"{URL}\" width=\"1\" height=\"1\" layout=\"fixed\"></amp-img>",
     "text/x-amp-html", V::img},
};

#undef PW_BOX

constexpr std::string_view k_background_elements[] = {
    "body", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "col", "colgroup"};
constexpr std::string_view k_svg_url_attributes[] = {
    "fill",         "stroke",     "mask",       "clip-path", "filter",
    "marker-start", "marker-mid", "marker-end", "marker",    "cursor"};

}  // namespace

std::span<const ResourceRow> resource_table() { return k_rows; }

bool has_background_attribute(std::string_view element) {
  for (std::string_view e : k_background_elements)
    if (element == e) return true;
  return false;
}

bool is_svg_url_presentation_attribute(std::string_view attribute) {
  for (std::string_view a : k_svg_url_attributes)
    if (attribute == a) return true;
  return false;
}

const char* to_string(ClientFetch c) {
  switch (c) {
    case ClientFetch::yes:
      return "yes";
    case ClientFetch::some:
      return "some";
    case ClientFetch::no:
      return "no";
  }
  return "?";
}

const char* neutralization(std::optional<Vector> v) {
  if (!v) return "not read";
  if (*v == Vector::css_url) return "`url()` of the 1×1 GIF";
  if (is_image_like(*v)) return "the 1×1 GIF";
  if (*v == Vector::css_import) return "`url(data:,)`";
  if (*v == Vector::font_face) return "`url(data:,)`";
  return "`data:,`";
}

}  // namespace pixelwarden::html

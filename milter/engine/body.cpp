#include "engine/body.hpp"

#include <cassert>
#include <unordered_map>
#include <unordered_set>

#include "base/patch.hpp"
#include "base/text.hpp"
#include "html/rewrite.hpp"
#include "mime/charset.hpp"
#include "mime/codec.hpp"
#include "mime/header.hpp"
#include "mime/reencode.hpp"
#include "mime/splice.hpp"
#include "url/host.hpp"

namespace pixelwarden::engine {
namespace {

bool is_text(const mime::Part& p, std::string_view subtype) {
  return p.content_type.type == "text" && p.content_type.subtype == subtype;
}

// An HTML part: text/html, or the AMP for Email alternative, which AMP-capable
// clients render and fetch from instead (read with the AMP components).
bool is_html(const mime::Part& p) { return is_text(p, "html") || is_text(p, "x-amp-html"); }

bool is_attachment(const mime::Part& p) { return base::iequals(p.disposition, "attachment"); }

// Decodes a text part and, for charsets that can hide markup bytes, converts it to UTF-8
// as a browser does (U+FFFD for bad sequences; only a label ICU does not know stays bytes,
// as clients that do not know it render the bytes).
TextPart decode_text_part(std::string_view body, const mime::Part& p, std::size_t index) {
  TextPart t;
  t.part_index = index;
  t.html = is_html(p);
  t.amp = is_text(p, "x-amp-html");
  const std::string_view encoded = body.substr(p.body_begin, p.body_end - p.body_begin);
  t.decoded = p.cte == mime::Cte::quoted_printable
                  ? mime::decode_quoted_printable(encoded, t.qp_marks)
                  : mime::decode(encoded, p.cte);
  std::string charset = p.charset;
  if (const auto bom = mime::detect_bom(t.decoded)) charset = *bom;
  if (!charset.empty() && !mime::is_ascii_compatible(charset)) {
    auto utf8 = mime::to_utf8_replacing(t.decoded, charset);
    if (utf8.ok()) {
      t.transfer_decoded = std::move(t.decoded);
      t.decoded = std::move(utf8.value());
      t.charset = charset;
      t.transcoded = true;
    }
  }
  return t;
}

void scan_text_part(TextPart& t, const PartFilter* filter) {
  if (filter != nullptr && !filter->may_hold(t.decoded)) return;
  if (t.html) {
    t.scan = html::scan(t.decoded, {}, html::ScanOptions{t.amp});
  } else {
    t.scan.links = html::scan_text_links(t.decoded);
  }
}

bool finds_anything(const TextPart& t) {
  return !t.scan.resources.empty() || !t.scan.links.empty();
}

// Whether `other` holds a resource or a link that `chosen` does not (by vector and URL).
// A label like "utf7" reads ASCII markup the same both ways: that is not ambiguous.
bool finds_more(const TextPart& other, const TextPart& chosen) {
  std::unordered_set<std::string> seen;
  for (const html::Resource& r : chosen.scan.resources)
    seen.insert(std::string(html::to_string(r.vector)) + ' ' + r.resolved);
  for (const html::Link& l : chosen.scan.links) seen.insert("link " + l.url);
  for (const html::Resource& r : other.scan.resources) {
    if (!seen.contains(std::string(html::to_string(r.vector)) + ' ' + r.resolved)) return true;
  }
  for (const html::Link& l : other.scan.links) {
    if (!seen.contains("link " + l.url)) return true;
  }
  return false;
}

// A label only some clients decode (EBCDIC, UTF-32, ...): browsers and Thunderbird render
// the bytes as windows-1252, a client that knows the label decodes it. The part is read
// the browsers' way, unless only the decoded reading holds resources or links. When both
// do and the decoded one holds any the bytes do not, the part was made to show different
// content to different clients, and only one reading can be rewritten: it is marked
// ambiguous (the message is then malformed).
// The bytes reading borrows the transcoded part's transfer-decoded bytes (the scan keeps
// offsets and copies, no views into them) and gives them back when it loses.
void choose_rendering(TextPart& t, const PartFilter* filter) {
  if (!t.transcoded || mime::clients_decode(t.charset)) return;
  TextPart bytes;
  bytes.part_index = t.part_index;
  bytes.html = t.html;
  bytes.amp = t.amp;
  bytes.decoded = std::move(t.transfer_decoded);
  bytes.qp_marks = std::move(t.qp_marks);
  bytes.second_label = t.charset;
  t.second_label = t.charset;
  scan_text_part(bytes, filter);
  bytes.ambiguous = finds_anything(bytes) && finds_more(t, bytes);
  if (finds_anything(bytes) || !finds_anything(t)) {
    t = std::move(bytes);
  } else {
    t.transfer_decoded = std::move(bytes.decoded);
    t.qp_marks = std::move(bytes.qp_marks);
  }
}

// Whether a rewritten part with two readings (TextPart::second_label) is still one a
// client of either kind reads alike: the reading not chosen holds no resource or link
// that the chosen one does not. choose_rendering() compared the sender's bytes; the
// rewrite changes both readings, and not alike. A URL neutralized in the bytes may also
// stand, unseen by that comparison, in a shifted UTF-7 run of the other reading, and new
// bytes can change how the other reading parses around them (found by fuzz_inspect).
bool readings_agree(const TextPart& t, const mime::Part& p, std::string_view new_encoded) {
  if (t.second_label.empty()) return true;
  TextPart bytes;
  bytes.html = t.html;
  bytes.amp = t.amp;
  bytes.decoded = mime::decode(new_encoded, p.cte);
  auto utf8 = mime::to_utf8_replacing(bytes.decoded, t.second_label);
  if (!utf8.ok()) return false;
  TextPart decoded;
  decoded.html = t.html;
  decoded.amp = t.amp;
  decoded.decoded = std::move(utf8.value());
  scan_text_part(bytes, nullptr);
  scan_text_part(decoded, nullptr);
  return t.transcoded ? !finds_more(bytes, decoded) : !finds_more(decoded, bytes);
}

// Numbers every distinct host (as written) of the message's resources and links and
// normalizes each once. The keys view the hosts inside the parts' scan results, which
// stay in place: every part is already in `scan.parts`.
void index_hosts(BodyScan& scan) {
  std::unordered_map<std::string_view, std::size_t> index;
  const auto host_index = [&](std::string_view raw) {
    const auto [it, fresh] = index.try_emplace(raw, scan.hosts.size());
    if (fresh) scan.hosts.push_back(url::normalize_host(raw));
    return it->second;
  };
  for (TextPart& t : scan.parts) {
    t.resource_hosts.reserve(t.scan.resources.size());
    for (const html::Resource& r : t.scan.resources) t.resource_hosts.push_back(host_index(r.host));
    t.link_hosts.reserve(t.scan.links.size());
    for (const html::Link& l : t.scan.links) t.link_hosts.push_back(host_index(l.host));
  }
}

}  // namespace

BodyScan scan_body(std::vector<mime::HeaderField> top_fields, std::string_view body,
                   const mime::WalkLimits& limits, const PartFilter* filter) {
  BodyScan out;
  // A malformed walk keeps the parts found before its cap; they are scanned too.
  out.walk = mime::walk(std::move(top_fields), body, limits);
  for (std::size_t i = 0; i < out.walk.parts.size(); ++i) {
    const mime::Part& p = out.walk.parts[i];
    if (!p.is_leaf()) continue;
    const bool html_part = is_html(p);
    const bool plain_part = is_text(p, "plain") && !is_attachment(p);
    if (!html_part && !plain_part) continue;  // attachments are never decoded
    TextPart t = decode_text_part(body, p, i);
    scan_text_part(t, filter);
    choose_rendering(t, filter);
    out.remote_resources += t.scan.resources.size();
    out.ambiguous_parts += t.ambiguous ? 1 : 0;
    out.parts.push_back(std::move(t));
  }
  index_hosts(out);
  return out;
}

void decide_trackers(BodyScan& scan, const ruleset::Ruleset& rules,
                     const ruleset::RecipientTokens& tokens, bool skip_trackers, Verdict& verdict) {
  for (TextPart& t : scan.parts) {
    const std::string& path = scan.walk.parts[t.part_index].path;
    t.matches.assign(t.scan.resources.size(), std::nullopt);
    verdict.style_capped += t.scan.style_capped;
    for (std::size_t r = 0; r < t.scan.resources.size(); ++r) {
      const html::Resource& res = t.scan.resources[r];
      const std::string vector = html::to_string(res.vector);
      ++verdict.remote_resources;
      verdict.vectors_seen.push_back(vector);
      if (skip_trackers) continue;
      const std::string& host = scan.hosts[t.resource_hosts[r]];
      ruleset::ResourceFacts facts{res.resolved, host, vector, res.invisible};
      auto match = rules.match_tracker(facts, tokens);
      if (!match) continue;
      TrackerRecord rec;
      rec.rule = match->rule;
      rec.action = match->action;
      rec.vector = vector;
      rec.url = res.resolved;
      rec.part = path;
      rec.vendor = match->vendor;
      rec.monitor = match->monitor || rules.mode() == ruleset::Mode::monitor;
      verdict.trackers.push_back(std::move(rec));
      t.matches[r] = std::move(match);
    }
  }
}

namespace {

html::Op op_for(ruleset::TrackerAction a) {
  switch (a) {
    case ruleset::TrackerAction::neutralize:
      return html::Op::neutralize;
    case ruleset::TrackerAction::strip:
      return html::Op::strip;
    case ruleset::TrackerAction::proxy:
      return html::Op::proxy;
    case ruleset::TrackerAction::keep:
      return html::Op::keep;
  }
  return html::Op::keep;
}

html::Op op_for(ruleset::RemoteContentAction a) {
  switch (a) {
    case ruleset::RemoteContentAction::keep:
      return html::Op::keep;
    case ruleset::RemoteContentAction::proxy:
      return html::Op::proxy;
    case ruleset::RemoteContentAction::neutralize:
      return html::Op::neutralize;
  }
  return html::Op::keep;
}

// The edit for one resource, or nothing when it stays as it is.
std::optional<html::Edit> edit_for(const html::Resource& res,
                                   const std::optional<ruleset::TrackerMatch>& match,
                                   const ruleset::Ruleset& rules, const RewritePlan& plan,
                                   std::size_t index) {
  html::Op op = html::Op::keep;
  if (plan.defang) {
    op = html::Op::neutralize;
  } else if (match) {
    if (match->monitor) return std::nullopt;
    op = op_for(match->action);
  } else {
    op = op_for(plan.remote_content.value_or(rules.remote_content().action));
  }
  if (op == html::Op::proxy) {
    const auto& proxy = rules.remote_content().proxy;
    if (!proxy || !html::is_image_like(res.vector)) {
      op = html::Op::neutralize;
    } else if (base::istarts_with(res.resolved, proxy->base_url + "/")) {
      return std::nullopt;  // already under the proxy: never re-proxied
    } else {
      return html::Edit{index, op, html::camo_url(proxy->base_url, proxy->key, res.resolved)};
    }
  }
  if (op == html::Op::keep) return std::nullopt;
  return html::Edit{index, op, {}};
}

std::string render_banner(std::string_view tmpl, std::size_t count) {
  std::string out(tmpl);
  const std::string n = std::to_string(count);
  for (std::size_t pos = out.find("{count}"); pos != std::string::npos;
       pos = out.find("{count}", pos + n.size())) {
    out.replace(pos, 7, n);
  }
  return out;
}

// The edits of a transcoded part carried into its own charset: each patch's replacement
// converted alone, spliced between the part's original bytes. Empty when a patch boundary
// cannot be placed in the original bytes, or when the spliced bytes do not read back as
// the edited text (a stateful charset whose shift state crosses an edit): the bytes outside
// the edits are then the sender's, byte for byte, or this is not used.
std::optional<std::vector<base::Patch>> transcode_edits(const TextPart& t,
                                                        const std::string& new_content,
                                                        const std::vector<base::Patch>& edits) {
  std::vector<std::size_t> bounds;
  bounds.reserve(2 * edits.size());
  for (const base::Patch& e : edits) {
    bounds.push_back(e.offset);
    bounds.push_back(e.end());
  }
  const std::vector<std::size_t> at = mime::source_offsets(t.transfer_decoded, t.charset, bounds);
  if (at.size() != bounds.size()) return std::nullopt;
  std::vector<base::Patch> out;
  out.reserve(edits.size());
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto bytes = mime::from_utf8(edits[i].replacement, t.charset);
    if (!bytes.ok()) bytes = mime::from_utf8_replacing(edits[i].replacement, t.charset);
    if (!bytes.ok() || at[2 * i + 1] < at[2 * i]) return std::nullopt;
    out.push_back({at[2 * i], at[2 * i + 1] - at[2 * i], std::move(bytes.value())});
  }
  const auto reread =
      mime::to_utf8_replacing(base::apply_ordered(t.transfer_decoded, out), t.charset);
  if (!reread.ok() || reread.value() != new_content) return std::nullopt;
  return out;
}

// The re-encoded body of one part whose decoded content changed.
std::string encode_part(std::string_view body, const mime::Part& p, const TextPart& t,
                        const std::string& new_content, const std::vector<base::Patch>& edits,
                        std::string_view eol) {
  const std::string_view encoded = body.substr(p.body_begin, p.body_end - p.body_begin);
  if (!t.transcoded)
    return mime::reencode_edits(encoded, t.decoded, new_content, edits, p.cte, eol, &t.qp_marks);
  // Transcoded parts: the edits carried into the part's own charset, so every byte outside
  // them stays as it was (an invalid sequence too).
  if (auto own = transcode_edits(t, new_content, edits)) {
    const std::string bytes = base::apply_ordered(t.transfer_decoded, *own);
    return mime::reencode_edits(encoded, t.transfer_decoded, bytes, *own, p.cte, eol, &t.qp_marks);
  }
  // Otherwise the whole text converted back: strict first; a part decoded with U+FFFD
  // substitutes writes them as the charset's own substitution character. The bytes outside
  // the edits may change here (the structure check in rewrite_body still applies).
  auto back = mime::from_utf8(new_content, t.charset);
  if (!back.ok()) back = mime::from_utf8_replacing(new_content, t.charset);
  return mime::reencode(encoded, t.transfer_decoded, back.ok() ? back.value() : new_content, p.cte,
                        eol);
}

// Whether a part's new encoded body keeps the message's structure when it is read again:
// no line of it is a delimiter of an enclosing multipart, and its first line is not read
// as a header line where the old one was not (a part without a blank line after its
// headers, or a message body whose header section ended at its first line). The blank
// line replace_body() adds for parts with headers is not enough for a part without any.
enum class Fit { keeps, needs_separator, breaks };

// Base64 has no '-', and a QP body's lines are the sender's (inside a part: no
// delimiter) or written by encode_quoted_printable, which starts none with "--": only the
// identity encodings, whose bytes are the edited text itself, are searched.
Fit structure_fit(const mime::WalkResult& walk, std::size_t index, std::string_view old_body,
                  std::string_view new_body) {
  const mime::Part& p = walk.parts[index];
  const bool encoded = p.cte == mime::Cte::base64 || p.cte == mime::Cte::quoted_printable;
  if (!encoded && mime::holds_enclosing_delimiter(walk, index, new_body)) return Fit::breaks;
  // replace_body() adds a blank line after the headers of a nested part that had none.
  const bool separated =
      p.body_begin > p.header_end || (p.parent >= 0 && p.header_end > p.header_begin);
  if (separated || !mime::starts_like_header(new_body) || mime::starts_like_header(old_body)) {
    return Fit::keeps;
  }
  return Fit::needs_separator;
}

}  // namespace

BodyRewrite rewrite_body(std::string_view body, const BodyScan& scan, const ruleset::Ruleset& rules,
                         const RewritePlan& plan) {
  BodyRewrite result;
  if (!plan.enforce) return result;
  struct PartEdits {
    const TextPart* part;
    std::vector<html::Edit> edits;
    std::size_t removed = 0;  // resources of this part a tracker rule changed
  };
  std::vector<PartEdits> edits;
  std::size_t removed = 0;
  for (const TextPart& t : scan.parts) {
    PartEdits pe{&t, {}, 0};
    for (std::size_t r = 0; r < t.scan.resources.size(); ++r) {
      const auto& match = t.matches.size() > r ? t.matches[r] : std::nullopt;
      if (auto e = edit_for(t.scan.resources[r], match, rules, plan, r)) {
        if (match) ++pe.removed;
        pe.edits.push_back(std::move(*e));
      }
    }
    removed += pe.removed;
    edits.push_back(std::move(pe));
  }
  // The banner (docs/ruleset.md, `banner`): the HTML one into every HTML part in which a
  // tracker rule changed something (never into a part the reader sees unchanged), the text
  // one at the top of the first text/plain part. {count} is the whole message's count.
  const auto& banner = rules.report().banner;
  const std::string_view eol = mime::detect_eol(body);
  bool text_banner_done = false;
  std::vector<base::Patch> replacements;
  for (const PartEdits& pe : edits) {
    const TextPart* t = pe.part;
    const bool want_banner = banner && removed > 0 &&
                             (t->html ? pe.removed > 0 && !banner->html.empty()
                                      : !text_banner_done && !banner->text.empty());
    if (pe.edits.empty() && !want_banner) continue;
    const mime::Part& p = scan.walk.parts[t->part_index];
    const std::string_view old_body = mime::part_body(p, body);
    // A banner goes after a byte order mark, which must stay first to be one.
    constexpr std::string_view k_bom = "\xEF\xBB\xBF";
    const std::size_t bom = t->decoded.starts_with(k_bom) ? k_bom.size() : 0;
    // The part's new encoded body. `keep_elements`: strip edits become neutralize, so no
    // element is removed whole (a removed element can leave a line that is a delimiter).
    const auto render = [&](bool keep_elements, bool with_banner) {
      std::string content;
      std::vector<base::Patch> edits_made;  // ordered: also what the re-encoder is told
      if (t->html) {
        std::vector<html::Edit> wanted = pe.edits;
        if (keep_elements) {
          for (html::Edit& e : wanted) {
            if (e.op == html::Op::strip) e.op = html::Op::neutralize;
          }
        }
        // One pass: the resource patches and the banner insertion together.
        std::vector<html::Patch> patches = html::plan_patches(t->decoded, t->scan, wanted);
        if (with_banner) {
          patches.push_back(
              {std::max(t->scan.banner_offset, bom), 0, render_banner(banner->html, removed)});
        }
        auto ordered = html::order_patches(std::move(patches), t->decoded.size());
        // plan_patches never overlaps partially or reaches past the part (fuzz_html_rewrite
        // checks it), and an insertion cannot overlap partially. If it did, value() throws
        // and the milter answers on_error: never a decided resource left in place silently.
        assert(ordered.ok() && "plan_patches made patches that do not order");
        edits_made = std::move(ordered).value();
        if (!t->transcoded && p.cte == mime::Cte::quoted_printable) {
          // The re-encoder builds the new text of the lines it rewrites from the edits:
          // the edited part is not held a second time.
          return mime::reencode_edits(body.substr(p.body_begin, p.body_end - p.body_begin),
                                      t->decoded, edits_made, p.cte, eol, &t->qp_marks);
        }
        content = base::apply_ordered(t->decoded, edits_made);
      } else {
        const std::string text = render_banner(banner->text, removed);
        const std::string_view rest = std::string_view(t->decoded).substr(bom);
        content = t->decoded.substr(0, bom) + html::insert_text_banner(rest, text, eol);
        // insert_text_banner only adds at the top (the banner and its line break).
        edits_made.push_back({bom, 0, content.substr(bom, content.size() - t->decoded.size())});
      }
      return encode_part(body, p, *t, content, edits_made, eol);
    };
    // As decided; then with every removed element kept; then without the banner. A part
    // that no attempt keeps in its place is left as it was and named in unsafe_parts.
    std::vector<std::pair<bool, bool>> attempts{{false, want_banner}};
    if (t->html) attempts.emplace_back(true, want_banner);
    if (want_banner) attempts.emplace_back(t->html, false);
    std::optional<std::string> encoded;
    bool banner_placed = false;
    for (const auto& [keep_elements, with_banner] : attempts) {
      if (pe.edits.empty() && !with_banner) break;  // nothing left to change in this part
      std::string e = render(keep_elements, with_banner);
      const Fit fit = structure_fit(scan.walk, t->part_index, old_body, e);
      if (fit == Fit::breaks || !readings_agree(*t, p, e)) continue;
      if (fit == Fit::needs_separator) e.insert(0, eol);
      encoded = std::move(e);
      banner_placed = with_banner;
      break;
    }
    if (!encoded) {
      if (!pe.edits.empty()) result.unsafe_parts.push_back(p.path);
      continue;
    }
    if (!t->html && banner_placed) text_banner_done = true;
    // replace_body keeps the part's header block, its blank line and the delimiter after
    // it intact for empty, header-only and unterminated parts.
    replacements.push_back(mime::replace_body(p, std::move(*encoded), body));
  }
  if (!replacements.empty()) result.body = mime::splice(body, std::move(replacements));
  return result;
}

std::vector<std::string> decoded_text_parts(std::string_view message, bool with_plain) {
  const mime::MessageSplit split = mime::split_message(message);
  BodyScan scan =
      scan_body(mime::parse_header_block(split.header_block), split.body, mime::WalkLimits{});
  std::vector<std::string> out;
  for (TextPart& t : scan.parts) {
    if (t.html || with_plain) out.push_back(std::move(t.decoded));
  }
  return out;
}

}  // namespace pixelwarden::engine

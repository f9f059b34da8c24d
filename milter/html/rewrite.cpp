#include "html/rewrite.hpp"

#include <algorithm>
#include <cassert>
#include <map>

#include "base/digest.hpp"
#include "base/text.hpp"
#include "html/entities.hpp"
#include "url/url.hpp"

namespace pixelwarden::html {

namespace {

std::string escape_for(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '"' && quote == '"')
      out += "&quot;";
    else if (c == '\'' && quote == '\'')
      out += "&#39;";
    else
      out.push_back(c);
  }
  return out;
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  return v.find_first_of(" \t\n\r\f\"'=<>`") != std::string_view::npos;
}

// Raw end offset for decoded offset e: never splits a character reference.
std::size_t raw_end(const std::vector<std::uint32_t>& map, std::size_t e) {
  if (e == 0) return map[0];
  std::size_t last = map.size() - 1;  // map[last] == raw.size()
  while (e < last && map[e] == map[e - 1]) ++e;
  return map[e];
}

// A scanner span [begin, end) of decoded text as a Patch over that text. The scanner's
// spans never run backwards (plan_patches subtracts its raw spans the same way).
Patch decoded_edit(std::size_t begin, std::size_t end, std::string replacement) {
  assert(begin <= end);
  return {begin, end - begin, std::move(replacement)};
}

// The edits of one attribute value: base::Patch like every other edit, with offsets into
// the decoded value (the text the scanner and a srcdoc's own plan read), which
// new_value() maps back to raw bytes and re-escapes.
struct ValueEdits {
  std::size_t begin = 0, end = 0;  // raw value span
  char quote = 0;
  std::vector<Patch> edits;
  std::vector<Patch>& add(const Resource& r) {
    begin = r.value_begin, end = r.value_end, quote = r.quote;
    return edits;
  }
};

// The new text of an edit follows the raw bytes before it: a character reference written
// without ';' (which an attribute decodes only when no letter, digit or '=' follows, as
// in "&quot?") or a bare '&' would read differently before it ("&quotdata:" is text).
// `start` is the raw offset of the construct that made the decoded byte before the edit,
// `rb` where the edit begins; `out` ends with raw[start, rb). Terminates such a reference
// (found by fuzz_html_rewrite: a srcdoc's "<img src=&quot?&quot>" gained a remote URL).
void end_reference(std::string_view raw, std::size_t start, std::size_t rb, std::string& out) {
  if (start >= rb || raw[start] != '&') return;
  if (rb - start == 1) {  // a literal '&'
    out.pop_back();
    out += "&amp;";
  } else if (raw[rb - 1] != ';') {
    out += ';';
  }
}

// Sorted by offset, the larger edit first at one offset (the smaller one inside it is then
// skipped). Not order_patches(): that puts pure insertions first and refuses overlaps,
// while an edit of a decoded value or a style sheet's text is dropped inside an earlier one.
void sort_decoded_edits(std::vector<Patch>& edits) {
  std::sort(edits.begin(), edits.end(), [](const Patch& a, const Patch& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.end() > b.end();
  });
}

std::string new_value(std::string_view raw, char quote, std::vector<Patch> edits) {
  std::string decoded;
  std::vector<std::uint32_t> map;
  decode_attribute(raw, decoded, &map);
  sort_decoded_edits(edits);
  std::string out;
  std::size_t pos = 0;
  for (const Patch& e : edits) {
    std::size_t rb = map[std::min(e.offset, decoded.size())];
    std::size_t re = raw_end(map, std::min(e.end(), decoded.size()));
    if (rb < pos) continue;  // inside an earlier edit
    out.append(raw.substr(pos, rb - pos));
    if (e.offset > 0 && e.offset <= decoded.size() && map[e.offset - 1] >= pos)
      end_reference(raw, map[e.offset - 1], rb, out);
    out += escape_for(e.replacement, quote);
    pos = re;
  }
  out.append(raw.substr(pos));
  if (quote != 0 || !needs_quotes(out)) return out;
  std::string quoted = "\"";
  for (char c : out) {
    if (c == '"')
      quoted += "&quot;";
    else
      quoted.push_back(c);
  }
  return quoted + "\"";
}

// ---- foreign-content <style> (see ForeignText) ----

// Text for a foreign element's child text: '&' and '<' would start markup there.
std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else
      out.push_back(c);
  }
  return out;
}

// Patches for edits of a foreign style sheet's text. An edit inside one piece replaces
// only its input bytes (escaped for text, literal in CDATA); one that spans pieces (a
// url( in text, its URL in a CDATA section or after a child element) rewrites each
// piece it touches whole, so the child elements between them stay.
void foreign_patches(std::string_view html, const ForeignText& ft, std::vector<Patch> edits,
                     std::vector<Patch>& patches) {
  sort_decoded_edits(edits);
  const std::size_t np = ft.pieces.size();
  auto piece_of = [&](std::size_t text_offset) {  // last piece starting at or before it
    std::size_t k = 0;
    while (k + 1 < np && ft.pieces[k + 1].text_begin <= text_offset) ++k;
    return k;
  };
  // Offsets into ft.text, like the edits.
  std::vector<std::vector<Patch>> local(np);
  std::vector<bool> whole(np, false);
  std::size_t pos = 0;
  for (Patch& e : edits) {
    if (e.offset < pos || e.end() > ft.text.size()) continue;  // inside an earlier edit
    pos = e.end();
    std::size_t a = piece_of(e.offset), b = e.length > 0 ? piece_of(e.end() - 1) : a;
    if (a == b) {
      local[a].push_back(std::move(e));
      continue;
    }
    local[a].push_back({e.offset, ft.pieces[a].text_end - e.offset, std::move(e.replacement)});
    for (std::size_t k = a; k <= b; ++k) {
      whole[k] = true;
      if (k > a) {
        const std::size_t to = k < b ? ft.pieces[k].text_end : e.end();
        local[k].push_back({ft.pieces[k].text_begin, to - ft.pieces[k].text_begin, ""});
      }
    }
  }
  for (std::size_t k = 0; k < np; ++k) {
    if (local[k].empty()) continue;
    const ForeignText::Piece& p = ft.pieces[k];
    // The piece's new text, and whether byte-exact patches keep it well-formed.
    std::string text;
    std::size_t at = p.text_begin;
    for (const Patch& e : local[k]) {
      text.append(ft.text, at, e.offset - at).append(e.replacement);
      at = e.end();
    }
    text.append(ft.text, at, p.text_end - at);
    if (p.cdata && text.find("]]>") != std::string::npos) whole[k] = true;  // cannot stay CDATA
    std::vector<Patch> exact;
    std::size_t last_end = p.raw_begin;
    for (const Patch& e : local[k]) {
      if (whole[k]) break;
      std::size_t rb = ft.raw[e.offset];
      std::size_t end = e.end();  // never split a character reference
      while (end < p.text_end && ft.raw[end] == ft.raw[end - 1]) ++end;
      std::size_t re = end < p.text_end ? ft.raw[end] : p.raw_end;
      std::string repl = p.cdata ? e.replacement : escape_text(e.replacement);
      if (!p.cdata && rb > last_end && (html[rb - 1] == '<' || html[rb - 1] == '&')) {
        // A literal '<' or '&' before the edit could start markup with what follows.
        repl.insert(0, html[rb - 1] == '<' ? "&lt;" : "&amp;");
        --rb;
      }
      exact.push_back({rb, re - rb, std::move(repl)});
      last_end = re;
    }
    if (!whole[k] && !p.cdata) {
      // A removal can glue the bytes around it into a character reference ("&no" +
      // "t;"): the patched piece must decode to the new text, else it is written whole.
      std::string raw;
      std::size_t from = p.raw_begin;
      for (const Patch& x : exact) {
        raw.append(html.substr(from, x.offset - from)).append(x.replacement);
        from = x.offset + x.length;
      }
      raw.append(html.substr(from, p.raw_end - from));
      std::string again;
      decode_text(raw, again);
      whole[k] = again != text;
    }
    if (!whole[k]) {
      for (Patch& x : exact) patches.push_back(std::move(x));
    } else if (p.cdata && text.find("]]>") == std::string::npos) {
      patches.push_back({p.raw_begin, p.raw_end - p.raw_begin, std::move(text)});
    } else {
      patches.push_back({p.outer_begin, p.outer_end - p.outer_begin, escape_text(text)});
    }
  }
}

base::Error error(std::string message) {
  base::Error e;
  e.message = std::move(message);
  return e;
}

Op effective_op(const Resource& r, const Edit& e) {
  if (e.op != Op::proxy) return e.op;
  if (!is_image_like(r.vector) || e.proxy_url.empty()) return Op::neutralize;
  if (e.proxy_url == r.resolved) return Op::keep;  // already under the proxy
  return Op::proxy;
}

}  // namespace

base::Result<std::vector<Patch>> order_patches(std::vector<Patch> patches, std::size_t input_size) {
  std::sort(patches.begin(), patches.end(), [](const Patch& a, const Patch& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    if ((a.length == 0) != (b.length == 0)) return a.length == 0;
    return a.length > b.length;
  });
  std::vector<Patch> ordered;
  ordered.reserve(patches.size());
  std::size_t pos = 0;
  for (Patch& p : patches) {
    if (p.offset + p.length > input_size) return error("patch beyond the end of the input");
    if (p.offset < pos) {
      if (p.offset + p.length <= pos) continue;  // inside an earlier, larger patch
      // Two removals that overlap (strip spans of two readings of one CSS text, e.g. an
      // at-rule prelude running into the next rule) remove what either would: their union.
      if (p.replacement.empty() && ordered.back().replacement.empty()) {
        ordered.back().length = p.offset + p.length - ordered.back().offset;
        pos = p.offset + p.length;
        continue;
      }
      return error("overlapping patches at offset " + std::to_string(p.offset));
    }
    pos = p.offset + p.length;
    ordered.push_back(std::move(p));
  }
  return ordered;
}

base::Result<std::string> apply_patches(std::string_view input, std::vector<Patch> patches) {
  auto ordered = order_patches(std::move(patches), input.size());
  if (!ordered.ok()) return ordered.error();
  return base::apply_ordered(input, ordered.value());
}

namespace {

struct Block {
  const Resource* first = nullptr;   // names the block (element, span)
  std::vector<std::string> allowed;  // resolved URLs that may remain: kept ones, proxy URLs
  bool edited = false;
};

bool contains_end_tag(std::string_view text, std::string_view name) {
  for (std::size_t i = text.find("</"); i != std::string_view::npos; i = text.find("</", i + 1)) {
    if (text.size() - i - 2 >= name.size() && base::iequals(text.substr(i + 2, name.size()), name))
      return true;
  }
  return false;
}

// A raw-text block read twice (as CSS and as tags) is patched as a whole: its
// patches must apply without overlap, must not close the block early, and the
// patched block, re-scanned under both readings, may hold only the URLs that were
// meant to stay. Otherwise each reading's edit broke the other (a quote or '<'
// removed, a url( glued to an identifier), and the block's content is removed whole:
// conservative, and only adversarial or broken markup gets there.
void check_block(std::string_view html, std::string_view base_href, bool amp, const Block& b,
                 std::vector<Patch>& patches) {
  const Resource& r = *b.first;
  std::vector<Patch> inside;
  bool ok = true;
  for (auto it = patches.begin(); it != patches.end();) {
    if (it->offset >= r.block_begin && it->offset < r.block_end) {
      if (it->offset + it->length > r.block_end)
        ok = false;
      else
        inside.push_back({it->offset - r.block_begin, it->length, std::move(it->replacement)});
      it = patches.erase(it);
    } else {
      ++it;
    }
  }
  std::string_view block = html.substr(r.block_begin, r.block_end - r.block_begin);
  if (ok) {
    auto patched = apply_patches(block, inside);
    ok = patched.ok() && !contains_end_tag(patched.value(), r.block_element);
    // Both contexts: inside <svg>, <image> fetches href rather than src.
    for (std::string_view context : {"", "<svg>"}) {
      if (!ok) break;
      std::string doc = std::string(context) + "<" + r.block_element + ">" + patched.value();
      for (const Resource& again : scan(doc, base_href, ScanOptions{amp}).resources) {
        if (std::find(b.allowed.begin(), b.allowed.end(), again.resolved) == b.allowed.end())
          ok = false;
      }
    }
    if (ok) {
      for (Patch& p : inside)
        patches.push_back({p.offset + r.block_begin, p.length, std::move(p.replacement)});
      return;
    }
  }
  patches.push_back({r.block_begin, r.block_end - r.block_begin, ""});
}

}  // namespace

std::vector<Patch> plan_patches(std::string_view html, const ScanResult& scan,
                                const std::vector<Edit>& edits) {
  std::vector<Patch> patches;
  std::map<std::size_t, Block> blocks;  // by block_begin
  std::vector<Op> ops(scan.resources.size(), Op::keep);
  for (const Edit& e : edits) {
    if (e.resource < scan.resources.size())
      ops[e.resource] = effective_op(scan.resources[e.resource], e);
  }
  for (std::size_t i = 0; i < scan.resources.size(); ++i) {
    const Resource& r = scan.resources[i];
    if (r.block_element.empty()) continue;
    Block& b = blocks[r.block_begin];
    if (b.first == nullptr) b.first = &r;
    if (ops[i] == Op::keep)
      b.allowed.push_back(r.resolved);
    else
      b.edited = true;
  }
  for (const Edit& e : edits) {
    if (e.resource >= scan.resources.size() || ops[e.resource] != Op::proxy) continue;
    const Resource& r = scan.resources[e.resource];
    if (r.block_element.empty()) continue;
    if (auto u = url::resolve(scan.base_href, e.proxy_url))
      blocks[r.block_begin].allowed.push_back(u->href);
  }
  std::map<std::size_t, ValueEdits> values;        // by raw value_begin
  std::map<std::size_t, std::vector<Edit>> inner;  // by srcdoc index
  std::map<const ForeignText*, std::vector<Patch>> foreign;
  for (const Edit& e : edits) {
    if (e.resource >= scan.resources.size()) continue;
    const Resource& r = scan.resources[e.resource];
    if (r.srcdoc != k_no_srcdoc) {
      if (r.srcdoc < scan.srcdocs.size())
        inner[r.srcdoc].push_back({r.srcdoc_resource, e.op, e.proxy_url});
      continue;
    }
    Op op = effective_op(r, e);
    if (op == Op::keep) continue;
    if (r.foreign) {
      if (op == Op::strip) {
        if (r.strip_end > r.strip_begin)
          foreign[r.foreign.get()].push_back(decoded_edit(r.strip_begin, r.strip_end, ""));
        continue;
      }
      std::string text(op == Op::proxy           ? std::string_view(e.proxy_url)
                       : is_image_like(r.vector) ? k_pixel_gif
                                                 : k_empty_data_url);
      foreign[r.foreign.get()].push_back(
          decoded_edit(r.replace_begin, r.replace_end, "url(" + text + ")"));
      continue;
    }
    if (op == Op::strip) {
      if (r.strip_end > r.strip_begin) {
        if (r.in_attribute)
          values[r.value_begin].add(r).push_back(decoded_edit(r.strip_begin, r.strip_end, ""));
        else
          patches.push_back({r.strip_begin, r.strip_end - r.strip_begin, ""});
      } else if (r.void_element) {
        patches.push_back({r.tag_begin, r.tag_end - r.tag_begin, ""});
      } else {
        patches.push_back({r.attr_begin, r.attr_end - r.attr_begin, ""});
      }
      continue;
    }
    const std::string_view url = op == Op::proxy           ? std::string_view(e.proxy_url)
                                 : is_image_like(r.vector) ? k_pixel_gif
                                                           : k_empty_data_url;
    std::string text = r.css ? std::string("url(").append(url).append(")") : std::string(url);
    if (r.in_attribute) {
      values[r.value_begin].add(r).push_back(
          decoded_edit(r.replace_begin, r.replace_end, std::move(text)));
    } else {
      patches.push_back({r.replace_begin, r.replace_end - r.replace_begin, std::move(text)});
    }
  }
  // An <iframe srcdoc> document: its own plan, whose patches are edits of the decoded
  // attribute value (re-escaped below like any other value edit).
  for (auto& [index, inner_edits] : inner) {
    const Srcdoc& sd = scan.srcdocs[index];
    auto ordered =
        order_patches(plan_patches(sd.document, sd.scan, inner_edits), sd.document.size());
    ValueEdits& v = values[sd.value_begin];
    v.begin = sd.value_begin, v.end = sd.value_end, v.quote = sd.quote;
    assert(ordered.ok() && "plan_patches made patches that do not order");
    for (Patch& p : ordered.value()) v.edits.push_back(std::move(p));
  }
  for (auto& [ft, fedits] : foreign) foreign_patches(html, *ft, std::move(fedits), patches);
  for (auto& [begin, v] : values) {
    std::string_view raw = html.substr(v.begin, v.end - v.begin);
    patches.push_back({v.begin, v.end - v.begin, new_value(raw, v.quote, std::move(v.edits))});
  }
  for (const auto& [begin, b] : blocks) {
    if (b.edited) check_block(html, scan.base_href, scan.amp, b, patches);
  }
  return patches;
}

std::string rewrite(std::string_view html, const ScanResult& scan, const std::vector<Edit>& edits) {
  std::vector<Patch> patches = plan_patches(html, scan, edits);
  if (patches.empty()) return std::string(html);
  auto out = apply_patches(html, std::move(patches));
  assert(out.ok() && "plan_patches made patches that do not order");
  return std::move(out).value();  // throws when they do not (release build)
}

std::string camo_url(std::string_view base_url, std::string_view key, std::string_view url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  if (url.size() > base_url.size() && url.substr(0, base_url.size()) == base_url &&
      url[base_url.size()] == '/')
    return std::string(url);
  return std::string(base_url) + "/" + base::hmac_sha1_hex(key, url) + "/" + base::hex_encode(url);
}

std::string insert_html_banner(std::string_view html, const ScanResult& scan,
                               std::string_view banner) {
  std::size_t at = std::min(scan.banner_offset, html.size());
  std::string out;
  out.reserve(html.size() + banner.size());
  out.append(html.substr(0, at)).append(banner).append(html.substr(at));
  return out;
}

std::string insert_text_banner(std::string_view text, std::string_view banner,
                               std::string_view fallback_eol) {
  const std::size_t nl = text.find('\n');
  const std::string_view eol = nl == std::string_view::npos       ? fallback_eol
                               : (nl > 0 && text[nl - 1] == '\r') ? std::string_view("\r\n")
                                                                  : std::string_view("\n");
  std::string out;
  out.reserve(text.size() + banner.size() + 4);
  out.append(banner).append(eol).append(eol).append(text);
  return out;
}

}  // namespace pixelwarden::html

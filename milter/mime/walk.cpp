#include "mime/walk.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "base/text.hpp"
#include "mime/encoded_word.hpp"
#include "mime/header.hpp"

namespace pixelwarden::mime {
namespace {

struct Delimiter {
  std::size_t line_begin = 0;  // where "--boundary" starts
  std::size_t next = 0;        // first byte after the delimiter line
  bool close = false;
};

// Next delimiter line "--boundary[--][ \t]*EOL" in [from, end), at a line start.
std::optional<Delimiter> next_delimiter(std::string_view body, std::size_t from, std::size_t end,
                                        std::size_t range_begin, std::string_view needle) {
  const char* base = body.data();
  while (from + needle.size() <= end) {
    // memchr for '-' first: base64 attachments contain none, so they are skipped at
    // memchr speed; then the rest of the needle is compared in place.
    const void* hit = std::memchr(base + from, '-', end - from - needle.size() + 1);
    if (hit == nullptr) return std::nullopt;
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
    from = pos + 1;
    if (std::memcmp(base + pos, needle.data(), needle.size()) != 0) continue;
    if (pos != range_begin && base[pos - 1] != '\n') continue;
    std::size_t q = pos + needle.size();
    Delimiter d{pos, 0, false};
    if (q + 2 <= end && base[q] == '-' && base[q + 1] == '-') {
      d.close = true;
      q += 2;
    }
    while (q < end && (base[q] == ' ' || base[q] == '\t')) ++q;
    if (q == end) {
      d.next = end;
    } else if (base[q] == '\n') {
      d.next = q + 1;
    } else if (base[q] == '\r' && (q + 1 == end || base[q + 1] == '\n')) {
      d.next = std::min(q + 2, end);
    } else {
      continue;
    }
    return d;
  }
  return std::nullopt;
}

std::string join_path(const std::string& base, int n) {
  return base.empty() ? std::to_string(n) : base + "." + std::to_string(n);
}

std::size_t strip_eol_before(std::string_view body, std::size_t begin, std::size_t pos) {
  if (pos > begin && body[pos - 1] == '\n') --pos;
  if (pos > begin && body[pos - 1] == '\r') --pos;
  return pos;
}

struct Entity {
  std::size_t header_begin, header_end, body_begin, body_end;
  int depth;
  int parent;
  bool message_body;      // the body entity of a message: path derives from base
  std::string path_base;  // message body: the message's path; else: the part's own path
  bool digest_child;      // default type message/rfc822
};

class Walker {
 public:
  Walker(std::vector<HeaderField> top_fields, std::string_view body, const WalkLimits& limits)
      : m_top_fields(std::move(top_fields)), m_body(body), m_limits(limits) {
    m_limits.max_depth = std::min(m_limits.max_depth, k_max_depth_ceiling);
  }

  WalkResult run() {
    // Room for a multipart/alternative (container, text, HTML) and one more part at once:
    // most mail, walked without growing the vector (and moving its parts) three times.
    m_result.parts.reserve(4);
    visit(Entity{0, 0, 0, m_body.size(), 0, -1, true, "", false});
    return std::move(m_result);
  }

 private:
  void fail(std::string reason) {
    if (!m_result.malformed) m_result.malformed_reason = std::move(reason);
    m_result.malformed = true;
  }

  Part describe(const Entity& e) {
    std::vector<HeaderField> parsed;
    if (e.parent >= 0)
      parsed = parse_header_block(m_body.substr(e.header_begin, e.header_end - e.header_begin));
    const std::vector<HeaderField>& fields = e.parent < 0 ? m_top_fields : parsed;
    Part p;
    if (fields.empty() && e.parent >= 0) ++m_result.parts_without_headers;
    if (const HeaderField* ct = find_field(fields, "content-type")) {
      p.content_type = parse_content_type(unfold(ct->value));
      if (!p.content_type.valid) ++m_result.invalid_content_types;
      if (count_fields(fields, "content-type") > 1) ++m_result.duplicate_content_types;
    } else if (e.digest_child) {
      p.content_type.type = "message";
      p.content_type.subtype = "rfc822";
    }
    if (const HeaderField* cte = find_field(fields, "content-transfer-encoding")) {
      p.cte_raw = unfold(cte->value);
      p.cte = parse_cte(p.cte_raw);
      if (p.cte == Cte::unknown) ++m_result.unknown_ctes;
    }
    p.charset = base::to_lower(base::trim(p.content_type.param("charset")));
    std::string filename;
    if (const HeaderField* cd = find_field(fields, "content-disposition")) {
      Disposition d = parse_disposition(unfold(cd->value));
      p.disposition = std::move(d.type);
      for (const auto& [name, value] : d.params) {
        if (name == "filename") filename = value;
      }
    }
    if (filename.empty()) filename = p.content_type.param("name");
    p.filename = decode_rfc2047(filename);
    p.header_begin = e.header_begin;
    p.header_end = e.header_end;
    p.body_begin = e.body_begin;
    p.body_end = e.body_end;
    p.depth = e.depth;
    p.parent = e.parent;
    return p;
  }

  void visit(const Entity& e) {
    if (m_result.malformed) return;
    if (e.depth > m_limits.max_depth) {
      return fail("nesting deeper than " + std::to_string(m_limits.max_depth));
    }
    if (static_cast<int>(m_result.parts.size()) >= m_limits.max_parts) {
      return fail("more than " + std::to_string(m_limits.max_parts) + " parts");
    }
    Part p = describe(e);
    std::string needle;
    std::optional<Delimiter> first;
    if (p.content_type.type == "multipart") {
      std::string boundary = p.content_type.param("boundary");
      while (!boundary.empty() && base::is_ascii_space(boundary.back())) boundary.pop_back();
      if (!boundary.empty()) {
        needle = "--" + boundary;
        first = next_delimiter(m_body, e.body_begin, e.body_end, e.body_begin, needle);
      }
      if (!first) ++m_result.multiparts_without_boundary;
      p.is_multipart = first.has_value();
    }
    const std::string& b = e.path_base;
    if (e.message_body) {
      p.path = p.is_multipart ? (b.empty() ? "" : b + ".TEXT") : join_path(b, 1);
    } else {
      p.path = b;
    }
    p.is_message = p.content_type.type == "message" &&
                   (p.content_type.subtype == "rfc822" || p.content_type.subtype == "global");
    const int index = static_cast<int>(m_result.parts.size());
    m_result.parts.push_back(std::move(p));
    const Part& self = m_result.parts.back();
    const std::string child_base = e.message_body && self.is_multipart ? b : self.path;
    if (self.is_multipart) {
      const bool digest = self.content_type.subtype == "digest";
      visit_children(e, index, *first, needle, child_base, digest);
    } else if (self.is_message && self.cte != Cte::base64 && self.cte != Cte::quoted_printable) {
      visit_message(e, index, child_base);
    }
  }

  void visit_children(const Entity& e, int index, Delimiter d, std::string_view needle,
                      const std::string& base, bool digest) {
    int n = 0;
    while (!d.close && !m_result.malformed) {
      const std::size_t begin = d.next;
      const auto next = next_delimiter(m_body, begin, e.body_end, e.body_begin, needle);
      // Without a close delimiter, a line break at the very end of the message is taken as the
      // one that would have preceded it (as Python's email package does); a range ended by an
      // outer delimiter has already lost its line break to that delimiter.
      const bool at_eof = e.body_end == m_body.size();
      const std::size_t end = next     ? strip_eol_before(m_body, begin, next->line_begin)
                              : at_eof ? strip_eol_before(m_body, begin, e.body_end)
                                       : e.body_end;
      if (!next) ++m_result.missing_final_boundaries;
      const MessageSplit split = split_message(m_body.substr(begin, end - begin));
      ++m_result.parts[static_cast<std::size_t>(index)].children;
      visit(Entity{begin, begin + split.header_block.size(), begin + split.body_offset, end,
                   e.depth + 1, index, false, join_path(base, ++n), digest});
      if (!next) break;
      d = *next;
    }
  }

  void visit_message(const Entity& e, int index, const std::string& base) {
    const MessageSplit split =
        split_message(m_body.substr(e.body_begin, e.body_end - e.body_begin));
    ++m_result.parts[static_cast<std::size_t>(index)].children;
    visit(Entity{e.body_begin, e.body_begin + split.header_block.size(),
                 e.body_begin + split.body_offset, e.body_end, e.depth + 1, index, true, base,
                 false});
  }

  std::vector<HeaderField> m_top_fields;
  std::string_view m_body;
  WalkLimits m_limits;
  WalkResult m_result;
};

}  // namespace

WalkResult walk(std::string_view header_block, std::string_view body, const WalkLimits& limits) {
  return Walker(parse_header_block(header_block), body, limits).run();
}

WalkResult walk(std::vector<HeaderField> top_fields, std::string_view body,
                const WalkLimits& limits) {
  return Walker(std::move(top_fields), body, limits).run();
}

bool holds_enclosing_delimiter(const WalkResult& walk, std::size_t index, std::string_view text) {
  for (int a = walk.parts[index].parent; a >= 0;
       a = walk.parts[static_cast<std::size_t>(a)].parent) {
    const Part& anc = walk.parts[static_cast<std::size_t>(a)];
    if (!anc.is_multipart) continue;
    std::string boundary = anc.content_type.param("boundary");
    while (!boundary.empty() && base::is_ascii_space(boundary.back())) boundary.pop_back();
    if (next_delimiter(text, 0, text.size(), 0, "--" + boundary)) return true;
  }
  return false;
}

std::string_view part_body(const Part& part, std::string_view body) {
  return body.substr(part.body_begin, part.body_end - part.body_begin);
}

std::string_view part_headers(const Part& part, std::string_view top_header_block,
                              std::string_view body) {
  if (part.parent < 0) return top_header_block;
  return body.substr(part.header_begin, part.header_end - part.header_begin);
}

}  // namespace pixelwarden::mime

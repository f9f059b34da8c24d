// Builder, lists stage: every kind of named list, inline or from a file.
#include <algorithm>
#include <cstring>

#include "base/text.hpp"
#include "ruleset/builder.hpp"
#include "ruleset/list_lines.hpp"

namespace pixelwarden::ruleset {
namespace {

std::size_t count_lines(std::string_view bytes) {
  std::size_t n = 1;
  for (const char* p = bytes.data();
       (p = static_cast<const char*>(std::memchr(p, '\n', bytes.size() - (p - bytes.data())))) !=
       nullptr;
       ++p) {
    ++n;
  }
  return n;
}

constexpr std::size_t k_keep_entries = 10000;  // domain lists small enough for lookalike_of
constexpr std::size_t k_reserve_entries = 65536;

bool valid_list_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(base::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

void note_site(CompiledList& l, std::uint32_t offset, const DomainSet::Entry& e, int line,
               int column) {
  l.sites.push_back({offset, static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(column),
                     static_cast<std::uint16_t>(e.domain.size()), e.subdomains_only});
}

}  // namespace

void Builder::build_lists() {
  for (const SourceFile& f : m_files) {
    const YAML::Node& root = f.root;
    const YAML::Node lists = root["lists"];
    if (!lists.IsDefined()) continue;
    Checker c = checker(f);
    if (!lists.IsMap()) {
      c.error(lists, "lists must be a map of list names to definitions");
      continue;
    }
    for (auto it = lists.begin(); it != lists.end(); ++it) {
      const YAML::Node key = it->first;  // a copy: it-> yields a temporary
      if (!key.IsScalar() || !valid_list_name(key.Scalar())) {
        c.error(key, "list names must match [A-Za-z0-9._-]+");
        continue;
      }
      if (m_list_names.count(key.Scalar()) != 0) {
        c.error(key, "duplicate list name '" + key.Scalar() + "'");
        continue;
      }
      build_list(c, f.dir, key.Scalar(), it->second);
    }
  }
}

void Builder::build_list(const Checker& c, const std::string& dir, const std::string& name,
                         const YAML::Node& def) {
  std::string what = "list '" + name + "'";
  if (!c.check_map(def,
                   {"domains", "file", "url_patterns", "patterns_file", "filters_file",
                    "vendors_file", "on_invalid", "description"},
                   what)) {
    m_list_names[name] = -1;
    return;
  }
  int kinds = 0;
  for (const char* k :
       {"domains", "file", "url_patterns", "patterns_file", "filters_file", "vendors_file"}) {
    kinds += def[k].IsDefined() ? 1 : 0;
  }
  if (kinds != 1) {
    c.error(def, what + " needs exactly one of domains, file, url_patterns, patterns_file, "
                        "filters_file, vendors_file");
    m_list_names[name] = -1;
    return;
  }
  bool skip = false;
  if (def["on_invalid"].IsDefined()) {
    auto ch = c.choice(def["on_invalid"], "on_invalid", {"error", "skip"});
    skip = ch && *ch == 1;
  }
  CompiledList l;
  l.name = name;
  bool ok = true;
  if (def["domains"].IsDefined()) {
    ok = fill_domains_inline(c, def["domains"], skip, l);
  } else if (def["file"].IsDefined()) {
    auto rel = c.scalar(def["file"], "file");
    ok = rel && fill_domains_file(c, resolve(dir, *rel), def["file"], skip, l);
  } else {
    ListKind kind = def["filters_file"].IsDefined()   ? ListKind::filters
                    : def["vendors_file"].IsDefined() ? ListKind::vendors
                                                      : ListKind::url_patterns;
    ok = fill_patterns(c, dir, def, kind, skip, l);
  }
  m_entries += l.entries;
  m_list_names[name] = ok ? static_cast<int>(m_rs->m_lists.size()) : -1;
  if (ok) m_rs->m_lists.push_back(std::move(l));
}

bool Builder::fill_domains_inline(const Checker& c, const YAML::Node& n, bool skip,
                                  CompiledList& l) {
  auto items = c.scalars(n, "domains");
  if (!items) return false;
  bool ok = true;
  l.kind = ListKind::domains;
  l.site_file = c.file();
  for (const auto& [text, node] : *items) {
    auto e = DomainSet::normalize_entry(text);
    if (!e) {
      std::string msg = "not a domain: '" + base::excerpt(text) + "'";
      skip ? c.warn(node, msg + k_skipped_note) : c.error(node, msg);
      ok = ok && skip;
      continue;
    }
    if (auto offset = l.domains.add(*e)) {
      const YAML::Mark m = node.Mark();
      note_site(l, *offset, *e, m.line + 1, m.column + 1);
    }
    l.domain_entries.push_back((e->subdomains_only ? "*." : "") + e->domain);
    if (m_keep_entries) {
      l.source_entries.push_back(l.domain_entries.back());
      l.source_fields.emplace_back();
    }
  }
  l.entries = l.domains.size();
  return ok;
}

bool Builder::fill_domains_file(const Checker& c, const std::string& path, const YAML::Node& n,
                                bool skip, CompiledList& l) {
  auto bytes = read_bytes(path, c, n, true);
  if (!bytes) return false;
  l.kind = ListKind::domains;
  l.site_file = path;
  std::size_t lines = count_lines(*bytes);
  // Reserved for at most k_reserve_entries up front, then grown by doubling: a file of a
  // million bad lines must not cost a table sized for a million domains.
  l.domains.reserve(std::min(lines, k_reserve_entries));
  bool ok = true;
  for_each_list_line(*bytes, true, [&](std::string_view text, int line, int column) {
    EntryLine fields;
    if (!entry_fields(path, l.name, text, line, column, skip, fields, ok)) return;
    auto e = DomainSet::normalize_entry(fields.entry);
    if (!e) {
      base::ErrorList& to = skip ? m_out.warnings : m_out.errors;
      if (to.full()) {
        to.count_dropped();  // counted; the text of the millionth bad line helps no one
      } else {
        to.push_back(base::Error{"not a domain: '" + base::excerpt(text) + "'" +
                                     (skip ? k_skipped_note : ""),
                                 path, line, column});
      }
      ok = ok && skip;
      return;
    }
    const auto offset = l.domains.add(*e);
    if (offset) note_site(l, *offset, *e, line, column);
    note_provenance(l, offset, fields);
    if (lines <= k_keep_entries || m_keep_entries) {
      std::string entry = (e->subdomains_only ? "*." : "") + e->domain;
      if (m_keep_entries) {
        l.source_entries.push_back(entry);
        l.source_fields.push_back(canonical_fields(fields));
      }
      if (lines <= k_keep_entries) l.domain_entries.push_back(std::move(entry));
    }
  });
  l.entries = l.domains.size();
  return ok;
}

}  // namespace pixelwarden::ruleset

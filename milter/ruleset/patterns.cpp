// Builder, pattern lists: url_patterns (inline or patterns_file), filters_file (Adblock
// Plus subset) and vendors_file (JSON vendor -> regexes), compiled into one Hyperscan
// database per list. Every bad pattern is reported at its own line.
#include <cstring>

#include "base/text.hpp"
#include "ruleset/abp_filter.hpp"
#include "ruleset/builder.hpp"
#include "ruleset/list_lines.hpp"
#include "ruleset/pattern_cache.hpp"
#include "ruleset/pattern_lint.hpp"

namespace pixelwarden::ruleset {
namespace {

constexpr unsigned k_url_flags = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;

struct PendingPattern {
  PatternSpec spec;
  base::Error where;  // position, message filled on error
};

}  // namespace

bool Builder::fill_patterns(const Checker& c, const std::string& dir, const YAML::Node& def,
                            ListKind kind, bool skip, CompiledList& l) {
  l.kind = kind;
  std::vector<PendingPattern> pending;
  bool ok = true;
  auto report = [&](base::Error e) {
    if (skip) e.message += k_skipped_note;
    (skip ? m_out.warnings : m_out.errors).push_back(std::move(e));
    ok = ok && skip;
  };
  // An analyst's URL regex with `.` where `\.` was meant matches more hosts than written.
  auto lint = [&](std::string_view expr, base::Error pos, bool exact_column) {
    if (kind != ListKind::url_patterns) return;
    const auto dot = literal_dot_unescaped(expr);
    if (!dot) return;
    if (exact_column) pos.column += static_cast<int>(*dot);
    pos.message = "pattern '" + base::excerpt(expr) +
                  "' has an unescaped '.' (any character); "
                  "write '\\.' for a dot";
    m_out.warnings.push_back(std::move(pos));
  };
  auto add = [&](std::string expr, base::Error pos) {
    // A plain literal is valid by construction; only other patterns are parsed here.
    if (auto err = literal_of(expr, k_url_flags) ? std::nullopt
                                                 : check_expression_cached(expr, k_url_flags)) {
      pos.message = "invalid pattern '" + base::excerpt(expr) + "': " + *err;
      report(std::move(pos));
      return false;
    }
    unsigned id = static_cast<unsigned>(kind == ListKind::url_patterns ? pending.size()
                                        : kind == ListKind::vendors    ? l.vendor_of.size()
                                                                       : l.filter_facts.size());
    if (m_keep_entries) {
      l.source_entries.push_back(expr);
      l.source_fields.emplace_back();
    }
    pending.push_back({PatternSpec{std::move(expr), k_url_flags, id}, std::move(pos)});
    return true;
  };
  if (kind == ListKind::url_patterns && def["url_patterns"].IsDefined()) {
    auto items = c.scalars(def["url_patterns"], "url_patterns");
    if (!items) return false;
    for (const auto& [text, node] : *items) {
      if (add(text, c.at(node, ""))) lint(text, c.at(node, ""), false);
    }
  } else {
    const char* key = kind == ListKind::filters   ? "filters_file"
                      : kind == ListKind::vendors ? "vendors_file"
                                                  : "patterns_file";
    auto rel = c.scalar(def[key], key);
    if (!rel) return false;
    std::string path = resolve(dir, *rel);
    auto bytes = read_bytes(path, c, def[key], true);
    if (!bytes) return false;
    if (kind == ListKind::vendors) {
      Checker jc(path, m_out.errors, m_out.warnings);
      YAML::Node root;
      try {
        root = YAML::Load(*bytes);
      } catch (const YAML::Exception& e) {
        jc.error_at(e.mark, "JSON syntax error: " + e.msg);
        return false;
      }
      if (!root.IsMap()) {
        jc.error(root, "a vendors file must be a JSON object {\"Vendor\": [\"regex\", ...]}");
        return false;
      }
      for (auto it = root.begin(); it != root.end(); ++it) {
        auto vendor = jc.scalar(it->first, "vendor name");
        auto regexes = jc.scalars(it->second, "vendor patterns");
        if (!vendor || !regexes) {
          ok = false;
          continue;
        }
        for (const auto& [text, node] : *regexes) {
          if (add(text, jc.at(node, ""))) l.vendor_of.push_back(*vendor);
        }
      }
    } else if (kind == ListKind::filters) {
      for_each_list_line(*bytes, false, [&](std::string_view t, int line, int col) {
        auto parsed = parse_abp_line(t);
        if (std::holds_alternative<AbpSkip>(parsed)) return;
        if (auto* err = std::get_if<std::string>(&parsed)) {
          report(base::Error{*err + ": '" + base::excerpt(t) + "'", path, line, col});
          return;
        }
        AbpFilter f = std::get<AbpFilter>(std::move(parsed));
        std::string decoded = f.decoded_regex;
        if (!add(f.regex, base::Error{"", path, line, col})) return;
        if (!decoded.empty()) {
          base::Error pos{"", path, line, col};
          if (!check_expression_cached(decoded, k_url_flags)) {
            pending.push_back({PatternSpec{decoded, k_url_flags, pending.back().spec.id}, pos});
          }
        }
        l.filter_facts.push_back(std::move(f));
      });
    } else {
      for_each_list_line(*bytes, true, [&](std::string_view t, int line, int col) {
        t = strip_pattern_comment(t);
        if (add(std::string(t), base::Error{"", path, line, col})) {
          lint(t, base::Error{"", path, line, col}, true);
        }
      });
    }
  }
  l.entries = kind == ListKind::vendors   ? l.vendor_of.size()
              : kind == ListKind::filters ? l.filter_facts.size()
                                          : pending.size();
  // Compile; a pattern Hyperscan accepts alone may still fail in the set (size limits).
  while (!pending.empty()) {
    std::vector<PatternSpec> specs;
    specs.reserve(pending.size());
    for (const auto& p : pending) specs.push_back(p.spec);
    auto compiled = compile_cached(specs);
    if (compiled.ok()) {
      l.patterns = std::move(compiled).value();
      break;
    }
    const PatternError& pe = compiled.error();
    if (pe.index >= pending.size()) {
      c.error(def, "list '" + l.name + "' does not compile: " + pe.message);
      return false;
    }
    base::Error e = pending[pe.index].where;
    e.message = "invalid pattern '" + pending[pe.index].spec.expression + "': " + pe.message;
    report(std::move(e));
    if (!skip) return false;
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(pe.index));
  }
  return ok;
}

}  // namespace pixelwarden::ruleset

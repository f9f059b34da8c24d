#include "intel/list_writer.hpp"

#include <unordered_set>

#include "ruleset/domain_set.hpp"
#include "url/host.hpp"
#include "url/url.hpp"

namespace pixelwarden::intel {
namespace {

// Feeds defang URLs (`hxxps://lure[.]example/`): undo it before parsing.
std::string refang_url(std::string v) {
  for (const char* from : {"hxxps://", "hxxp://", "HXXPS://", "HXXP://"}) {
    if (v.rfind(from, 0) == 0)
      v = std::string(v[4] == 's' || v[4] == 'S' ? "https://" : "http://") +
          v.substr(std::string(from).size());
  }
  for (const std::string pat : {"[.]", "(.)", "[dot]"}) {
    for (std::size_t at; (at = v.find(pat)) != std::string::npos;) v.replace(at, pat.size(), ".");
  }
  return v;
}

// A field value safe for the list format: no double quotes, no control characters.
std::string clean(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '"') {
      out.push_back('\'');
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void field(std::string& line, const char* key, const std::string& value, bool quote) {
  if (value.empty()) return;
  const std::string v = clean(value);
  const bool needs = quote || v.find_first_of(" \t#") != std::string::npos;
  line.append(" ").append(key).append("=");
  if (needs) {
    line.append("\"").append(v).append("\"");
  } else {
    line.append(v);
  }
}

}  // namespace

DomainOf domain_of(const Observable& o) {
  std::string host;
  switch (o.kind) {
    case ValueKind::domain:
      host = o.value;
      break;
    case ValueKind::url: {
      const auto u = url::parse(refang_url(o.value));
      if (!u || u->host.empty()) return {"", "not a URL with a host: " + o.value, false};
      host = u->host;
      break;
    }
    case ValueKind::email: {
      const auto at = o.value.rfind('@');
      if (at == std::string::npos) return {"", "not an address: " + o.value, false};
      host = o.value.substr(at + 1);
      while (!host.empty() && (host.back() == '>' || host.back() == ' ')) host.pop_back();
      break;
    }
    case ValueKind::display_name:
      return {"", "a display name", true};
  }
  const auto e = ruleset::DomainSet::normalize_entry(host);
  if (!e) {
    const std::string h = url::normalize_host(refang_url(host));
    if (!h.empty() && url::is_ip_literal(h))
      return {"", "IP address " + h + " (lists hold domains)", true};
    return {"", "not a domain: " + o.value, false};
  }
  return {(e->subdomains_only ? "*." : "") + e->domain, "", false};
}

ListStats write_list(Feed& feed, const std::string& origin, std::ostream& out) {
  ListStats stats;
  out << "# Imported by `pixelwarden rules import` from " << clean(origin) << ".\n"
      << "# One domain a line with its provenance (see the ruleset documentation, \"List\n"
      << "# entries with provenance\"). Re-import rather than edit by hand.\n";
  std::unordered_set<std::string> seen;
  seen.reserve(feed.indicators.size());
  std::string line;
  std::vector<Skipped> problems;
  for (const Indicator& ind : feed.indicators) {
    for (const Observable& o : ind.values) {
      if (o.kind == ValueKind::display_name) {
        stats.display_names.push_back(o.value);
        continue;
      }
      DomainOf d = domain_of(o);
      if (d.domain.empty()) {
        problems.push_back(
            {ind.id, d.unsupported ? SkipReason::unsupported : SkipReason::invalid, d.problem});
        continue;
      }
      if (!seen.insert(d.domain).second) {
        ++stats.duplicates;
        continue;
      }
      line = d.domain;
      field(line, "source", ind.source, true);
      field(line, "feed", ind.id, false);
      field(line, "first_seen", ind.first_seen, false);
      field(line, "valid_until", ind.valid_until, false);
      field(line, "tlp", ind.tlp, false);
      field(line, "campaign", ind.campaign, true);
      if (!ind.comment.empty()) line.append(" # ").append(clean(ind.comment));
      line.push_back('\n');
      out << line;
      ++stats.entries;
    }
  }
  for (auto& p : problems) feed.skipped.push_back(std::move(p));
  return stats;
}

void write_include(std::ostream& out, const std::string& name, const std::string& list_file,
                   const std::string& origin, const std::vector<std::string>& display_names,
                   const std::string& action) {
  out << "# Written by `pixelwarden rules import` from " << clean(origin) << ".\n"
      << "lists:\n  " << name << ":\n    file: " << list_file << "\n"
      << "    description: \"indicators imported from " << clean(origin) << "\"\n";
  if (display_names.empty()) return;
  // Hyperscan syntax: escape every byte that is not a letter, digit or space.
  std::string alt;
  for (const auto& n : display_names) {
    if (!alt.empty()) alt += "|";
    for (char c : clean(n)) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == ' ' ||
                         static_cast<unsigned char>(c) >= 0x80;
      if (!plain) alt += '\\';
      alt += c;
    }
  }
  std::string quoted;
  for (char c : "(?i)^(?:" + alt + ")$")
    quoted += c == '\'' ? std::string("''") : std::string(1, c);
  out << "lures:\n  - id: " << name << "-display-names\n"
      << "    description: \"display names imported from " << clean(origin) << "\"\n"
      << "    match:\n      display_name: '" << quoted << "'\n"
      << "    action: " << action << "\n";
}

}  // namespace pixelwarden::intel

#include "cli/hunt_prefilter.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/text.hpp"
#include "base/utf8.hpp"
#include "html/entities.hpp"
#include "ruleset/domain_set.hpp"
#include "url/host.hpp"

namespace pixelwarden::cli {
namespace {

constexpr std::uint32_t k_code_points = 0x110000;
constexpr std::uint8_t k_unknown = 0, k_harmless = 1, k_risky = 2;

bool host_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// An ASCII character that, produced by an escape, could complete a host or be removed
// or decoded again on the way to one.
bool risky_ascii(unsigned char c) {
  return host_byte(c) || c == '\t' || c == '\n' || c == '\r' || c == '%' || c == '\\';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::uint32_t decode_sequence(std::string_view s, std::size_t i, std::size_t len) {
  std::uint32_t cp = static_cast<unsigned char>(s[i]) & (0xFFU >> (len + 1));
  for (std::size_t k = 1; k < len; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
  return cp;
}

// Why not, or an empty string: adds the domains a rule matches links or resources
// against to `out`.
// since: see build().
std::string add_rule_domains(const ruleset::RuleInventory& rule, const ruleset::Inventory& inv,
                             const ruleset::RulesetDiff* since, std::vector<std::uint64_t>& out,
                             std::size_t& shortest, bool& needs_body) {
  if (rule.kind != "lure") {
    return "rule " + rule.id + " is a " + rule.kind + " rule (only lure rules are prefiltered)";
  }
  YAML::Node def;
  try {
    def = YAML::Load(rule.definition);
  } catch (const YAML::Exception&) {
    return "rule " + rule.id + ": its definition could not be read back";
  }
  const YAML::Node match = def["match"];
  if (!match || !match.IsMap()) return "rule " + rule.id + " has no match conditions";
  bool body = false;
  if (const YAML::Node where = match["where"]; where) {
    const auto looks_in_body = [](const std::string& w) {
      return w == "links" || w == "resources";
    };
    if (where.IsSequence()) {
      for (const auto& w : where) body = body || looks_in_body(w.as<std::string>(""));
    } else {
      body = looks_in_body(where.as<std::string>(""));
    }
  }  // the default places are the envelope and headers
  if (!body) return {};
  if (match["lookalike_of"]) {
    return "rule " + rule.id + " looks for look-alikes in links or resources";
  }
  const YAML::Node domains = match["domain_in"];
  if (!domains) return {};  // display_name alone reads only header From
  needs_body = true;
  const auto add = [&](std::string_view entry) -> std::string {
    // As the ruleset reads it (trimmed, lowercase, refanged, IDNA); not a domain: no match.
    const auto normalized = ruleset::DomainSet::normalize_entry(entry);
    if (!normalized) return {};
    const std::string& e = normalized->domain;
    if (e.find("xn--") != std::string::npos) {
      return "rule " + rule.id + ": entry " + e + " is an internationalized domain";
    }
    if (e.find('.') == std::string::npos) return "rule " + rule.id + ": entry " + e + " has no dot";
    out.push_back(domain_hash(e));
    shortest = std::min(shortest, e.size());
    return {};
  };
  if (domains.IsScalar()) {
    const std::string name = domains.as<std::string>();
    const auto it = std::find_if(inv.lists.begin(), inv.lists.end(),
                                 [&](const ruleset::ListInventory& l) { return l.name == name; });
    if (it == inv.lists.end() || it->kind != "domains") {
      return "rule " + rule.id + ": list " + name + " is not a domains list";
    }
    if (!it->entries_kept)
      return "rule " + rule.id + ": the entries of list " + name + " were not kept";
    const std::vector<std::string>* entries = &it->entries;
    if (since != nullptr) {
      const auto named = [&](const auto& rules) {
        return std::any_of(rules.begin(), rules.end(),
                           [&](const auto& r) { return r.id == rule.id; });
      };
      const auto change = [&](const std::string& list) {
        return std::find_if(since->lists.begin(), since->lists.end(),
                            [&](const ruleset::ListChange& c) { return c.name == list; });
      };
      // Affected only through this list, which only gained entries: only they are new.
      const bool only_this_list =
          !named(since->added_rules) && !named(since->changed_rules) &&
          std::all_of(rule.lists.begin(), rule.lists.end(), [&](const std::string& l) {
            return l == name || change(l) == since->lists.end();
          });
      const auto c = change(name);
      if (only_this_list && c == since->lists.end()) return {};  // nothing changed for it
      if (only_this_list && !c->added && !c->removed && c->entries_known && c->kind == c->old_kind)
        entries = &c->added_entries;
    }
    out.reserve(out.size() + entries->size());
    for (const std::string& e : *entries) {
      if (std::string why = add(e); !why.empty()) return why;
    }
  } else if (domains.IsSequence()) {
    for (const auto& d : domains) {
      if (std::string why = add(d.as<std::string>("")); !why.empty()) return why;
    }
  } else {
    return "rule " + rule.id + ": domain_in is neither a list name nor a sequence";
  }
  return {};
}

}  // namespace

namespace {

constexpr std::uint64_t k_base = 0x100000001B3ULL;  // odd: multiplying by it is invertible mod 2^64
constexpr std::size_t k_max_host = 253;             // url/host.cpp: a longer name is no host

constexpr std::array<std::uint64_t, k_max_host + 2> powers() {
  std::array<std::uint64_t, k_max_host + 2> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * k_base;
  return p;
}
constexpr std::array<std::uint64_t, k_max_host + 2> k_powers = powers();

// The table slot a key starts probing at: the key's bits mixed (splitmix64's finalizer),
// since the polynomial hash's low bits follow the domains' last bytes.
std::size_t slot_of(std::uint64_t key, std::size_t slots) {
  key ^= key >> 30;
  key *= 0xbf58476d1ce4e5b9ULL;
  key ^= key >> 27;
  key *= 0x94d049bb133111ebULL;
  key ^= key >> 31;
  return static_cast<std::size_t>(key) & (slots - 1);
}

}  // namespace

bool HuntPrefilter::has_hash(std::uint64_t h) const {
  const std::uint64_t key = h == 0 ? 1 : h;
  const std::size_t slots = m_table.size();
  for (std::size_t i = slot_of(key, slots);; i = (i + 1) & (slots - 1)) {
    if (m_table[i] == key) return true;
    if (m_table[i] == 0) return false;
  }
}

std::uint64_t domain_hash(std::string_view lowercase) {
  std::uint64_t h = 0;
  for (char c : lowercase) h = h * k_base + static_cast<unsigned char>(c);
  return h;
}

HuntPrefilter::HuntPrefilter()
    : m_code_points(std::make_unique<std::atomic<std::uint8_t>[]>(k_code_points)) {}

base::Result<std::unique_ptr<HuntPrefilter>, std::string> HuntPrefilter::build(
    const ruleset::Inventory& inventory, const std::vector<std::string>& rules,
    const ruleset::RulesetDiff* since) {
  if (rules.empty()) return std::string("no rule to hunt");
  std::unique_ptr<HuntPrefilter> f(new HuntPrefilter());
  std::vector<std::uint64_t> hashes;
  for (const std::string& id : rules) {
    const auto it = std::find_if(inventory.rules.begin(), inventory.rules.end(),
                                 [&](const ruleset::RuleInventory& r) { return r.id == id; });
    if (it == inventory.rules.end()) return "rule " + id + " is not in the ruleset";
    if (std::string why =
            add_rule_domains(*it, inventory, since, hashes, f->m_shortest, f->m_needs_body);
        !why.empty())
      return why;
  }
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  f->m_domain_count = hashes.size();
  std::size_t slots = 16;
  while (slots < 2 * hashes.size()) slots *= 2;
  f->m_table.assign(slots, 0);
  for (std::uint64_t h : hashes) {
    const std::uint64_t key = h == 0 ? 1 : h;  // 0 marks an empty slot
    std::size_t i = slot_of(key, slots);
    while (f->m_table[i] != 0 && f->m_table[i] != key) i = (i + 1) & (slots - 1);
    f->m_table[i] = key;
  }
  // Character references whose value could spell or break up a host.
  for (const html::NamedEntity& e : html::named_entities()) {
    bool risky = false;
    for (std::size_t i = 0; i < e.value.size() && !risky;) {
      const auto c = static_cast<unsigned char>(e.value[i]);
      if (c < 0x80) {
        risky = risky_ascii(c);
        ++i;
        continue;
      }
      const std::size_t len = base::utf8_sequence_length(e.value, i);
      risky = len == 0 || f->risky_code_point(decode_sequence(e.value, i, len));
      i += len == 0 ? 1 : len;
    }
    if (e.value == "&") {
      f->m_amp_entities.emplace(e.name);
      f->m_longest_name = std::max(f->m_longest_name, e.name.size());
    }
    if (!risky) continue;
    f->m_risky_entities.emplace(e.name);
    f->m_longest_name = std::max(f->m_longest_name, e.name.size());
  }
  return f;
}

bool HuntPrefilter::risky_code_point(std::uint32_t cp) const {
  if (cp < 0x80) return risky_ascii(static_cast<unsigned char>(cp));
  if (cp >= k_code_points) return false;
  std::atomic<std::uint8_t>& slot = m_code_points[cp];
  const std::uint8_t known = slot.load(std::memory_order_relaxed);
  if (known != k_unknown) return known == k_risky;
  // The probe host "a<cp>b.test" as the engine normalizes it: risky when the result is
  // all ASCII without an A-label (cp became ASCII or nothing), or when cp brought a dot.
  std::string probe = "a";
  html::append_utf8(probe, cp);
  probe += "b.test";
  const std::string host = url::normalize_host(probe);
  const bool risky = !host.empty() && (host.find("xn--") == std::string::npos ||
                                       std::count(host.begin(), host.end(), '.') != 1);
  slot.store(risky ? k_risky : k_harmless, std::memory_order_relaxed);
  return risky;
}

bool HuntPrefilter::risky_reference(std::string_view text, std::size_t amp, bool& makes_amp) const {
  const std::size_t start = amp + 1;
  if (start >= text.size()) return false;
  if (text[start] == '#') {
    std::size_t i = start + 1;
    const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
    if (hex) ++i;
    std::uint32_t value = 0;
    std::size_t digits = 0;
    for (; i < text.size(); ++i, ++digits) {
      const int d =
          hex ? hex_digit(text[i]) : (text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1);
      if (d < 0) break;
      value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d),
                                      k_code_points);
    }
    if (digits == 0) return false;  // not a reference: "&#" stays as written
    // C1 values are replaced by windows-1252's characters: judged as a group.
    if (value >= 0x80 && value <= 0x9F) return true;
    if (value == 0 || value >= k_code_points || (value >= 0xD800 && value <= 0xDFFF)) return false;
    makes_amp = makes_amp || value == '&';
    return risky_code_point(value);
  }
  // Named: any table name that the characters after '&' begin with (the longest match
  // is the tokenizer's; a shorter one is the legacy form without ';').
  std::size_t end = start;
  while (end < text.size() && end - start < m_longest_name && base::is_ascii_alnum(text[end]))
    ++end;
  std::string with_semicolon;
  for (std::size_t len = 1; len <= end - start; ++len) {
    const std::string_view name = text.substr(start, len);
    if (m_risky_entities.find(name) != m_risky_entities.end()) return true;
    makes_amp = makes_amp || m_amp_entities.find(name) != m_amp_entities.end();
    if (start + len < text.size() && text[start + len] == ';') {
      with_semicolon.assign(name).push_back(';');
      if (m_risky_entities.find(with_semicolon) != m_risky_entities.end()) return true;
      makes_amp = makes_amp || m_amp_entities.find(with_semicolon) != m_amp_entities.end();
    }
  }
  return false;
}

namespace {

// What one byte of a part is to the pass in may_hold().
enum ByteClass : std::uint8_t {
  k_other,
  k_host,
  k_dot,
  k_break,
  k_amp,
  k_percent,
  k_backslash,
  k_high
};

constexpr std::array<std::uint8_t, 256> byte_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    t[static_cast<std::size_t>(c)] = c >= 0x80                             ? k_high
                                     : alnum || c == '-' || c == '_'       ? k_host
                                     : c == '.'                            ? k_dot
                                     : c == '\t' || c == '\n' || c == '\r' ? k_break
                                     : c == '&'                            ? k_amp
                                     : c == '%'                            ? k_percent
                                     : c == '\\'                           ? k_backslash
                                                                           : k_other;
  }
  return t;
}

constexpr std::array<std::uint8_t, 256> k_classes = byte_classes();

}  // namespace

bool HuntPrefilter::run_holds_domain(std::string_view text, std::size_t begin,
                                     std::size_t end) const {
  // The run without its breaks, lowercase, with its prefix hashes; where a label may
  // start (the run's start, after '.', '-' or '_', after a break: "see\nwww.lure.example")
  // and where a host may end (before a break, at the end).
  thread_local std::string run;
  thread_local std::vector<std::uint64_t> prefix;
  thread_local std::vector<bool> starts;
  thread_local std::vector<std::size_t> ends;
  run.clear();
  prefix.assign(1, 0);
  starts.clear();
  ends.clear();
  bool after_break = true;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (k_classes[static_cast<unsigned char>(c)] == k_break) {
      if (!after_break) ends.push_back(run.size());
      after_break = true;
      continue;
    }
    const char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    starts.push_back(after_break || (!run.empty() && !base::is_ascii_alnum(run.back())));
    run += lower;
    prefix.push_back(prefix.back() * k_base + static_cast<unsigned char>(lower));
    after_break = false;
  }
  if (ends.empty() || ends.back() != run.size()) ends.push_back(run.size());
  for (std::size_t e : ends) {
    while (e > 0 && run[e - 1] == '.') --e;  // a host's trailing dot is dropped
    const std::size_t from = e > k_max_host ? e - k_max_host : 0;
    const std::size_t last_dot = std::string_view(run).substr(0, e).rfind('.');
    if (last_dot == std::string_view::npos || last_dot < from) continue;  // every domain has a dot
    for (std::size_t k = from; k < last_dot && e - k >= m_shortest; ++k) {
      if (k != from && !starts[k]) continue;
      const std::uint64_t h = prefix[e] - prefix[k] * k_powers[e - k];
      if (has_hash(h)) return true;
    }
  }
  return false;
}

namespace {

constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
constexpr std::uint64_t k_highs = 0x8080808080808080ULL;

constexpr std::uint64_t has_byte(std::uint64_t w, unsigned char c) {
  const std::uint64_t x = w ^ (k_ones * c);
  return (x - k_ones) & ~x & k_highs;  // may also flag bytes after a match: callers recheck
}

// No byte of the 8 at p is >= 0x80, '&', '%' or '\\'.
bool plain_word(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return ((w & k_highs) | has_byte(w, '&') | has_byte(w, '%') | has_byte(w, '\\')) == 0;
}

bool in_run(unsigned char c) {
  const std::uint8_t cls = k_classes[c];
  return cls == k_host || cls == k_dot || cls == k_break;
}

}  // namespace

bool HuntPrefilter::disguised(std::string_view text, bool& makes_amp) const {
  const char* data = text.data();
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    if (i + 8 <= n && plain_word(data + i)) {
      i += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(data[i]);
    switch (k_classes[c]) {
      case k_high: {
        const std::size_t len = base::utf8_sequence_length(text, i);
        if (len == 0) return true;  // not UTF-8: the part may be read as windows-1252
        if (risky_code_point(decode_sequence(text, i, len))) return true;
        i += len;
        continue;
      }
      case k_backslash:
        return true;
      case k_amp:
        if (risky_reference(text, i, makes_amp)) return true;
        break;
      case k_percent: {
        // The two digits as a URL parser reads them: after deleting tab, CR and LF.
        int digits[2] = {-1, -1};
        std::size_t j = i + 1;
        for (int& d : digits) {
          while (j < n && k_classes[static_cast<unsigned char>(data[j])] == k_break) ++j;
          if (j < n) d = hex_digit(data[j++]);
        }
        if (digits[0] >= 0 && digits[1] >= 0) {
          const auto b = static_cast<unsigned char>(digits[0] * 16 + digits[1]);
          if (b >= 0x80 || risky_ascii(b)) return true;
        }
        break;
      }
      default:
        break;
    }
    ++i;
  }
  return false;
}

namespace {

// Whether text holds "srcdoc" in any case: an iframe's srcdoc is decoded and read as a
// document of its own, whose references are decoded again ("&amp;period;" is a dot).
bool has_srcdoc(std::string_view text) {
  constexpr std::string_view k_name = "srcdoc";
  if (text.size() < k_name.size()) return false;
  const std::size_t last = text.size() - k_name.size();
  for (std::size_t at = 0; at <= last;) {
    if (at + 8 <= text.size()) {  // 8 bytes without 's' or 'S' at once
      std::uint64_t w = 0;
      std::memcpy(&w, text.data() + at, 8);
      if (has_byte(w | (k_ones * 0x20), 's') == 0) {
        at += 8;
        continue;
      }
    }
    if ((static_cast<unsigned char>(text[at]) | 0x20) == 's' &&
        base::iequals(text.substr(at, k_name.size()), k_name))
      return true;
    ++at;
  }
  return false;
}

}  // namespace

bool HuntPrefilter::may_hold(std::string_view text) const {
  if (!m_needs_body || m_domain_count == 0) return false;  // no link or resource can match
  bool makes_amp = false;
  if (disguised(text, makes_amp) || (makes_amp && has_srcdoc(text))) return true;
  // Every domain has a dot: only the runs of host bytes around a dot can hold one.
  const char* data = text.data();
  const std::size_t n = text.size();
  std::size_t from = 0;
  while (from < n) {
    const void* hit = std::memchr(data + from, '.', n - from);
    if (hit == nullptr) break;
    const auto dot = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
    std::size_t begin = dot, end = dot + 1;
    while (begin > from && in_run(static_cast<unsigned char>(data[begin - 1]))) --begin;
    while (end < n && in_run(static_cast<unsigned char>(data[end]))) ++end;
    if (run_holds_domain(text, begin, end)) return true;
    from = end;
  }
  return false;
}

}  // namespace pixelwarden::cli

#pragma once
// HuntPrefilter: lets `scan --rule` / `--new-since` skip the HTML tokenizer for text parts
// that cannot hold a domain the hunted lure rules look for. For each decoded part it
// finds the runs of host characters around every dot (letters, digits, '.', '-', '_';
// tab, CR and LF do not end a run, because URL parsers delete them inside URLs) and
// looks up each suffix that starts a label (at most the last 253 bytes, the longest
// host) among 64-bit hashes of the hunted domains: at the run's end, and before each
// break too, since a bare link ends at a line break. The engine's link and resource
// hosts are such runs (they end at '/', ':', '?', '#', quotes, spaces), so a host that is
// or ends in a hunted domain is found, unless the part spells hosts in another way
// than by their plain bytes. Then it is let through whole:
//   - a character reference (`&period;`, `&#46;`, `&shy;`, `&NewLine;` ...) whose value
//     is a letter, digit, `.`, `-`, tab, CR, LF, `%`, `\` or a character as below;
//   - a percent escape (`%2E`) of such a byte, or of any byte >= 0x80;
//   - a backslash (CSS escapes, `\` line continuations);
//   - a character that IDNA (UTS #46, as url::normalize_host applies it) maps to ASCII,
//     deletes (soft hyphen, zero-width joiners) or that carries a dot (`。`, `．`);
//     decided for each code point by normalizing a probe host with it, once per scan;
//   - bytes that are not UTF-8 (the part may be read as windows-1252);
//   - the attribute name `srcdoc` in a part with a reference that stands for '&' (a
//     srcdoc value is read as a document whose references are decoded a second time:
//     `&amp;period;`).
// Other characters end a run: a host with them is an A-label or no host at all.
// Cost: linear in the part (at most one lookup per label start within the 253 bytes
// before each break or run end); building is linear in the entries (DomainSet::normalize_entry, as
// the ruleset reads them). No automaton is compiled: a million domains cost 8 MB of
// hashes. A hash that collides only lets a part through.
//
// Built only when every hunted rule is a lure rule whose link and resource matching is a
// plain `domain_in` over domains (inline or a named list) with a dot in every entry and
// no IDN entry: a `lookalike_of` that looks at links or resources, a tracker or allow
// rule, or such an entry makes build() say why not, and the scan tokenizes every part.
// Rules that look only at the envelope and headers need no body: with only those, every
// part is skipped.
// Non-goals: skipping the MIME walk or decoding; the milter (it must find trackers).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/result.hpp"
#include "engine/part_filter.hpp"
#include "ruleset/diff.hpp"
#include "ruleset/inventory.hpp"

namespace pixelwarden::cli {

// Hash for sets of strings looked up by string_view (no copy per lookup).
struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using ViewSet = std::unordered_set<std::string, ViewHash, std::equal_to<>>;

// The polynomial hash the prefilter keeps of each domain (mod 2^64), so that every
// substring of a run is hashed in constant time from its prefix hashes.
std::uint64_t domain_hash(std::string_view lowercase);

class HuntPrefilter final : public engine::PartFilter {
 public:
  // The prefilter for a hunt of `rules` (ids) in `inventory`, which must hold the
  // named lists' entries (LoadOptions::keep_entries); else why the hunt cannot use one.
  // since (--new-since): the diff from the earlier ruleset. A rule it names as affected
  // only because entries were added to its domain_in lists can newly match only those
  // entries, so only they are looked for (an unchanged list adds none); a rule added or
  // changed, or whose other lists changed (an entry gone from its unless_domain_in), is
  // looked for with all its entries.
  static base::Result<std::unique_ptr<HuntPrefilter>, std::string> build(
      const ruleset::Inventory& inventory, const std::vector<std::string>& rules,
      const ruleset::RulesetDiff* since = nullptr);

  bool may_hold(std::string_view text) const override;

  std::size_t domain_count() const { return m_domain_count; }
  bool needs_body() const { return m_needs_body; }

  // Whether code point cp (>= 0x80) can turn into part of an ASCII host (see above).
  bool risky_code_point(std::uint32_t cp) const;

 private:
  HuntPrefilter();
  // Whether the run of host bytes and breaks text[begin, end) holds a hunted domain
  // where a host could end: at the run's end or at a break (a text link ends at a line
  // break, an attribute's URL reads on across it), from a label start.
  bool run_holds_domain(std::string_view text, std::size_t begin, std::size_t end) const;
  // Whether text spells something in another way than by its plain bytes (see above).
  // makes_amp: set when a reference in it stands for '&' (which a srcdoc decodes again).
  bool disguised(std::string_view text, bool& makes_amp) const;
  bool risky_reference(std::string_view text, std::size_t amp, bool& makes_amp) const;

  bool m_needs_body = false;  // some hunted rule looks at links or resources
  // domain_hash() of each hunted domain (lowercase ASCII, with a dot) in an
  // open-addressing table (a power of two, at most half full, 0 for an empty slot): one
  // or two cache misses per lookup, where a binary search of a million takes twenty. A
  // hash that collides with a run's only lets its part through: no string is kept.
  std::vector<std::uint64_t> m_table;
  std::size_t m_domain_count = 0;
  bool has_hash(std::uint64_t h) const;
  std::size_t m_shortest = SIZE_MAX;
  ViewSet m_risky_entities;        // names as in the table (';' kept)
  ViewSet m_amp_entities;          // names whose value is '&' ("amp;", "AMP" ...)
  std::size_t m_longest_name = 0;  // of those two sets
  // Per code point: 0 not known yet, 1 harmless, 2 risky. Filled lazily by any thread
  // (the answer is the same whoever computes it).
  std::unique_ptr<std::atomic<std::uint8_t>[]> m_code_points;
};

}  // namespace pixelwarden::cli

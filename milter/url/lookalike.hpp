#pragma once
// Look-alike detection for protected brands (ruleset `lookalike_of`). The analyst
// lists *all* legitimate domains of the brands; a registrable domain outside that list
// is a look-alike when its label (the part before the public suffix) relates to a
// protected label in one of four ways, or carries the brand in its subdomain labels
// (docs/ruleset.md, "Look-alikes"):
//   skeleton      same Unicode TR39 skeleton (Cyrillic `а` for `a`, `rn` for `m`)
//   other_suffix  the very same label under another suffix (nytimes.co)
//   edit_distance Damerau-Levenshtein distance 1 from a protected label of >= 5 chars
//   hyphenated    a protected label joined by a hyphen to another word (bbc-news)
//   subdomain     a protected registrable domain as consecutive labels left of another
//                 registrable domain (bbc.co.uk.news-portal.example), or one such label
//                 equal to (or with the skeleton of) a protected label of >= 5 chars
//                 (nytimes.secure-mail.example)
// Non-goals: homoglyphs across label boundaries, brand words inside unrelated words.
// A Detector's lists are immutable after construction and it is safe to share between
// threads (ICU's spoof checker is used through const calls only; the memo of results
// has a mutex per shard).

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pixelwarden::url {

enum class LookalikeKind { skeleton, other_suffix, edit_distance, hyphenated, subdomain };
const char* to_string(LookalikeKind k);

// TR39 skeleton of a UTF-8 string (ICU uspoof_getSkeletonUTF8); empty on failure.
std::string skeleton(std::string_view utf8);

// True when the code point sequences a and b are at Damerau-Levenshtein distance
// exactly one (one substitution, insertion, deletion or adjacent transposition).
bool one_edit_apart(std::u32string_view a, std::u32string_view b);

std::u32string to_u32(std::string_view utf8);

// The default floor of edit distance and of a brand label alone in a subdomain: shorter
// labels (bbc, ft, post) are common words and abbreviations in unrelated names.
inline constexpr std::size_t k_min_edit_label = 5;

struct Lookalike {
  LookalikeKind kind;
  std::string protected_domain;  // the legitimate domain it imitates
  std::string registrable;       // the look-alike's registrable domain
};

class LookalikeDetector {
 public:
  // `legitimate`: normalized hosts (see host.hpp). Entries that are not registrable
  // domains themselves (www.bbc.co.uk) are kept as legitimate and contribute their
  // registrable domain's label.
  explicit LookalikeDetector(const std::vector<std::string>& legitimate);

  // Checks a normalized host; nothing when it is legitimate or unrelated. min_label:
  // the shortest protected label that counts at edit distance 1 or alone in a subdomain
  // (a recipient group may lower it).
  std::optional<Lookalike> check(std::string_view normalized_host,
                                 std::size_t min_label = k_min_edit_label) const;

 private:
  struct Protected {
    std::string domain;    // registrable domain, A-label form
    std::string label;     // Unicode label
    std::string skeleton;  // skeleton of label
    std::u32string label32;
    std::string ascii_label;  // first label of domain, A-label form
  };
  bool is_legitimate(std::string_view host, std::string_view registrable) const;
  // The protected domain whose brand the subdomain labels (`host` left of `registrable`)
  // carry, or nullptr.
  const Protected* in_subdomain(std::string_view host, std::string_view registrable,
                                std::size_t min_label) const;
  std::optional<LookalikeKind> compare(const Protected& p, std::string_view label,
                                       std::string_view label_skeleton, std::u32string_view label32,
                                       std::size_t min_label) const;

  std::optional<Lookalike> compute(std::string_view host, std::size_t min_label) const;

  std::unordered_set<std::string> m_legitimate;
  std::vector<Protected> m_protected;
  std::size_t m_max_domain_labels = 0;  // labels of the longest protected domain

  // check()'s results by host and min_label. Mail names the same few hosts over and
  // over (a newsletter's links, a store's senders), and a check costs a public-suffix
  // lookup, an IDN conversion, a skeleton and a comparison with every protected label.
  // Bounded: a shard that reaches k_memo_shard_entries is emptied, so a message or a
  // store with ever new hosts costs a check each, as without the memo, and no more memory.
  static constexpr std::size_t k_memo_shards = 8;
  static constexpr std::size_t k_memo_shard_entries = 512;
  struct MemoShard {
    std::mutex mutex;
    std::unordered_map<std::string, std::optional<Lookalike>> results;
  };
  mutable std::array<MemoShard, k_memo_shards> m_memo;
};

}  // namespace pixelwarden::url

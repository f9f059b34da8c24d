#pragma once
// Adblock Plus filter lines (the subset EasyPrivacy's email-tracker section uses)
// translated into Hyperscan regexes over the whole URL, matched case-insensitively:
//   `*` any run          `^` a separator (not a letter, digit, `_ - . %`) or the end
//   `|` at either end    anchors the URL start / end
//   `||` at the start    domain anchor: the host or any of its subdomains starts here
//   `/re/`               a raw regex rule
//   `$opt,...`           image, third-party, ~third-party, all: kept as facts
//   `!` comment, `[Adblock ...]` header: ignored
// Exception (`@@`) and element-hiding (`##`) rules are not supported and reported as
// invalid lines. Non-goals: every other ABP option.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace pixelwarden::ruleset {

struct AbpFilter {
  std::string regex;
  bool image = false;        // $image
  bool third_party = false;  // $third-party
  bool first_party = false;  // $~third-party
  bool all = false;          // $all
  // For a rule with %XX escapes: the rule decoded, for matching the decoded URL (the
  // raw rule still matches the raw URL). Empty otherwise.
  std::string decoded_regex;
};

struct AbpSkip {};  // a comment or header line

// One trimmed, non-empty line: the filter, a skip, or an error message.
std::variant<AbpFilter, AbpSkip, std::string> parse_abp_line(std::string_view line);

// Percent-decodes %XX sequences (invalid ones are kept as they are).
std::string percent_decode_all(std::string_view s);

}  // namespace pixelwarden::ruleset

#pragma once
// The subset of the STIX 2.1 patterning language that a domain list can hold: one
// observation expression `[ ... ]` whose comparisons are `=` over
//   domain-name:value, url:value, email-addr:value, email-message:from_ref.value
// (also email-message:sender_ref.value), joined by OR and AND, with parentheses.
// An OR yields every value; an AND of supported comparisons also yields each value (a
// domain list can only say "any of these"; each value of such a conjunction is itself
// an indicator of the same campaign). Anything else (other objects or properties,
// other operators, several observations, qualifiers such as WITHIN or REPEATS) is
// unsupported and reported with what was found, never guessed at.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "intel/model.hpp"

namespace pixelwarden::intel {

struct PatternUnsupported {
  std::string detail;
};
struct PatternInvalid {
  std::string detail;
};

using PatternResult = std::variant<std::vector<Observable>, PatternUnsupported, PatternInvalid>;

PatternResult parse_stix_pattern(std::string_view pattern);

}  // namespace pixelwarden::intel

#pragma once
// RFC 5322 address lists (From, Reply-To, Sender, To, ...), parsed tolerantly the way mail
// readers display them: groups ("undisclosed: a@x, b@y;") are flattened, comments dropped
// (a comment after a bare addr-spec becomes its display name, as in "a@x (Alice)"), quoted
// local parts unquoted, encoded-word display names decoded to UTF-8 (RFC 2047, also inside
// quotes as real mail does), RFC 6532 UTF-8 passed through, obsolete routes
// ("<@relay:a@x>") stripped, domain literals returned without brackets.
// Non-goals: validation, IDNA (url/ does host normalization), lowercasing.

#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::mime {

struct Address {
  std::string display_name;  // UTF-8, "" when none
  std::string local_part;
  std::string domain;  // "" when the address has no '@'
};

// value: a raw header value (folding allowed).
std::vector<Address> parse_address_list(std::string_view value);

// The same without the shortcut for a plain single address: for the tests and the fuzzer
// that check the shortcut gives what the general parser gives.
std::vector<Address> parse_address_list_without_shortcut(std::string_view value);

}  // namespace pixelwarden::mime

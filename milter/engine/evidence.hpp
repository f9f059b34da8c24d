#pragma once
// Evidence extraction: turns envelope values and header fields into the neutral facts
// the ruleset matches on (normalized domains, decoded display names, DMARC results).
// Pure functions; the Inspection stages call them.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/inspect.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::engine {

// The domain of an address ("user@Example.COM." -> "example.com"), normalized as hosts
// are (IDNA A-label); empty when there is none.
std::string address_domain(std::string_view address);

// Addresses of a header value (RFC 5322 list, RFC 2047 display names). With `record`,
// each address is also appended there as written, for the audit log.
std::vector<ruleset::LureEvidence::Address> header_addresses(
    std::string_view raw_value, std::vector<MailAddress>* record = nullptr);

// The domain of a Message-ID value "<local@domain>"; nullopt when it has none.
std::optional<std::string> message_id_domain(std::string_view raw_value);

// True when an Authentication-Results value was written by `authserv_id` and says
// dmarc=pass. An empty authserv_id trusts nothing.
bool dmarc_passed(std::string_view raw_value, std::string_view authserv_id);

// Bare addresses of a header value (for the envelope reconstructed from a message).
std::vector<std::string> header_address_strings(std::string_view raw_value);

}  // namespace pixelwarden::engine

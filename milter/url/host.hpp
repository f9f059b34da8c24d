#pragma once
// Host names as the rules see them: one canonical form so that a list entry, a URL
// host and a header domain compare equal whatever the sender wrote. Canonical means
// ASCII lowercase, no brackets, no port, no trailing dot, and IDNA 2008 A-labels
// (`xn--`) for non-ASCII names (libidn2, UTS #46 non-transitional, falling back to
// transitional). Registrable domains come from libpsl's built-in list, including the
// default rule `*` for suffixes it does not know.
// Non-goals: URL parsing (url.hpp), DNS, IP address canonicalization beyond case.
// All functions are pure and thread-safe; they return owned strings.

#include <string>
#include <string_view>

namespace pixelwarden::url {

// Canonical form of a host (or `host:port`, `[v6]:port`, `host.`). Returns an empty
// string for garbage: empty labels, forbidden bytes, IDNA failures, over-long names.
std::string normalize_host(std::string_view host);

// The registrable domain (eTLD+1) of a normalized host, or empty when the host is a
// public suffix itself or an IP literal.
std::string registrable_domain(std::string_view normalized_host);

// The Unicode (U-label) form of a normalized host, for display and look-alike checks.
// Returns the input unchanged when it has no `xn--` label or cannot be converted.
std::string to_unicode_host(std::string_view normalized_host);

// True for a dotted IPv4 literal or a (bracket-less) IPv6 literal.
bool is_ip_literal(std::string_view host);

}  // namespace pixelwarden::url

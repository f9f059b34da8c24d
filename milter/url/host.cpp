#include "url/host.hpp"

#include <idn2.h>
#include <libpsl.h>

#include <algorithm>
#include <cstdlib>

#include "base/text.hpp"

namespace pixelwarden::url {
namespace {

constexpr std::size_t k_max_host = 253;
constexpr std::size_t k_max_label = 63;

// Splits off brackets and a port; returns the bare host part.
std::string_view strip_port(std::string_view h) {
  if (!h.empty() && h.front() == '[') {
    auto close = h.find(']');
    if (close == std::string_view::npos) return {};
    return h.substr(1, close - 1);
  }
  auto colon = h.rfind(':');
  if (colon != std::string_view::npos && h.find(':') == colon) {
    std::string_view port = h.substr(colon + 1);
    for (char c : port) {
      if (!base::is_ascii_digit(c)) return {};
    }
    return h.substr(0, colon);
  }
  return h;
}

bool has_non_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

std::string idna_to_ascii(std::string_view h) {
  std::string in(h);
  char* out = nullptr;
  int rc = idn2_to_ascii_8z(in.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK) {
    rc = idn2_to_ascii_8z(in.c_str(), &out, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
  }
  if (rc != IDN2_OK || out == nullptr) return {};
  std::string result(out);
  idn2_free(out);
  return result;
}

bool valid_dns_name(std::string_view h) {
  if (h.empty() || h.size() > k_max_host) return false;
  std::size_t label = 0;
  for (char c : h) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!(base::is_ascii_alnum(c) || c == '-' || c == '_')) return false;
    if (++label > k_max_label) return false;
  }
  return label != 0;
}

}  // namespace

bool is_ip_literal(std::string_view h) {
  if (h.find(':') != std::string_view::npos) {
    // An IPv6 address ends in a hex digit or ':' ("::"), never in a dot, which a second
    // normalization would take off.
    if (h.back() == '.') return false;
    for (char c : h) {
      if (!(base::hex_value(c) >= 0 || c == ':' || c == '.')) return false;
    }
    return true;
  }
  // Four groups of digits: "1.2.3." is no address (normalized once more, its trailing dot
  // would go and it would read as a domain).
  int dots = 0;
  std::size_t digits = 0;
  for (char c : h) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (base::is_ascii_digit(c)) {
      ++digits;
    } else {
      return false;
    }
  }
  return dots == 3 && digits != 0;
}

std::string normalize_host(std::string_view raw) {
  const std::string_view trimmed = base::trim(raw);
  std::string_view h = strip_port(trimmed);
  // An IPv6 address has at least two colons. Brackets around anything else are no
  // address (browsers refuse the URL), and written back without its brackets it would
  // read as host:port: "[2001:]" must not become "2001:" and then "2001".
  if (!trimmed.empty() && trimmed.front() == '[' && std::count(h.begin(), h.end(), ':') < 2)
    return {};
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  if (h.empty()) return {};
  std::string lowered = base::to_lower(h);
  if (is_ip_literal(lowered)) return lowered;
  if (has_non_ascii(lowered)) lowered = idna_to_ascii(lowered);
  if (!valid_dns_name(lowered)) return {};
  return lowered;
}

std::string registrable_domain(std::string_view host) {
  if (host.empty() || is_ip_literal(host)) return {};
  std::string h(host);
  const char* reg = psl_registrable_domain(psl_builtin(), h.c_str());
  if (reg == nullptr) return {};
  return std::string(reg);
}

std::string to_unicode_host(std::string_view host) {
  if (base::ifind(host, "xn--") == std::string_view::npos) return std::string(host);
  std::string in(host);
  char* out = nullptr;
  if (idn2_to_unicode_8z8z(in.c_str(), &out, 0) != IDN2_OK || out == nullptr) return in;
  std::string result(out);
  idn2_free(out);
  return result;
}

}  // namespace pixelwarden::url

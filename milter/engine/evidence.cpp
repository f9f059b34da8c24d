#include "engine/evidence.hpp"

#include "base/text.hpp"
#include "mime/address.hpp"
#include "mime/header.hpp"
#include "url/host.hpp"

namespace pixelwarden::engine {

std::string address_domain(std::string_view address) {
  std::string_view a = base::trim(address);
  if (!a.empty() && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
  const std::size_t at = a.rfind('@');
  if (at == std::string_view::npos) return {};
  return url::normalize_host(a.substr(at + 1));
}

std::vector<ruleset::LureEvidence::Address> header_addresses(std::string_view raw_value,
                                                             std::vector<MailAddress>* record) {
  std::vector<ruleset::LureEvidence::Address> out;
  for (const auto& a : mime::parse_address_list(raw_value)) {
    ruleset::LureEvidence::Address e;
    e.domain = a.domain.empty() ? std::string() : url::normalize_host(a.domain);
    e.display_name = a.display_name;
    if (record != nullptr) {
      record->push_back(
          {a.domain.empty() ? a.local_part : a.local_part + "@" + a.domain, a.display_name});
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::string> header_address_strings(std::string_view raw_value) {
  std::vector<std::string> out;
  for (const auto& a : mime::parse_address_list(raw_value)) {
    if (a.local_part.empty() && a.domain.empty()) continue;
    out.push_back(a.domain.empty() ? a.local_part : a.local_part + "@" + a.domain);
  }
  return out;
}

std::optional<std::string> message_id_domain(std::string_view raw_value) {
  const std::string v = mime::unfold(raw_value);
  const std::size_t at = v.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  std::size_t end = v.find('>', at);
  if (end == std::string::npos) end = v.size();
  std::string host = url::normalize_host(std::string_view(v).substr(at + 1, end - at - 1));
  if (host.empty()) return std::nullopt;
  return host;
}

bool dmarc_passed(std::string_view raw_value, std::string_view authserv_id) {
  if (authserv_id.empty()) return false;
  const std::string v = mime::unfold(raw_value);
  std::string_view rest(v);
  // authserv-id is the first token, up to ';' or whitespace (a version may follow).
  std::size_t end = 0;
  while (end < rest.size() && rest[end] != ';' && !base::is_ascii_space(rest[end])) ++end;
  if (!base::iequals(rest.substr(0, end), authserv_id)) return false;
  // Each resinfo is separated by ';'. Look for a method "dmarc" with result "pass".
  for (std::string_view item : base::split(rest.substr(end), ';')) {
    item = base::trim(item);
    if (!base::istarts_with(item, "dmarc")) continue;
    std::string_view after = base::trim(item.substr(5));
    if (after.empty() || after.front() != '=') continue;
    after = base::trim(after.substr(1));
    if (base::istarts_with(after, "pass")) {
      return after.size() == 4 || !base::is_ascii_alnum(after[4]);
    }
  }
  return false;
}

}  // namespace pixelwarden::engine

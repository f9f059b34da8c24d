// RecipientTokens: every form in which a URL may carry an envelope recipient.
#include <algorithm>
#include <cstring>

#include "base/digest.hpp"
#include "base/text.hpp"
#include "ruleset/abp_filter.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::ruleset {
namespace {

constexpr std::string_view k_b64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::size_t k_min_local_part = 4;

// The base64 characters that depend only on `s` when it starts `shift` bytes into a
// longer base64-encoded run (shift 0, 1, 2): the three alignments. Unpadded: padding
// depends on what follows, so it is never part of a needle.
std::string stable_base64(std::string_view s, std::size_t shift) {
  const std::size_t first = (8 * shift + 5) / 6;  // chars [first, last) lie wholly inside s
  const std::size_t last = 8 * (shift + s.size()) / 6;
  std::string out;
  if (last <= first) return out;
  out.reserve(last - first);
  unsigned acc = 0;
  int bits = 8 * static_cast<int>(shift);  // the zero bytes before s
  std::size_t k = 0;                       // index of the next whole character
  for (const char c : s) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      if (k++ >= first) out.push_back(k_b64[(acc >> bits) & 63]);
    }
    acc &= (1U << bits) - 1;
  }
  return out;
}

void add_base64_forms(std::string_view s, std::vector<std::string>& out) {
  for (std::size_t shift = 0; shift < 3; ++shift) {
    std::string std_form = stable_base64(s, shift);
    if (std_form.size() < k_min_local_part) continue;
    if (std_form.find_first_of("+/") != std::string::npos) {
      std::string url_form = std_form;
      std::replace(url_form.begin(), url_form.end(), '+', '-');
      std::replace(url_form.begin(), url_form.end(), '/', '_');
      out.push_back(std::move(url_form));
    }
    out.push_back(std::move(std_form));
  }
}

bool contains(std::string_view hay, const std::vector<std::string>& needles) {
  for (const auto& n : needles) {
    if (hay.find(n) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

RecipientTokens::RecipientTokens(const std::vector<std::string>& recipients) {
  for (const auto& raw : recipients) {
    std::string_view r = base::trim(raw);
    if (r.size() >= 2 && r.front() == '<' && r.back() == '>') r = r.substr(1, r.size() - 2);
    if (!r.empty()) m_recipients.emplace_back(r);
  }
}

void RecipientTokens::make_forms() const {
  m_made = true;
  for (const std::string& r : m_recipients) {
    std::string addr = base::to_lower(r);
    std::string local = addr.substr(0, addr.rfind('@'));
    m_needles.push_back(addr);
    m_needles.push_back(base::md5_hex(addr));
    m_needles.push_back(base::sha1_hex(addr));
    m_needles.push_back(base::sha256_hex(addr));
    add_base64_forms(addr, m_exact);
    if (r != addr) add_base64_forms(r, m_exact);  // as written, when the sender kept the case
    if (local.size() >= k_min_local_part && local != addr) {
      m_needles.push_back(local);
      add_base64_forms(local, m_exact);
    }
  }
  auto dedupe = [](std::vector<std::string>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  dedupe(m_needles);
  dedupe(m_exact);
}

bool RecipientTokens::found_in(std::string_view url) const {
  if (empty()) return false;
  if (!m_made) make_forms();
  // Only the part after the host can carry a token: skip scheme://authority.
  std::size_t start = 0;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    start = url.find_first_of("/?#", scheme + 3);
    if (start == std::string_view::npos) return false;
  }
  // Most URLs have no escapes and no capitals: then the decoded and the lower-cased forms
  // are the URL itself, and no copy is made.
  const std::string_view tail = url.substr(start);
  std::string decoded_copy;
  std::string_view decoded = tail;
  if (tail.find('%') != std::string_view::npos) {
    decoded_copy = percent_decode_all(tail);
    decoded = decoded_copy;
  }
  if (contains(decoded, m_exact)) return true;
  if (std::none_of(decoded.begin(), decoded.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return contains(decoded, m_needles);
  }
  return contains(base::to_lower(decoded), m_needles);
}

}  // namespace pixelwarden::ruleset

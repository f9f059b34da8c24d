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

std::string base64(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(k_b64[(v >> s) & 63]);
  }
  std::size_t rest = in.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    for (std::size_t k = 0; k <= rest; ++k) out.push_back(k_b64[(v >> (18 - 6 * k)) & 63]);
  }
  return out;  // unpadded: padding depends on what follows, so it is never part of a needle
}

// The base64 characters that depend only on `s` when it starts `shift` bytes into a
// longer base64-encoded run (shift 0, 1, 2): the three alignments.
std::string stable_base64(std::string_view s, std::size_t shift) {
  std::string padded(shift, '\0');
  padded.append(s);
  std::string enc = base64(padded);
  std::size_t first = (8 * shift + 5) / 6;
  std::size_t bits_end = 8 * (shift + s.size());
  std::size_t last = bits_end / 6;  // chars [first, last) lie wholly inside s
  if (last <= first) return {};
  return enc.substr(first, last - first);
}

void add_base64_forms(std::string_view s, std::vector<std::string>& out) {
  for (std::size_t shift = 0; shift < 3; ++shift) {
    std::string std_form = stable_base64(s, shift);
    if (std_form.size() < k_min_local_part) continue;
    std::string url_form = std_form;
    std::replace(url_form.begin(), url_form.end(), '+', '-');
    std::replace(url_form.begin(), url_form.end(), '/', '_');
    out.push_back(std_form);
    if (url_form != std_form) out.push_back(url_form);
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
    add_base64_forms(r, m_exact);  // as written, when the sender kept the case
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
  std::string decoded = percent_decode_all(url.substr(start));
  if (contains(decoded, m_exact)) return true;
  std::string lowered = base::to_lower(decoded);
  return contains(lowered, m_needles);
}

}  // namespace pixelwarden::ruleset

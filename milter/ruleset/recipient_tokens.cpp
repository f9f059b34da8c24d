// RecipientTokens: every form in which a URL may carry an envelope recipient.
#include <algorithm>
#include <cstring>
#include <memory>
#include <unordered_map>

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

namespace {

void dedupe(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

void add_forms(const std::string& r, std::vector<std::string>& needles,
               std::vector<std::string>& exact) {
  std::string addr = base::to_lower(r);
  std::string local = addr.substr(0, addr.rfind('@'));
  needles.push_back(addr);
  needles.push_back(base::md5_hex(addr));
  needles.push_back(base::sha1_hex(addr));
  needles.push_back(base::sha256_hex(addr));
  add_base64_forms(addr, exact);
  if (r != addr) add_base64_forms(r, exact);  // as written, when the sender kept the case
  if (local.size() >= k_min_local_part && local != addr) {
    needles.push_back(local);
    add_base64_forms(local, exact);
  }
}

// Entries a thread keeps before it starts over: about 2 KB each, so at most about
// 0.5 MB per thread, and a flood of new recipients costs what it did without the cache.
constexpr std::size_t k_cached_recipients = 256;

}  // namespace

const RecipientTokens::Forms& RecipientTokens::forms() const {
  if (m_forms) return *m_forms;
  if (m_recipients.size() == 1) {
    thread_local std::unordered_map<std::string, std::shared_ptr<const Forms>> cache;
    const std::string& r = m_recipients.front();
    if (auto it = cache.find(r); it != cache.end()) {
      m_forms = it->second;
      return *m_forms;
    }
    auto made = std::make_shared<Forms>();
    add_forms(r, made->needles, made->exact);
    dedupe(made->needles);
    dedupe(made->exact);
    if (cache.size() >= k_cached_recipients) cache.clear();
    cache.emplace(r, made);
    m_forms = std::move(made);
    return *m_forms;
  }
  auto made = std::make_shared<Forms>();
  for (const std::string& r : m_recipients) add_forms(r, made->needles, made->exact);
  dedupe(made->needles);
  dedupe(made->exact);
  m_forms = std::move(made);
  return *m_forms;
}

bool RecipientTokens::found_in(std::string_view url) const {
  if (empty()) return false;
  const Forms& f = forms();
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
  if (contains(decoded, f.exact)) return true;
  if (std::none_of(decoded.begin(), decoded.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return contains(decoded, f.needles);
  }
  return contains(base::to_lower(decoded), f.needles);
}

}  // namespace pixelwarden::ruleset

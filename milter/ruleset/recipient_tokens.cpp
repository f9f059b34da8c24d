// RecipientTokens: every form in which a URL may carry an envelope recipient.
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
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

std::uint32_t load_prefix(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The filter's bit for a prefix: 12 bits of a multiplicative hash.
std::size_t filter_bit(std::uint32_t prefix) { return (prefix * 0x9E3779B1u) >> 20; }

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

}  // namespace

void RecipientTokens::Forms::index() {
  auto add = [&](const std::vector<std::string>& forms, bool exact,
                 std::vector<std::string>& short_ones) {
    for (std::size_t i = 0; i < forms.size(); ++i) {
      const std::string& f = forms[i];
      if (f.size() < k_prefix) {
        short_ones.push_back(f);
        continue;
      }
      const std::uint32_t prefix = load_prefix(f.data());
      const std::size_t bit = filter_bit(prefix);
      filter[bit / 64] |= std::uint64_t{1} << (bit % 64);
      by_prefix.push_back(Form{prefix, exact, static_cast<std::uint32_t>(i)});
    }
  };
  add(needles, false, short_needles);
  add(exact, true, short_exact);
  std::sort(by_prefix.begin(), by_prefix.end(),
            [](const Form& a, const Form& b) { return a.prefix < b.prefix; });
}

bool RecipientTokens::Forms::any_in(std::string_view hay, bool exact_too, bool lower_too) const {
  if (exact_too && contains(hay, short_exact)) return true;
  if (lower_too && contains(hay, short_needles)) return true;
  if (hay.size() < k_prefix) return false;
  const char* p = hay.data();
  for (std::size_t i = 0; i + k_prefix <= hay.size(); ++i) {
    const std::uint32_t prefix = load_prefix(p + i);
    const std::size_t bit = filter_bit(prefix);
    if ((filter[bit / 64] & (std::uint64_t{1} << (bit % 64))) == 0) continue;
    auto it = std::lower_bound(by_prefix.begin(), by_prefix.end(), prefix,
                               [](const Form& f, std::uint32_t v) { return f.prefix < v; });
    for (; it != by_prefix.end() && it->prefix == prefix; ++it) {
      if (!(it->exact ? exact_too : lower_too)) continue;
      if (hay.substr(i).starts_with((it->exact ? exact : needles)[it->index])) return true;
    }
  }
  return false;
}

namespace {

// One recipient's forms, shared by every thread: through Postfix, libmilter starts a new
// thread for most connections, so a per-thread cache was empty for most messages and
// each paid for the three digests again (with libcrypto's code cold). Entries are about
// 3 KB each (the forms, their index and its 512-byte filter); at k_cached_recipients the
// cache starts over, so it holds at most about 3 MB and a flood of new recipients costs
// what it did without it. The lock covers the lookup and the insert only: the forms are
// made outside it, so two threads may make the same forms once (the second insert is
// dropped).
constexpr std::size_t k_cached_recipients = 1024;

}  // namespace

struct RecipientTokens::FormsCache {
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const Forms>> by_recipient;
  static FormsCache& get() {
    static auto* cache = new FormsCache;  // never destroyed: threads may outlive exit
    return *cache;
  }
};

const RecipientTokens::Forms& RecipientTokens::forms() const {
  if (m_forms) return *m_forms;
  if (m_recipients.size() == 1) {
    const std::string& r = m_recipients.front();
    FormsCache& cache = FormsCache::get();
    {
      std::lock_guard lock(cache.mutex);
      if (auto it = cache.by_recipient.find(r); it != cache.by_recipient.end()) {
        m_forms = it->second;
        return *m_forms;
      }
    }
    auto made = std::make_shared<Forms>();
    add_forms(r, made->needles, made->exact);
    dedupe(made->needles);
    dedupe(made->exact);
    made->index();
    {
      std::lock_guard lock(cache.mutex);
      if (cache.by_recipient.size() >= k_cached_recipients) cache.by_recipient.clear();
      cache.by_recipient.emplace(r, made);
    }
    m_forms = std::move(made);
    return *m_forms;
  }
  auto made = std::make_shared<Forms>();
  for (const std::string& r : m_recipients) add_forms(r, made->needles, made->exact);
  dedupe(made->needles);
  dedupe(made->exact);
  made->index();
  m_forms = std::move(made);
  return *m_forms;
}

namespace {

// Only the part after the host can carry a token: the URL without scheme://authority;
// nullopt when nothing follows the authority.
std::optional<std::string_view> token_tail(std::string_view url) {
  std::size_t start = 0;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    // A loop, not find_first_of("/?#"), which calls memchr once per byte of the host.
    start = scheme + 3;
    while (start < url.size() && url[start] != '/' && url[start] != '?' && url[start] != '#')
      ++start;
    if (start == url.size()) return std::nullopt;
  }
  return url.substr(start);
}

}  // namespace

bool RecipientTokens::found_in(std::string_view url) const {
  if (empty()) return false;
  const std::optional<std::string_view> tail = token_tail(url);
  if (!tail) return false;
  const Forms& f = forms();
  // Most URLs have no escapes and no capitals: then the decoded and the lower-cased forms
  // are the URL itself, and no copy is made.
  std::string decoded_copy;
  std::string_view decoded = *tail;
  if (tail->find('%') != std::string_view::npos) {
    decoded_copy = percent_decode_all(*tail);
    decoded = decoded_copy;
  }
  // Without capitals the lower-cased text is the text itself: one pass for both kinds.
  if (std::none_of(decoded.begin(), decoded.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return f.any_in(decoded, true, true);
  }
  return f.any_in(decoded, true, false) || f.any_in(base::to_lower(decoded), false, true);
}

bool RecipientTokens::found_in_without_index(std::string_view url) const {
  if (empty()) return false;
  const std::optional<std::string_view> tail = token_tail(url);
  if (!tail) return false;
  const Forms& f = forms();
  const std::string decoded = percent_decode_all(*tail);
  return contains(decoded, f.exact) || contains(base::to_lower(decoded), f.needles);
}

}  // namespace pixelwarden::ruleset

#include "url/lookalike.hpp"

#include <unicode/uspoof.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "url/host.hpp"

namespace pixelwarden::url {
namespace {

struct SpoofCloser {
  void operator()(USpoofChecker* c) const { uspoof_close(c); }
};

// One process-wide checker: configured once, then only used through const calls,
// which ICU documents as thread-safe.
const USpoofChecker* spoof_checker() {
  static const std::unique_ptr<USpoofChecker, SpoofCloser> checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker* c = uspoof_open(&status);
    if (U_FAILURE(status)) c = nullptr;
    return std::unique_ptr<USpoofChecker, SpoofCloser>(c);
  }();
  return checker.get();
}

// The first label of a registrable domain, in Unicode.
std::string first_label_unicode(std::string_view registrable) {
  std::string u = to_unicode_host(registrable);
  return u.substr(0, u.find('.'));
}

// True when `whole` is `part` joined by hyphens to at least one other word.
bool hyphen_joined(std::string_view whole, std::string_view part) {
  if (part.empty() || whole.size() <= part.size() + 1) return false;
  std::size_t pos = 0;
  while ((pos = whole.find(part, pos)) != std::string_view::npos) {
    bool left_ok = pos == 0 || whole[pos - 1] == '-';
    std::size_t end = pos + part.size();
    bool right_ok = end == whole.size() || whole[end] == '-';
    bool joined = (pos > 0) || (end < whole.size());
    if (left_ok && right_ok && joined) return true;
    ++pos;
  }
  return false;
}

std::size_t count_labels(std::string_view s) {
  return s.empty() ? 0 : static_cast<std::size_t>(std::count(s.begin(), s.end(), '.')) + 1;
}

}  // namespace

const char* to_string(LookalikeKind k) {
  switch (k) {
    case LookalikeKind::skeleton:
      return "skeleton";
    case LookalikeKind::other_suffix:
      return "other_suffix";
    case LookalikeKind::edit_distance:
      return "edit_distance";
    case LookalikeKind::hyphenated:
      return "hyphenated";
    case LookalikeKind::subdomain:
      return "subdomain";
  }
  return "?";
}

std::string skeleton(std::string_view utf8) {
  const USpoofChecker* c = spoof_checker();
  if (c == nullptr) return {};
  UErrorCode status = U_ZERO_ERROR;
  std::string out(utf8.size() * 3 + 16, '\0');
  int32_t n = uspoof_getSkeletonUTF8(c, 0, utf8.data(), static_cast<int32_t>(utf8.size()),
                                     out.data(), static_cast<int32_t>(out.size()), &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    status = U_ZERO_ERROR;
    out.assign(static_cast<std::size_t>(n) + 1, '\0');
    n = uspoof_getSkeletonUTF8(c, 0, utf8.data(), static_cast<int32_t>(utf8.size()), out.data(),
                               static_cast<int32_t>(out.size()), &status);
  }
  if (U_FAILURE(status)) return {};
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::u32string to_u32(std::string_view s) {
  std::u32string out;
  int32_t i = 0;
  const auto len = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < len) {
    UChar32 c = 0;
    U8_NEXT(p, i, len, c);
    out.push_back(static_cast<char32_t>(c < 0 ? 0xFFFD : c));
  }
  return out;
}

bool one_edit_apart(std::u32string_view a, std::u32string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  if (a.size() - b.size() > 1) return false;
  std::size_t i = 0;
  while (i < b.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) {
    if (i == a.size()) return false;                      // identical
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);  // adjacent transposition
  }
  return a.substr(i + 1) == b.substr(i);  // one insertion into b
}

LookalikeDetector::LookalikeDetector(const std::vector<std::string>& legitimate) {
  for (const auto& host : legitimate) {
    m_legitimate.insert(host);
    std::string reg = registrable_domain(host);
    if (reg.empty()) continue;
    bool seen = false;
    for (const auto& p : m_protected) seen = seen || p.domain == reg;
    if (seen) continue;
    std::string label = first_label_unicode(reg);
    m_protected.push_back(
        {reg, label, skeleton(label), to_u32(label), reg.substr(0, reg.find('.'))});
    m_max_domain_labels = std::max(m_max_domain_labels, count_labels(reg));
  }
}

bool LookalikeDetector::is_legitimate(std::string_view host, std::string_view reg) const {
  if (m_legitimate.count(std::string(reg)) != 0) return true;
  for (std::size_t pos = 0; pos != std::string_view::npos;) {
    if (m_legitimate.count(std::string(host.substr(pos))) != 0) return true;
    pos = host.find('.', pos);
    if (pos != std::string_view::npos) ++pos;
  }
  return false;
}

const LookalikeDetector::Protected* LookalikeDetector::in_subdomain(std::string_view host,
                                                                    std::string_view reg,
                                                                    std::size_t min_label) const {
  if (host.size() <= reg.size() + 1) return nullptr;
  const std::string_view sub = host.substr(0, host.size() - reg.size() - 1);
  // Every run of consecutive labels as long as a protected domain (bbc.co.uk: 3 labels),
  // and every single label; a host has at most 127 labels, the runs are short.
  std::vector<std::string_view> labels;
  for (std::size_t at = 0; at <= sub.size();) {
    std::size_t dot = sub.find('.', at);
    if (dot == std::string_view::npos) dot = sub.size();
    labels.push_back(sub.substr(at, dot - at));
    at = dot + 1;
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    for (std::size_t n = 2; n <= m_max_domain_labels && i + n <= labels.size(); ++n) {
      const char* begin = labels[i].data();
      const std::string_view run(begin,
                                 labels[i + n - 1].data() + labels[i + n - 1].size() - begin);
      for (const auto& p : m_protected) {
        if (p.domain == run) return &p;
      }
    }
  }
  for (std::string_view label : labels) {
    // A bare brand label shorter than min_label counts only with its whole registrable
    // domain (bbc.co.uk.example.net): short labels are common words in unrelated names.
    if (label.size() < min_label) continue;
    for (const auto& p : m_protected) {
      if (p.label32.size() >= min_label && p.ascii_label == label) return &p;
    }
    // Homoglyphs and ASCII confusables (rn for m): by skeleton, in Unicode.
    const std::string u = label.rfind("xn--", 0) == 0 ? to_unicode_host(label) : std::string(label);
    const std::string sk = skeleton(u);
    if (sk.empty()) continue;
    for (const auto& p : m_protected) {
      if (p.label32.size() >= min_label && p.skeleton == sk) return &p;
    }
  }
  return nullptr;
}

std::optional<LookalikeKind> LookalikeDetector::compare(const Protected& p, std::string_view label,
                                                        std::string_view label_skeleton,
                                                        std::u32string_view label32,
                                                        std::size_t min_label) const {
  if (label == p.label) return LookalikeKind::other_suffix;
  if (!label_skeleton.empty() && label_skeleton == p.skeleton) return LookalikeKind::skeleton;
  if (p.label32.size() >= min_label && one_edit_apart(label32, p.label32)) {
    return LookalikeKind::edit_distance;
  }
  if (hyphen_joined(label, p.label) ||
      (!p.skeleton.empty() && hyphen_joined(label_skeleton, p.skeleton))) {
    return LookalikeKind::hyphenated;
  }
  return std::nullopt;
}

std::optional<Lookalike> LookalikeDetector::check(std::string_view host,
                                                  std::size_t min_label) const {
  if (host.empty() || m_protected.empty()) return std::nullopt;
  std::string key;
  key.reserve(host.size() + 2);
  key.append(host).push_back('\0');
  key.append(std::to_string(min_label));
  MemoShard& shard = m_memo[std::hash<std::string>{}(key) % k_memo_shards];
  {
    const std::lock_guard<std::mutex> lock(shard.mutex);
    if (const auto it = shard.results.find(key); it != shard.results.end()) return it->second;
  }
  std::optional<Lookalike> result = compute(host, min_label);
  const std::lock_guard<std::mutex> lock(shard.mutex);
  if (shard.results.size() >= k_memo_shard_entries) shard.results.clear();
  shard.results.emplace(std::move(key), result);
  return result;
}

std::optional<Lookalike> LookalikeDetector::compute(std::string_view host,
                                                    std::size_t min_label) const {
  std::string reg = registrable_domain(host);
  if (reg.empty() || is_legitimate(host, reg)) return std::nullopt;
  std::string label = first_label_unicode(reg);
  std::string label_skeleton = skeleton(label);
  std::u32string label32 = to_u32(label);
  for (const auto& p : m_protected) {
    if (auto kind = compare(p, label, label_skeleton, label32, min_label)) {
      return Lookalike{*kind, p.domain, reg};
    }
  }
  if (const Protected* p = in_subdomain(host, reg, min_label)) {
    return Lookalike{LookalikeKind::subdomain, p->domain, reg};
  }
  return std::nullopt;
}

}  // namespace pixelwarden::url

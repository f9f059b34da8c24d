#include "url/lookalike.hpp"

#include <unicode/uspoof.h>
#include <unicode/utf8.h>

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

}  // namespace

const char* to_string(LookalikeKind k) {
  switch (k) {
    case LookalikeKind::skeleton: return "skeleton";
    case LookalikeKind::other_suffix: return "other_suffix";
    case LookalikeKind::edit_distance: return "edit_distance";
    case LookalikeKind::hyphenated: return "hyphenated";
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
    if (i == a.size()) return false;  // identical
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
    m_protected.push_back({reg, label, skeleton(label), to_u32(label)});
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

std::optional<LookalikeKind> LookalikeDetector::compare(const Protected& p,
                                                        std::string_view label,
                                                        std::string_view label_skeleton,
                                                        std::u32string_view label32) const {
  if (label == p.label) return LookalikeKind::other_suffix;
  if (!label_skeleton.empty() && label_skeleton == p.skeleton) return LookalikeKind::skeleton;
  if (p.label32.size() >= 5 && one_edit_apart(label32, p.label32)) {
    return LookalikeKind::edit_distance;
  }
  if (hyphen_joined(label, p.label) ||
      (!p.skeleton.empty() && hyphen_joined(label_skeleton, p.skeleton))) {
    return LookalikeKind::hyphenated;
  }
  return std::nullopt;
}

std::optional<Lookalike> LookalikeDetector::check(std::string_view host) const {
  if (host.empty() || m_protected.empty()) return std::nullopt;
  std::string reg = registrable_domain(host);
  if (reg.empty() || is_legitimate(host, reg)) return std::nullopt;
  std::string label = first_label_unicode(reg);
  std::string label_skeleton = skeleton(label);
  std::u32string label32 = to_u32(label);
  for (const auto& p : m_protected) {
    if (auto kind = compare(p, label, label_skeleton, label32)) {
      return Lookalike{*kind, p.domain, reg};
    }
  }
  return std::nullopt;
}

}  // namespace pixelwarden::url

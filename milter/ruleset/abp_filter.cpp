#include "ruleset/abp_filter.hpp"

#include "base/text.hpp"

namespace pixelwarden::ruleset {
namespace {

// A separator, or the end of the URL. Hyperscan refuses `$` inside a pattern, and the
// end alternative can only ever match at the very end, so inner `^` use the class only.
constexpr std::string_view k_separator_char = "[^A-Za-z0-9_.%\\-]";
constexpr std::string_view k_separator_or_end = "(?:[^A-Za-z0-9_.%\\-]|$)";
constexpr std::string_view k_domain_anchor = "^[a-z][a-z0-9+.\\-]*://(?:[^/?#@]*@)?(?:[^/?#]*\\.)?";

bool is_regex_meta(char c) {
  return std::string_view("\\.+?()[]{}$|/#\"'").find(c) != std::string_view::npos;
}

// Parses `$...` options into f; the error message otherwise.
std::optional<std::string> parse_options(std::string_view opts, AbpFilter& f) {
  for (std::string_view o : base::split(opts, ',')) {
    o = base::trim(o);
    if (o == "image") {
      f.image = true;
    } else if (o == "third-party" || o == "3p") {
      f.third_party = true;
    } else if (o == "~third-party" || o == "1p") {
      f.first_party = true;
    } else if (o == "all") {
      f.all = true;
    } else {
      return "unsupported filter option '" + std::string(o) + "'";
    }
  }
  return std::nullopt;
}

std::string translate(std::string_view p) {
  std::string re;
  if (p.substr(0, 2) == "||") {
    re.append(k_domain_anchor);
    p.remove_prefix(2);
  } else if (!p.empty() && p.front() == '|') {
    re.push_back('^');
    p.remove_prefix(1);
  }
  bool end_anchor = !p.empty() && p.back() == '|';
  if (end_anchor) p.remove_suffix(1);
  while (!p.empty() && p.front() == '*') p.remove_prefix(1);
  while (!p.empty() && p.back() == '*') p.remove_suffix(1);
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '*') {
      re.append(".*");
    } else if (c == '^') {
      re.append(i + 1 == p.size() && !end_anchor ? k_separator_or_end : k_separator_char);
    } else {
      if (is_regex_meta(c)) re.push_back('\\');
      re.push_back(c);
    }
  }
  if (end_anchor) re.push_back('$');
  return re;
}

}  // namespace

std::string percent_decode_all(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = base::hex_value(s[i + 1]);
      int lo = base::hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::variant<AbpFilter, AbpSkip, std::string> parse_abp_line(std::string_view line) {
  if (line.empty() || line.front() == '!' || line.front() == '[') return AbpSkip{};
  if (line.substr(0, 2) == "@@") return std::string("exception rules (@@) are not supported");
  if (line.find("##") != std::string_view::npos || line.find("#@#") != std::string_view::npos) {
    return std::string("element hiding rules are not supported");
  }
  AbpFilter f;
  std::string_view pattern = line;
  bool is_regex = pattern.size() > 2 && pattern.front() == '/' && pattern.back() == '/';
  auto dollar = pattern.rfind('$');
  if (!is_regex && dollar != std::string_view::npos) {
    if (auto err = parse_options(pattern.substr(dollar + 1), f)) return *err;
    pattern = pattern.substr(0, dollar);
  }
  is_regex = pattern.size() > 2 && pattern.front() == '/' && pattern.back() == '/';
  if (is_regex) {
    f.regex = std::string(pattern.substr(1, pattern.size() - 2));
  } else {
    f.regex = translate(pattern);
    std::string decoded = percent_decode_all(pattern);
    if (decoded != pattern) f.decoded_regex = translate(decoded);
  }
  if (f.regex.empty()) return std::string("filter matches every URL");
  return f;
}

}  // namespace pixelwarden::ruleset

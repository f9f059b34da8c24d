#include "ruleset/pattern_lint.hpp"

namespace pixelwarden::ruleset {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::optional<std::size_t> literal_dot_unescaped(std::string_view re) {
  bool in_class = false;
  for (std::size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      ++i;  // the escaped character, whatever it is
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      // A ']' right after '[' or '[^' is a literal member, not the end.
      if (i + 1 < re.size() && re[i + 1] == '^') ++i;
      if (i + 1 < re.size() && re[i + 1] == ']') ++i;
      continue;
    }
    if (c != '.') continue;
    const char next = i + 1 < re.size() ? re[i + 1] : '\0';
    if (next == '*' || next == '+' || next == '?' || next == '{') continue;
    return i;
  }
  return std::nullopt;
}

std::string_view strip_pattern_comment(std::string_view line) {
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '#' && is_space(line[i - 1])) {
      std::size_t end = i - 1;
      while (end > 0 && is_space(line[end - 1])) --end;
      return line.substr(0, end);
    }
  }
  return line;
}

}  // namespace pixelwarden::ruleset

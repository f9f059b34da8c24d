#include "cli/args.hpp"

namespace pixelwarden::cli {

base::Result<Args> Args::parse(const std::vector<std::string>& argv, const ArgSpec& spec) {
  Args out;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out.m_positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::optional<std::string> inline_value;
    if (const auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      inline_value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    if (const auto it = spec.aliases.find(a); it != spec.aliases.end()) a = it->second;
    if (spec.flags.count(a) != 0) {
      out.m_values.emplace(a, "");
    } else if (spec.valued.count(a) != 0) {
      if (inline_value) {
        out.m_values.emplace(a, *inline_value);
      } else if (i + 1 < argv.size()) {
        out.m_values.emplace(a, argv[++i]);
      } else {
        return base::plain_error("option " + a + " needs a value");
      }
    } else {
      return base::plain_error("unknown option " + a);
    }
  }
  return out;
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto range = m_values.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;  // the last one wins
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  auto range = m_values.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

bool Args::has(const std::string& name) const { return m_values.count(name) != 0; }

}  // namespace pixelwarden::cli

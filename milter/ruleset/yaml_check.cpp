#include "ruleset/yaml_check.hpp"

#include <set>

namespace pixelwarden::ruleset {
namespace {

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "empty";
    case YAML::NodeType::Undefined:
      return "missing";
  }
  return "?";
}

}  // namespace

base::Error Checker::at(const YAML::Node& n, std::string message) const {
  YAML::Mark m = n.IsDefined() ? n.Mark() : YAML::Mark::null_mark();
  if (m.is_null()) return base::Error{std::move(message), m_file, 1, 1};
  return base::Error{std::move(message), m_file, m.line + 1, m.column + 1};
}

void Checker::error(const YAML::Node& n, std::string message) const {
  m_errors.push_back(at(n, std::move(message)));
}

void Checker::warn(const YAML::Node& n, std::string message) const {
  m_warnings.push_back(at(n, std::move(message)));
}

void Checker::error_at(const YAML::Mark& m, std::string message) const {
  m_errors.push_back(base::Error{std::move(message), m_file, m.is_null() ? 1 : m.line + 1,
                                 m.is_null() ? 1 : m.column + 1});
}

bool Checker::check_map(const YAML::Node& n, std::initializer_list<std::string_view> allowed,
                        std::string_view what) const {
  if (!n.IsMap()) {
    error(n, std::string(what) + " must be a map, not " + type_name(n));
    return false;
  }
  bool ok = true;
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: it-> yields a temporary
    if (!key.IsScalar()) {
      error(key, std::string("keys of ") + std::string(what) + " must be scalars");
      ok = false;
      continue;
    }
    const std::string& k = key.Scalar();
    bool known = false;
    for (auto a : allowed) known = known || a == k;
    if (!known) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      error(key,
            "unknown key '" + k + "' in " + std::string(what) + " (expected one of: " + list + ")");
      ok = false;
    } else if (!seen.insert(k).second) {
      error(key, "duplicate key '" + k + "' in " + std::string(what));
      ok = false;
    }
  }
  return ok;
}

std::optional<std::string> Checker::scalar(const YAML::Node& n, std::string_view what) const {
  if (!n.IsScalar()) {
    error(n, std::string(what) + " must be a scalar, not " + type_name(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<bool> Checker::boolean(const YAML::Node& n, std::string_view what) const {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE" || s == "yes") return true;
    if (s == "false" || s == "False" || s == "FALSE" || s == "no") return false;
  }
  error(n, std::string(what) + " must be true or false");
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, YAML::Node>>> Checker::scalars(
    const YAML::Node& n, std::string_view what, bool allow_scalar) const {
  std::vector<std::pair<std::string, YAML::Node>> out;
  if (allow_scalar && n.IsScalar()) {
    out.emplace_back(n.Scalar(), n);
    return out;
  }
  if (!n.IsSequence()) {
    error(n, std::string(what) + " must be a sequence, not " + type_name(n));
    return std::nullopt;
  }
  bool ok = true;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const YAML::Node& e = n[i];
    if (!e.IsScalar()) {
      error(e, std::string("entries of ") + std::string(what) + " must be scalars, not " +
                   type_name(e));
      ok = false;
      continue;
    }
    out.emplace_back(e.Scalar(), e);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::size_t> Checker::choice(const YAML::Node& n, std::string_view what,
                                           std::initializer_list<std::string_view> choices) const {
  auto s = scalar(n, what);
  if (!s) return std::nullopt;
  std::size_t i = 0;
  std::string list;
  for (auto c : choices) {
    if (c == *s) return i;
    list += (list.empty() ? "" : " | ") + std::string(c);
    ++i;
  }
  error(n, std::string(what) + " must be one of " + list + ", not '" + *s + "'");
  return std::nullopt;
}

}  // namespace pixelwarden::ruleset

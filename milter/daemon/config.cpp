#include "daemon/config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "base/build_info.hpp"
#include "mime/walk.hpp"

namespace pixelwarden::daemon {
namespace {

namespace fs = std::filesystem;

// The admin's ruleset wins over the packaged one when there is no config file to say.
constexpr const char* k_admin_rules = "/etc/pixelwarden/rules/default.yaml";
constexpr const char* k_installed_rules = "/usr/share/pixelwarden/rules/default.yaml";

// A setter returns an error message, or nothing when the value was taken.
using Setter = std::function<std::optional<std::string>(const YAML::Node&, Config&)>;

struct Context {
  std::string path;
  fs::path dir;  // relative paths resolve against this
};

base::Error error_at(const Context& cx, const YAML::Mark& mark, std::string message) {
  base::Error e{std::move(message), cx.path, 0, 0};
  if (mark.line >= 0) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  return e;
}

std::optional<std::string> scalar(const YAML::Node& n, std::string& out) {
  if (n.IsNull()) {  // `key:` with no value, or `~`: empty (e.g. audit.path off)
    out.clear();
    return std::nullopt;
  }
  if (!n.IsScalar()) return "expected a scalar value";
  out = n.Scalar();
  return std::nullopt;
}

template <typename Int>
std::optional<std::string> positive(const YAML::Node& n, Int& out, bool allow_zero = false) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  Int v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || (v == 0 && !allow_zero) || v < 0) {
    return "expected a positive integer, got '" + s + "'";
  }
  out = v;
  return std::nullopt;
}

std::optional<std::string> boolean(const YAML::Node& n, bool& out) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  if (s == "true" || s == "yes" || s == "on") {
    out = true;
  } else if (s == "false" || s == "no" || s == "off") {
    out = false;
  } else {
    return "expected true or false, got '" + s + "'";
  }
  return std::nullopt;
}

std::optional<std::string> duration(const YAML::Node& n, std::chrono::milliseconds& out) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  auto d = parse_duration(s);
  if (!d) return d.error().message;
  out = *d;
  return std::nullopt;
}

std::optional<std::string> nonzero_duration(const YAML::Node& n, std::chrono::milliseconds& out) {
  if (auto e = duration(n, out)) return e;
  if (out.count() == 0) return "must be longer than 0";
  return std::nullopt;
}

std::optional<std::string> one_of(const YAML::Node& n, std::string& out,
                                  std::initializer_list<const char*> allowed) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  std::string list;
  for (const char* a : allowed) {
    if (s == a) {
      out = s;
      return std::nullopt;
    }
    list += list.empty() ? a : std::string(" | ") + a;
  }
  return "expected " + list + ", got '" + s + "'";
}

// A number from 0 to 1 ("0.25", "1", "0").
std::optional<std::string> fraction(const YAML::Node& n, double& out) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !(v >= 0 && v <= 1)) {
    return "expected a number from 0 to 1, got '" + s + "'";
  }
  out = v;
  return std::nullopt;
}

std::optional<std::string> path_value(const YAML::Node& n, const Context& cx, std::string& out) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  out = (s.empty() || fs::path(s).is_absolute()) ? s : (cx.dir / s).lexically_normal().string();
  return std::nullopt;
}

std::optional<std::string> socket_spec(const YAML::Node& n, SocketSpec& out) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  auto spec = parse_socket_spec(s);
  if (!spec) return spec.error().message;
  out = std::move(*spec);
  return std::nullopt;
}

std::optional<std::string> file_mode(const YAML::Node& n, unsigned& out) {
  std::string s;
  if (auto e = scalar(n, s)) return e;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 8);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 0777) {
    return "expected an octal mode like 0660, got '" + s + "'";
  }
  out = v;
  return std::nullopt;
}

using Section = std::map<std::string, Setter>;

std::map<std::string, Section> schema(const Context& cx) {
  std::map<std::string, Section> s;
  s["milter"] = {
      {"socket", [](const YAML::Node& n, Config& c) { return socket_spec(n, c.milter.socket); }},
      {"max_message_bytes",
       [](const YAML::Node& n, Config& c) { return positive(n, c.limits.max_message_bytes); }},
      {"max_packet_bytes",
       [](const YAML::Node& n, Config& c) { return positive(n, c.milter.max_packet_bytes); }},
      {"on_error",
       [](const YAML::Node& n, Config& c) {
         std::string v;
         auto e = one_of(n, v, {"accept", "tempfail"});
         if (!e) c.milter.on_error = v == "accept" ? OnError::accept : OnError::tempfail;
         return e;
       }},
      {"drain_timeout",
       [](const YAML::Node& n, Config& c) { return duration(n, c.milter.drain_timeout); }},
      {"refuse_at_data",
       [](const YAML::Node& n, Config& c) { return boolean(n, c.milter.refuse_at_data); }},
      {"max_connections",
       [](const YAML::Node& n, Config& c) { return positive(n, c.milter.max_connections); }},
      {"handshake_timeout",
       [](const YAML::Node& n, Config& c) {
         return nonzero_duration(n, c.milter.handshake_timeout);
       }},
      {"idle_timeout",
       [](const YAML::Node& n, Config& c) { return nonzero_duration(n, c.milter.idle_timeout); }},
      {"socket_group",
       [](const YAML::Node& n, Config& c) { return scalar(n, c.milter.socket_group); }},
      {"socket_mode",
       [](const YAML::Node& n, Config& c) { return file_mode(n, c.milter.socket_mode); }},
      {"postfix_chroot",
       [cx](const YAML::Node& n, Config& c) { return path_value(n, cx, c.milter.postfix_chroot); }},
  };
  s["daemon"] = {
      {"user", [](const YAML::Node& n, Config& c) { return scalar(n, c.daemon.user); }},
      {"group", [](const YAML::Node& n, Config& c) { return scalar(n, c.daemon.group); }},
      {"allow_root",
       [](const YAML::Node& n, Config& c) { return boolean(n, c.daemon.allow_root); }},
  };
  s["mime"] = {
      {"max_depth",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         if (auto e = positive(n, c.limits.walk.max_depth)) return e;
         if (c.limits.walk.max_depth > mime::k_max_depth_ceiling) {
           return "at most " + std::to_string(mime::k_max_depth_ceiling) +
                  " (the MIME walker recurses once per level)";
         }
         return std::nullopt;
       }},
      {"max_parts",
       [](const YAML::Node& n, Config& c) { return positive(n, c.limits.walk.max_parts); }},
      {"max_header_bytes",
       [](const YAML::Node& n, Config& c) { return positive(n, c.limits.max_header_bytes); }},
      {"max_header_fields",
       [](const YAML::Node& n, Config& c) { return positive(n, c.limits.max_header_fields); }},
  };
  s["rules"] = {
      {"path", [cx](const YAML::Node& n, Config& c) { return path_value(n, cx, c.rules.path); }},
      {"watch", [](const YAML::Node& n, Config& c) { return boolean(n, c.rules.watch); }},
      {"poll_interval",
       [](const YAML::Node& n, Config& c) { return duration(n, c.rules.poll_interval); }},
  };
  s["reload"] = {
      {"require_tests",
       [](const YAML::Node& n, Config& c) { return boolean(n, c.reload.require_tests); }},
      {"strict", [](const YAML::Node& n, Config& c) { return boolean(n, c.reload.strict); }},
  };
  s["metrics"] = {
      {"listen", [](const YAML::Node& n, Config& c) { return scalar(n, c.metrics.listen); }},
      {"reload_from_any_host",
       [](const YAML::Node& n, Config& c) { return boolean(n, c.metrics.reload_from_any_host); }},
      {"threads",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         if (auto e = positive(n, c.metrics.threads)) return e;
         if (c.metrics.threads > 4096) return "at most 4096";
         return std::nullopt;
       }},
      {"request_timeout", [](const YAML::Node& n,
                             Config& c) { return nonzero_duration(n, c.metrics.request_timeout); }},
  };
  s["log"] = {
      {"level",
       [](const YAML::Node& n, Config& c) {
         return one_of(n, c.log.level, {"trace", "debug", "info", "warn", "error"});
       }},
      {"format",
       [](const YAML::Node& n, Config& c) {
         return one_of(n, c.log.format, {"text", "json"});
       }},
      {"sink",
       [](const YAML::Node& n, Config& c) {
         return one_of(n, c.log.sink, {"stderr", "syslog"});
       }},
  };
  s["audit"] = {
      {"path", [cx](const YAML::Node& n, Config& c) { return path_value(n, cx, c.audit.path); }},
      {"sink",
       [](const YAML::Node& n, Config& c) {
         return one_of(n, c.audit.sink, {"file", "syslog", "stdout"});
       }},
      {"syslog_socket",
       [cx](const YAML::Node& n, Config& c) { return path_value(n, cx, c.audit.syslog_socket); }},
      {"syslog_facility",
       [](const YAML::Node& n, Config& c) {
         return one_of(n, c.audit.syslog_facility,
                       {"mail", "daemon", "user", "auth", "authpriv", "local0", "local1", "local2",
                        "local3", "local4", "local5", "local6", "local7"});
       }},
      {"sample_rate",
       [](const YAML::Node& n, Config& c) { return fraction(n, c.audit.sample_rate); }},
      {"hash_url_queries",
       [](const YAML::Node& n, Config& c) { return boolean(n, c.audit.hash_url_queries); }},
      {"max_line_bytes",
       [](const YAML::Node& n, Config& c) -> std::optional<std::string> {
         if (auto e = positive(n, c.audit.max_line_bytes)) return e;
         if (c.audit.max_line_bytes < 4096) return "at least 4096";
         return std::nullopt;
       }},
  };
  return s;
}

void apply_section(const Context& cx, const YAML::Node& section_key, const YAML::Node& body,
                   const Section& setters, Config& c, std::vector<base::Error>& errors) {
  if (body.IsNull()) return;
  if (!body.IsMap()) {
    errors.push_back(error_at(cx, body.Mark(), "'" + section_key.Scalar() + "' must be a mapping"));
    return;
  }
  for (const auto& kv : body) {
    const std::string key = kv.first.Scalar();
    auto it = setters.find(key);
    if (it == setters.end()) {
      errors.push_back(
          error_at(cx, kv.first.Mark(), "unknown key '" + section_key.Scalar() + "." + key + "'"));
    } else if (auto msg = it->second(kv.second, c)) {
      errors.push_back(
          error_at(cx, kv.second.Mark(), section_key.Scalar() + "." + key + ": " + *msg));
    }
  }
}

}  // namespace

const char* to_string(OnError e) { return e == OnError::accept ? "accept" : "tempfail"; }

base::Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const auto bad = [&] {
    return base::plain_error("expected a duration like 30s, 500ms, 2m, got '" + std::string(text) +
                             "'");
  };
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p == text.data()) return bad();
  const std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1000;
  if (unit == "ms") scale = 1;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (scale == 0 || n > (std::uint64_t{1} << 40)) return bad();
  return std::chrono::milliseconds(static_cast<std::int64_t>(n * scale));
}

Config default_config() {
  Config c;
  std::error_code ec;
  const fs::path source_rules = fs::path(base::k_source_dir) / "rules" / "default.yaml";
  if (fs::exists(k_admin_rules, ec)) {
    c.rules.path = k_admin_rules;
  } else if (fs::exists(k_installed_rules, ec) || !fs::exists(source_rules, ec)) {
    c.rules.path = k_installed_rules;
  } else {
    c.rules.path = source_rules.string();
  }
  return c;
}

ConfigCheck check_config_text(std::string_view yaml, const std::string& path) {
  Context cx{path, fs::absolute(fs::path(path)).parent_path()};
  ConfigCheck out{default_config(), {}};
  out.config.source = path;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    out.errors.push_back(error_at(cx, e.mark, e.msg));
    return out;
  }
  if (root.IsNull()) return out;  // an empty config file means "all defaults"
  if (!root.IsMap()) {
    out.errors.push_back(error_at(cx, root.Mark(), "the config must be a mapping"));
    return out;
  }
  const auto sections = schema(cx);
  for (const auto& kv : root) {
    const std::string name = kv.first.Scalar();
    auto it = sections.find(name);
    if (it == sections.end()) {
      out.errors.push_back(error_at(cx, kv.first.Mark(), "unknown key '" + name + "'"));
    } else {
      apply_section(cx, kv.first, kv.second, it->second, out.config, out.errors);
    }
  }
  return out;
}

ConfigCheck check_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {default_config(), {base::plain_error("cannot read config file " + path)}};
  std::ostringstream ss;
  ss << in.rdbuf();
  return check_config_text(ss.str(), path);
}

base::Result<Config> parse_config(std::string_view yaml, const std::string& path) {
  ConfigCheck r = check_config_text(yaml, path);
  if (!r.errors.empty()) return r.errors.front();
  return std::move(r.config);
}

base::Result<Config> load_config(const std::string& path) {
  ConfigCheck r = check_config(path);
  if (!r.errors.empty()) return r.errors.front();
  return std::move(r.config);
}

}  // namespace pixelwarden::daemon

#pragma once
// Daemon configuration: the YAML of docs/config.md as one plain value.
// check_config() validates everything at once and reports every problem with
// FILE:LINE:COL (1-based); load_config() returns the first. Unknown keys are errors so a
// typo never silently falls back to a default. Relative paths inside the file resolve
// against the file's directory.
// Non-goals: command-line overrides (the CLI applies them to the returned Config) and
// reloading the daemon config at runtime (only the ruleset reloads).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "daemon/socket_spec.hpp"
#include "engine/limits.hpp"

namespace pixelwarden::daemon {

enum class OnError { accept, tempfail };

inline constexpr const char* k_default_config_path = "/etc/pixelwarden/pixelwarden.yaml";

// One struct per YAML section, fields named as the keys.
struct MilterSection {
  SocketSpec socket{SocketSpec::Kind::inet, "", 8894, "127.0.0.1", false};  // inet:8894@127.0.0.1
  std::size_t max_packet_bytes = 262144;
  OnError on_error = OnError::accept;
  std::chrono::milliseconds drain_timeout{30000};
  bool refuse_at_data = false;
  // Connection limits (connection_guard.hpp): open connections at most (the descriptor
  // limit is raised to fit them, or they are lowered to fit it), the time an MTA has to
  // negotiate after connecting, and the longest silence between two milter commands.
  std::size_t max_connections = 4096;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{1'800'000};
  // A unix socket's group (empty: the daemon's group) and mode; the MTA connects
  // through the group. Ignored for inet sockets.
  std::string socket_group;
  unsigned socket_mode = 0660;
  // Debian's smtpd runs chrooted here: a unix socket below it is printed for main.cf
  // relative to it.
  std::string postfix_chroot = "/var/spool/postfix";
};

struct RulesSection {
  std::string path;  // entry file of the ruleset
  bool watch = true;
  std::chrono::milliseconds poll_interval{60000};  // 0 disables the content-hash poll
};

// How reloads of the ruleset are vetted (rules.* says where it is and when to look).
struct ReloadSection {
  bool require_tests = false;  // refuse a ruleset whose own tests: fail (every trigger)
  bool strict = false;         // refuse a ruleset with warnings (as `rules check --strict`)
};

struct MetricsSection {
  std::string listen = "127.0.0.1:9894";  // empty: no HTTP listener
  // Extension: allow POST /-/reload from non-loopback peers (default: loopback only).
  bool reload_from_any_host = false;
  // HTTP worker threads (each serves one connection at a time, so this many slow
  // clients are absorbed without delaying a scrape) and the time a client has to send
  // its request (and to take the response) before its connection is closed.
  int threads = 256;
  std::chrono::milliseconds request_timeout{2'000};
};

struct LogSection {
  std::string level = "info";   // trace | debug | info | warn | error
  std::string format = "text";  // text | json
  std::string sink = "stderr";  // stderr | syslog
};

struct AuditSection {
  std::string path;                        // file sink; empty (and sink file): no audit log
  std::string sink = "file";               // file | syslog | stdout
  std::string syslog_socket = "/dev/log";  // syslog sink: a unix datagram socket
  std::string syslog_facility = "mail";    // mail | daemon | user | auth | authpriv | local0..7
  double sample_rate = 0;                  // share of unmatched messages logged, 0..1
  bool hash_url_queries = false;           // URLs' query strings logged as a digest
  std::size_t max_line_bytes = 65536;      // at least 4096
  bool enabled() const { return sink != "file" || !path.empty(); }
};

// Who the daemon runs as. Started as root it binds its sockets, then becomes `user`
// (group: `group`, empty for the user's primary group); it stays root only with
// allow_root. Started as another user, it stays that user.
struct DaemonSection {
  std::string user = "pixelwarden";
  std::string group;
  bool allow_root = false;
};

struct Config {
  MilterSection milter;
  DaemonSection daemon;
  // milter.max_message_bytes and the mime: section (max_depth, max_parts,
  // max_header_bytes, max_header_fields), as the engine and the session use them.
  engine::Limits limits;
  RulesSection rules;
  ReloadSection reload;
  MetricsSection metrics;
  LogSection log;
  AuditSection audit;
  // Where the values came from: the config file, or "<built-in defaults>".
  std::string source = "<built-in defaults>";
};

// The built-in defaults of docs/config.md; rules from the installed default ruleset, or the
// source tree's rules/default.yaml when the installed one is absent (a source build).
Config default_config();

// Parses a config file over default_config(). Errors carry FILE:LINE:COL.
base::Result<Config> load_config(const std::string& path);
base::Result<Config> parse_config(std::string_view yaml, const std::string& path);

// Every problem of a config file at once (a bad value does not hide the next one);
// `config` holds what could be read.
struct ConfigCheck {
  Config config;
  std::vector<base::Error> errors;
};
ConfigCheck check_config(const std::string& path);
ConfigCheck check_config_text(std::string_view yaml, const std::string& path);

// "30s", "500ms", "2m", "1h", or a bare number of seconds; an error otherwise.
base::Result<std::chrono::milliseconds> parse_duration(std::string_view text);

const char* to_string(OnError e);

}  // namespace pixelwarden::daemon

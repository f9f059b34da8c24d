#pragma once
// Logging setup: one process-wide spdlog logger writing text or JSON lines to stderr,
// or plain messages to syslog (facility mail, like other milters).
//
// Every value that can come from a message (addresses, headers, rule values) is
// attacker-controlled, so no payload may forge a second log line: the JSON format
// escapes the whole message through base::json_quote (custom flag %j), the text and
// syslog formats escape CR, LF and other control bytes as \r \n \xNN (flag %Q).
// Loggers are asynchronous with overrun_oldest: a slow sink drops old lines (counted)
// instead of blocking a mail thread until the MTA times out. Warnings flush at once.
//
// Call setup_logging() after the signal mask is set (it starts the logger thread), and
// shutdown_logging() after smfi_main returns.
// Non-goals: metrics; per-message context (callers put the queue id and ruleset
// version into the message text: "4TkQ2x0Z3Nz9t: ...").

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace pixelwarden::observe {

struct LogOptions {
  std::string level = "info";   // trace | debug | info | warn | error
  std::string format = "text";  // text | json
  std::string sink = "stderr";  // stderr | syslog
  bool async = true;            // false: log synchronously (tests, short-lived tools)
};

// Installs the default logger (spdlog::default_logger()) as described above.
base::Status setup_logging(const LogOptions& options);

// Flushes and stops the logger thread.
void shutdown_logging();

// Builds a logger over an arbitrary sink with the formatting of `options.format`
// (tests use an ostream sink).
std::shared_ptr<spdlog::logger> make_logger(const LogOptions& options,
                                            std::shared_ptr<spdlog::sinks::sink> sink);

// Text-log escaping: CR, LF, TAB, other control bytes and DEL become \r, \n, \t, \xNN;
// a backslash becomes \\ so escapes cannot be faked either. Printable bytes (and
// UTF-8) pass unchanged.
std::string escape_text(std::string_view s);

// Lines dropped by the async queue so far (overrun_oldest).
std::uint64_t log_overruns();

}  // namespace pixelwarden::observe

#pragma once
// Reloader: the one reload routine every trigger calls (startup, inotify, SIGUSR1,
// POST /-/reload, the periodic poll). Runs on the caller's thread (the trigger thread,
// never a mail thread) and is serialized by a mutex.
//
//   fingerprint the files of the ruleset in force (sha256 over paths and contents)
//     ├─ same as the published one ─▶ "unchanged": nothing loaded, nothing swapped
//     └─ different ─▶ ruleset::load_ruleset (parse, validate, compile)
//           ├─ a file changed while read ─▶ read again (settle interval), at most 3 times
//           ├─ errors ─▶ "failure" (reason rules): the first FILE:LINE:COL logged with a
//           │            count of the rest, the old ruleset stays, its memory handed back
//           ├─ ok, but the publish check (reload.require_tests: the ruleset's own
//           │  tests) fails ─▶ "failure" (reason tests), one error per failing test
//           └─ ok ─────▶ "success": RulesetHolder::publish, watched files updated
//
// An empty entry file is a failure, never "no rules" (a truncating writer mid-way).
// Non-goals: knowing when to reload (ReloadTriggers), metrics (the hooks do it).

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "ruleset/holder.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::daemon {

enum class ReloadOutcome { success, failure, unchanged };
const char* to_string(ReloadOutcome o);

struct ReloadHooks {
  std::function<void(const ruleset::Ruleset&)> loaded;       // after a publish
  std::function<void(ReloadOutcome)> result;                 // every counted attempt
  std::function<void(std::string_view reason)> failed = {};  // each failure: rules | tests
};

// What one reload attempt left behind, for a caller that waits for it (POST /-/reload):
// the outcome, the errors of a failure, and the ruleset in force afterwards (the new one
// after a success, the kept one after a failure; empty name before any ruleset).
struct ReloadReport {
  ReloadOutcome outcome = ReloadOutcome::failure;
  std::vector<base::Error> errors;
  ruleset::Meta in_force;
  std::string reason;                     // a failure's: rules | tests
  std::vector<std::string> failed_tests;  // reason tests: the names of the failing tests
};

// The HTTP status for a report (200 applied or unchanged, 422 refused) and its JSON body:
// {"outcome":"success","ruleset":{"name","version","sha256"}}, plus for a failure
// "reason":"rules|tests", "failed_tests":["NAME"] and
// "errors":[{"file","line","column","message","text":"FILE:LINE:COL: message"}].
int reload_http_status(const ReloadReport& report);
std::string reload_report_json(const ReloadReport& report);

// Runs on a compiled ruleset before it is published; every error refuses it.
using PublishCheck =
    std::function<std::vector<base::Error>(const std::shared_ptr<const ruleset::Ruleset>&)>;

class Reloader {
 public:
  // Loads in a row when a file keeps changing while it is read, before giving up until
  // the next trigger.
  static constexpr int k_unstable_attempts = 3;

  using Loader =
      std::function<ruleset::LoadResult(const std::string&, const ruleset::LoadOptions&)>;

  Reloader(ruleset::RulesetHolder& holder, std::string entry_path, ReloadHooks hooks = {},
           Loader loader = ruleset::load_ruleset);

  // force: load even when the fingerprint is unchanged (never used by the poll).
  // count_unchanged: report an unchanged result to the hooks (the poll does not).
  // checked: run the publish check (set_publish_check); the scheduled reload at an
  // entry's expiry skips it, since an expired indicator must stop matching even when a
  // test still expects it.
  // skip_failed: the files of the last failed attempt, unchanged, are not loaded again
  // (the poll: a bad push costs one load and its log lines, not one per interval).
  ReloadOutcome reload(std::string_view reason, bool force = false, bool count_unchanged = true,
                       bool checked = true, bool skip_failed = false);

  // reload.require_tests: refuse a ruleset the check finds fault with.
  void set_publish_check(PublishCheck check) { m_check = std::move(check); }
  // reload.strict: a ruleset with warnings is refused like one with errors.
  void set_strict(bool strict) { m_strict = strict; }
  // "rules" or "tests" after a failure; empty otherwise.
  std::string last_failure_reason() const;

  // Errors of the last failed attempt (empty after a success).
  std::vector<base::Error> last_errors() const;
  // Every file of the ruleset in force, for the watcher (entry file first).
  std::vector<std::string> files() const;
  const std::string& entry_path() const { return m_entry; }
  // The ruleset mail is inspected with now (null before the first success).
  std::shared_ptr<const ruleset::Ruleset> in_force() const { return m_holder.pin(); }

 private:
  std::string fingerprint(const std::vector<std::string>& files) const;

  ruleset::RulesetHolder& m_holder;
  std::string m_entry;
  ReloadHooks m_hooks;
  Loader m_loader;
  mutable std::mutex m_mutex;
  std::vector<std::string> m_files;
  std::string m_fingerprint;  // of m_files as published
  std::string m_failure_reason;
  PublishCheck m_check;
  bool m_strict = false;
  std::vector<base::Error> m_errors;  // the first errors of the last failure, and a count line
  std::vector<std::string> m_failed_files;  // of the last failed attempt (not unstable ones)
  std::string m_failed_fingerprint;
  // A file must keep its size and mtime this long after it was read (ruleset::LoadOptions).
  std::chrono::milliseconds m_settle{100};
};

}  // namespace pixelwarden::daemon

#include "daemon/reload.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <malloc.h>

#include <fstream>
#include <optional>

#include "base/digest.hpp"
#include "base/json.hpp"

namespace pixelwarden::daemon {
namespace {

// Streams a file through the hash (a 100 MB list is never held whole here); its size.
std::optional<std::uint64_t> hash_file(const std::string& path, base::Sha256& h) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<char> buf(64 * 1024);
  std::uint64_t size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    h.update(std::string_view(buf.data(), n));
    size += n;
  }
  if (in.bad()) return std::nullopt;
  return size;
}

}  // namespace

const char* to_string(ReloadOutcome o) {
  switch (o) {
    case ReloadOutcome::success:
      return "success";
    case ReloadOutcome::failure:
      return "failure";
    case ReloadOutcome::unchanged:
      return "unchanged";
  }
  return "failure";
}

int reload_http_status(const ReloadReport& report) {
  return report.outcome == ReloadOutcome::failure ? 422 : 200;
}

std::string reload_report_json(const ReloadReport& report) {
  base::JsonWriter w;
  w.begin_object().key("outcome").value(to_string(report.outcome));
  w.key("ruleset");
  if (report.in_force.name.empty() && report.in_force.sha256.empty()) {
    w.null();
  } else {
    w.begin_object()
        .key("name")
        .value(report.in_force.name)
        .key("version")
        .value(report.in_force.version)
        .key("sha256")
        .value(report.in_force.sha256)
        .end_object();
  }
  if (report.outcome == ReloadOutcome::failure) {
    w.key("reason").value(report.reason);
    w.key("failed_tests").begin_array();
    for (const auto& name : report.failed_tests) w.value(name);
    w.end_array();
    w.key("errors").begin_array();
    for (const auto& e : report.errors) {
      w.begin_object()
          .key("file")
          .value(e.file)
          .key("line")
          .value(e.line)
          .key("column")
          .value(e.column)
          .key("message")
          .value(e.message)
          .key("text")
          .value(e.to_string())
          .end_object();
    }
    w.end_array();
  }
  w.end_object();
  return w.take() + "\n";
}

Reloader::Reloader(ruleset::RulesetHolder& holder, std::string entry_path, ReloadHooks hooks,
                   Loader loader)
    : m_holder(holder), m_entry(std::move(entry_path)), m_hooks(std::move(hooks)),
      m_loader(std::move(loader)) {}

std::string Reloader::fingerprint(const std::vector<std::string>& files) const {
  base::Sha256 h;
  for (const auto& f : files) {
    h.update(f);
    h.update(std::string_view("\0", 1));
    base::Sha256 content;
    const std::optional<std::uint64_t> size = hash_file(f, content);
    h.update(size ? std::to_string(*size) + content.hex_digest() : std::string("\x01<unreadable>"));
    h.update(std::string_view("\0", 1));
  }
  return h.hex_digest();
}

ReloadOutcome Reloader::reload(std::string_view reason, bool force, bool count_unchanged,
                               bool checked, bool skip_failed) {
  std::lock_guard lock(m_mutex);
  auto report = [&](ReloadOutcome o) {
    if (m_hooks.result && (o != ReloadOutcome::unchanged || count_unchanged)) m_hooks.result(o);
    return o;
  };
  if (!force && m_holder.ready() && !m_files.empty() && fingerprint(m_files) == m_fingerprint) {
    if (count_unchanged) spdlog::info("rules reload ({}): unchanged", reason);
    return report(ReloadOutcome::unchanged);
  }
  if (skip_failed && !force && !m_failed_files.empty() &&
      fingerprint(m_failed_files) == m_failed_fingerprint) {
    return report(ReloadOutcome::unchanged);  // the content that failed last time, as it was
  }
  m_failed_files.clear();
  std::size_t error_count = 1;
  struct stat st {};
  if (::stat(m_entry.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
    m_errors = {
        base::Error{"the ruleset file is empty (refusing to load no rules)", m_entry, 1, 1}};
  } else {
    const auto started = std::chrono::steady_clock::now();
    ruleset::LoadResult r;
    // A file written in place while it was read: wait and read it again, a few times; if
    // it is still changing, fail now and load it at the next trigger.
    for (int attempt = 1; attempt <= k_unstable_attempts; ++attempt) {
      ruleset::LoadOptions options;
      options.settle = m_settle;
      options.strict = m_strict;
      r = m_loader(m_entry, options);
      if (!r.unstable) break;
      spdlog::warn("rules reload ({}): a file changed while it was read (attempt {} of {})", reason,
                   attempt, k_unstable_attempts);
    }
    for (const auto& w : r.warnings) spdlog::warn("rules: {}", w.to_string());
    if (r.warnings.dropped() > 0)
      spdlog::warn("rules: {} more warning(s) not shown", r.warnings.dropped());
    if (r.errors.empty() && r.ruleset) {
      const auto& meta = r.ruleset->meta();
      const auto old = m_holder.pin();
      if (!force && old && old->meta().sha256 == meta.sha256 && !meta.sha256.empty()) {
        m_files = r.files;
        m_fingerprint = fingerprint(m_files);
        if (count_unchanged) spdlog::info("rules reload ({}): unchanged", reason);
        return report(ReloadOutcome::unchanged);
      }
      std::vector<base::Error> refused;
      if (m_check) {
        refused = m_check(r.ruleset);
        if (!checked && !refused.empty()) {
          spdlog::warn("rules reload ({}): published although {} of its tests fail", reason,
                       refused.size());
          for (const auto& e : refused) spdlog::warn("rules: {}", e.to_string());
          refused.clear();
        }
      }
      if (!refused.empty()) {
        m_errors = std::move(refused);
        m_failure_reason = "tests";
        spdlog::error("rules reload ({}) refused{}: {} of the ruleset's tests fail "
                      "(reload.require_tests)",
                      reason, m_holder.ready() ? ", keeping the ruleset in force" : "",
                      m_errors.size());
        for (const auto& e : m_errors) spdlog::error("rules: {}", e.to_string());
        if (m_hooks.failed) m_hooks.failed(m_failure_reason);
        return report(ReloadOutcome::failure);
      }
      m_files = r.files.empty() ? std::vector<std::string>{m_entry} : r.files;
      m_fingerprint = fingerprint(m_files);
      const auto gen = m_holder.publish(r.ruleset);
      m_failure_reason.clear();
      m_errors.clear();
      spdlog::info(
          "rules loaded ({}): {} version {} sha256 {} generation {} in {:.3f}s", reason, meta.name,
          meta.version, meta.sha256, gen,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (m_hooks.loaded) m_hooks.loaded(*r.ruleset);
      return report(ReloadOutcome::success);
    }
    error_count = std::max<std::size_t>(r.errors.total(), 1);
    if (!r.unstable) {
      m_failed_files = r.files.empty() ? std::vector<std::string>{m_entry} : r.files;
      m_failed_fingerprint = fingerprint(m_failed_files);
    }
    m_errors = r.errors.stored();
    if (r.errors.dropped() > 0) {
      m_errors.push_back(
          base::plain_error(std::to_string(r.errors.dropped()) + " more error(s) not shown"));
    }
    if (m_errors.empty())
      m_errors.push_back(base::Error{"the loader returned no ruleset", m_entry, 0, 0});
  }
  m_failure_reason = "rules";
  if (m_hooks.failed) m_hooks.failed(m_failure_reason);
  spdlog::error("rules reload ({}) failed{}: {} error(s)", reason,
                m_holder.ready() ? ", keeping the ruleset in force" : "", error_count);
  for (const auto& e : m_errors) spdlog::error("rules: {}", e.to_string());
  ::malloc_trim(0);  // what the failed load freed goes back to the system, not to a free list
  return report(ReloadOutcome::failure);
}

std::string Reloader::last_failure_reason() const {
  std::lock_guard lock(m_mutex);
  return m_failure_reason;
}

std::vector<base::Error> Reloader::last_errors() const {
  std::lock_guard lock(m_mutex);
  return m_errors;
}

std::vector<std::string> Reloader::files() const {
  std::lock_guard lock(m_mutex);
  return m_files.empty() ? std::vector<std::string>{m_entry} : m_files;
}

}  // namespace pixelwarden::daemon

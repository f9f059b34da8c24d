#include "daemon/reload.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <fstream>

#include "base/digest.hpp"
#include "base/json.hpp"

namespace pixelwarden::daemon {
namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
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
        .key("name").value(report.in_force.name)
        .key("version").value(report.in_force.version)
        .key("sha256").value(report.in_force.sha256)
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
          .key("file").value(e.file)
          .key("line").value(e.line)
          .key("column").value(e.column)
          .key("message").value(e.message)
          .key("text").value(e.to_string())
          .end_object();
    }
    w.end_array();
  }
  w.end_object();
  return w.take() + "\n";
}

Reloader::Reloader(ruleset::RulesetHolder& holder, std::string entry_path, ReloadHooks hooks,
                   Loader loader)
    : m_holder(holder),
      m_entry(std::move(entry_path)),
      m_hooks(std::move(hooks)),
      m_loader(std::move(loader)) {}

std::string Reloader::fingerprint(const std::vector<std::string>& files) const {
  base::Sha256 h;
  std::string content;
  for (const auto& f : files) {
    h.update(f);
    h.update(std::string_view("\0", 1));
    if (!read_file(f, content)) content = "\x01<unreadable>";
    h.update(std::to_string(content.size()));
    h.update(std::string_view("\0", 1));
    h.update(content);
  }
  return h.hex_digest();
}

ReloadOutcome Reloader::reload(std::string_view reason, bool force, bool count_unchanged,
                               bool checked) {
  std::lock_guard lock(m_mutex);
  auto report = [&](ReloadOutcome o) {
    if (m_hooks.result && (o != ReloadOutcome::unchanged || count_unchanged)) m_hooks.result(o);
    return o;
  };
  if (!force && m_holder.ready() && !m_files.empty() && fingerprint(m_files) == m_fingerprint) {
    if (count_unchanged) spdlog::info("rules reload ({}): unchanged", reason);
    return report(ReloadOutcome::unchanged);
  }
  struct stat st {};
  if (::stat(m_entry.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
    m_errors = {base::Error{"the ruleset file is empty (refusing to load no rules)", m_entry, 1, 1}};
  } else {
    const auto started = std::chrono::steady_clock::now();
    ruleset::LoadOptions options;
    options.generation = m_holder.generation() + 1;
    ruleset::LoadResult r = m_loader(m_entry, options);
    for (const auto& w : r.warnings) spdlog::warn("rules: {}", w.to_string());
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
                      reason, m_holder.ready() ? ", keeping the ruleset in force" : "", m_errors.size());
        for (const auto& e : m_errors) spdlog::error("rules: {}", e.to_string());
        if (m_hooks.failed) m_hooks.failed(m_failure_reason);
        return report(ReloadOutcome::failure);
      }
      m_files = r.files.empty() ? std::vector<std::string>{m_entry} : r.files;
      m_fingerprint = fingerprint(m_files);
      const auto gen = m_holder.publish(r.ruleset);
      m_failure_reason.clear();
      m_errors.clear();
      spdlog::info("rules loaded ({}): {} version {} sha256 {} generation {} in {:.3f}s", reason,
                   meta.name, meta.version, meta.sha256, gen,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (m_hooks.loaded) m_hooks.loaded(*r.ruleset);
      return report(ReloadOutcome::success);
    }
    m_errors = std::move(r.errors);
    if (m_errors.empty()) m_errors.push_back(base::Error{"the loader returned no ruleset", m_entry, 0, 0});
  }
  m_failure_reason = "rules";
  if (m_hooks.failed) m_hooks.failed(m_failure_reason);
  spdlog::error("rules reload ({}) failed{}: {} error(s)", reason,
                m_holder.ready() ? ", keeping the ruleset in force" : "", m_errors.size());
  for (const auto& e : m_errors) spdlog::error("rules: {}", e.to_string());
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

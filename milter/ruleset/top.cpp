// Builder, top-level stage: which keys a file may have, and the entry file's settings
// (ruleset, mode, remote_content, read_receipts, report, malformed_mime).
#include "base/text.hpp"
#include "ruleset/builder.hpp"

namespace pixelwarden::ruleset {
namespace {

constexpr std::string_view k_shared_keys[] = {"include", "lists", "trackers",
                                              "lures",   "allow", "tests"};
constexpr std::string_view k_entry_keys[] = {"ruleset",         "mode",   "remote_content",
                                             "read_receipts",   "report", "malformed_mime",
                                             "recipient_groups"};

bool in(std::string_view k, const std::string_view* b, const std::string_view* e) {
  for (; b != e; ++b) {
    if (*b == k) return true;
  }
  return false;
}

}  // namespace

void Builder::build_top() {
  for (const SourceFile& f : m_files) {
    Checker c = checker(f);
    std::set<std::string> seen;
    for (auto it = f.root.begin(); it != f.root.end(); ++it) {
      const YAML::Node key = it->first;  // a copy: it-> yields a temporary
      std::string k = key.IsScalar() ? key.Scalar() : std::string("?");
      if (!seen.insert(k).second) {
        c.error(key, "duplicate top-level key '" + k + "'");
      } else if (in(k, std::begin(k_entry_keys), std::end(k_entry_keys))) {
        if (!f.entry) c.error(key, "only the entry file may set '" + k + "'");
      } else if (!in(k, std::begin(k_shared_keys), std::end(k_shared_keys))) {
        c.error(key, "unknown top-level key '" + k + "'");
      }
    }
  }
  if (m_files.empty() || !m_files.front().entry) return;
  const SourceFile& f = m_files.front();
  const YAML::Node& root = f.root;
  Checker c = checker(f);
  auto& rs = m_rs->settings();

  const YAML::Node meta = root["ruleset"];
  if (!meta.IsDefined()) {
    c.error(root, "missing 'ruleset' (name and version)");
  } else if (c.check_map(meta, {"name", "version", "description"}, "ruleset")) {
    if (!meta["name"].IsDefined()) c.error(meta, "ruleset.name is required");
    if (!meta["version"].IsDefined()) c.error(meta, "ruleset.version is required");
    if (meta["name"].IsDefined())
      rs.meta.name = c.scalar(meta["name"], "ruleset.name").value_or("");
    if (meta["version"].IsDefined()) {
      rs.meta.version = c.scalar(meta["version"], "ruleset.version").value_or("");
    }
  }
  if (root["mode"].IsDefined()) {
    if (auto m = c.choice(root["mode"], "mode", {"enforce", "monitor"}))
      rs.mode = static_cast<Mode>(*m);
  }
  if (root["read_receipts"].IsDefined()) {
    if (auto m = c.choice(root["read_receipts"], "read_receipts", {"keep", "strip"})) {
      rs.read_receipts = static_cast<ReadReceipts>(*m);
    }
  }
  if (root["malformed_mime"].IsDefined()) {
    if (auto m = c.choice(root["malformed_mime"], "malformed_mime",
                          {"pass", "tag", "quarantine", "neutralize"})) {
      rs.malformed_mime = static_cast<MalformedPolicy>(*m);
    }
  }
  const YAML::Node rc = root["remote_content"];
  if (rc.IsDefined() && c.check_map(rc, {"action", "proxy"}, "remote_content")) {
    if (rc["action"].IsDefined()) {
      if (auto a =
              c.choice(rc["action"], "remote_content.action", {"keep", "proxy", "neutralize"})) {
        rs.remote_content.action = static_cast<RemoteContentAction>(*a);
      }
    }
    const YAML::Node px = rc["proxy"];
    if (px.IsDefined() &&
        c.check_map(px, {"format", "base_url", "key_file"}, "remote_content.proxy")) {
      ProxyConfig p;
      if (px["format"].IsDefined()) c.choice(px["format"], "proxy.format", {"camo"});
      if (!px["base_url"].IsDefined() || !px["key_file"].IsDefined()) {
        c.error(px, "remote_content.proxy needs base_url and key_file");
      } else {
        p.base_url = c.scalar(px["base_url"], "base_url").value_or("");
        while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
        if (!base::istarts_with(p.base_url, "https://") &&
            !base::istarts_with(p.base_url, "http://")) {
          c.error(px["base_url"], "proxy.base_url must be an http(s) URL");
        }
        if (auto rel = c.scalar(px["key_file"], "key_file")) {
          // The key is a secret: read (and watched) but kept out of the ruleset hash.
          if (auto key = read_bytes(resolve(f.dir, *rel), c, px["key_file"], false)) {
            while (!key->empty() && (key->back() == '\n' || key->back() == '\r')) key->pop_back();
            if (key->empty()) c.error(px["key_file"], "the proxy key file is empty");
            p.key = *key;
          }
        }
        rs.remote_content.proxy = p;
      }
    }
    if (rs.remote_content.action == RemoteContentAction::proxy && !rs.remote_content.proxy) {
      c.error(rc, "remote_content.action proxy needs remote_content.proxy");
    }
  }
  const YAML::Node rep = root["report"];
  if (rep.IsDefined() &&
      c.check_map(rep, {"header", "header_on", "authserv_id", "subject_prefix", "banner"},
                  "report")) {
    Report& r = rs.report;
    if (rep["header"].IsDefined()) {
      r.header = c.scalar(rep["header"], "report.header").value_or(r.header);
      bool ok = !r.header.empty();
      for (char ch : r.header) ok = ok && ch > 32 && ch < 127 && ch != ':';
      if (!ok) c.error(rep["header"], "report.header must be a header field name");
    }
    if (rep["header_on"].IsDefined()) {
      if (auto h = c.choice(rep["header_on"], "report.header_on", {"flagged", "all"})) {
        r.header_on = static_cast<HeaderOn>(*h);
      }
    }
    if (rep["authserv_id"].IsDefined())
      r.authserv_id = c.scalar(rep["authserv_id"], "authserv_id").value_or("");
    if (rep["subject_prefix"].IsDefined()) {
      r.subject_prefix =
          c.scalar(rep["subject_prefix"], "subject_prefix").value_or(r.subject_prefix);
    }
    const YAML::Node b = rep["banner"];
    if (b.IsDefined() && c.check_map(b, {"html", "text"}, "report.banner")) {
      Banner banner;
      if (b["html"].IsDefined()) banner.html = c.scalar(b["html"], "banner.html").value_or("");
      if (b["text"].IsDefined()) banner.text = c.scalar(b["text"], "banner.text").value_or("");
      r.banner = banner;
    }
  }
}

}  // namespace pixelwarden::ruleset

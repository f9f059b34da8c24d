#include "daemon/audit_line.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "base/digest.hpp"
#include "base/json.hpp"

namespace pixelwarden::daemon {
namespace {

// How much of the message's lists one attempt writes. audit_line() tries the normal
// budget first and the tighter ones only for a line that would not fit.
struct Budget {
  std::size_t trackers;   // tracker matches listed one by one
  std::size_t lures;      // lure matches listed one by one
  std::size_t rcpt;       // envelope recipients
  std::size_t addresses;  // per header address list
  std::size_t value_bytes;
};

constexpr Budget k_budgets[] = {
    {k_max_listed_trackers, SIZE_MAX, SIZE_MAX, k_max_header_addresses, k_max_value_bytes},
    {0, 50, SIZE_MAX, 5, 256},
    {0, 10, 10, 1, 128},
    {0, 0, 0, 0, 64},
};

class LineWriter {
 public:
  LineWriter(const engine::Verdict& v, const AuditLineContext& cx, const AuditLineOptions& o,
             const Budget& b, std::string buffer)
      : m_v(v), m_cx(cx), m_opt(o), m_budget(b), m_w(std::move(buffer)) {
    m_w.reserve(4096);  // a typical line is 1-3 KB
  }

  std::string write();

 private:
  // A value from mail: capped, escaped by the writer.
  void text(std::string_view s) {
    const std::string_view cut = utf8_prefix(s, m_budget.value_bytes);
    if (cut.size() < s.size()) m_truncated = true;
    m_w.value(cut);
  }
  void text_or_null(std::string_view s) {
    if (s.empty()) {
      m_w.null();
    } else {
      text(s);
    }
  }
  void url(std::string_view u) {
    if (m_opt.hash_url_queries) {
      text(hash_url_query(u));
    } else {
      text(u);
    }
  }
  void addresses(std::string_view key, const std::vector<engine::MailAddress>& list);
  void envelope();
  void headers();
  void matches();
  void tracker(const engine::TrackerRecord& t);

  const engine::Verdict& m_v;
  const AuditLineContext& m_cx;
  const AuditLineOptions& m_opt;
  const Budget& m_budget;
  base::JsonWriter m_w;
  bool m_truncated = false;
};

// The host of an absolute URL ("https://h.example:8080/x" -> "h.example:8080").
std::string_view url_host(std::string_view u) {
  const std::size_t scheme = u.find("//");
  if (scheme == std::string_view::npos) return {};
  u.remove_prefix(scheme + 2);
  return u.substr(0, u.find_first_of("/?#\\"));
}

void LineWriter::addresses(std::string_view key, const std::vector<engine::MailAddress>& list) {
  m_w.key_plain(key).begin_array();
  std::size_t n = 0;
  for (const auto& a : list) {
    if (n++ == m_budget.addresses) {
      m_truncated = true;
      break;
    }
    m_w.begin_object().key_plain("address");
    text(a.address);
    m_w.key_plain("display_name");
    text_or_null(a.display_name);
    m_w.end_object();
  }
  m_w.end_array();
}

void LineWriter::envelope() {
  const engine::Envelope& e = m_v.envelope;
  m_w.key_plain("client").begin_object().key_plain("ip");
  text_or_null(e.client_ip);
  m_w.key_plain("helo");
  text_or_null(e.helo);
  m_w.end_object();
  m_w.key_plain("auth_user");
  text_or_null(e.auth_user);
  m_w.key_plain("envelope").begin_object().key_plain("from");
  text(e.mail_from);
  m_w.key_plain("rcpt").begin_array();
  std::size_t n = 0;
  for (const auto& r : e.rcpt) {
    if (n++ == m_budget.rcpt) {
      m_truncated = true;
      break;
    }
    text(r);
  }
  m_w.end_array().key_plain("rcpt_count").value(static_cast<std::uint64_t>(e.rcpt.size()));
  m_w.end_object();
}

void LineWriter::headers() {
  const engine::HeaderFacts& h = m_v.headers;
  addresses("from", h.from);
  addresses("reply_to", h.reply_to);
  addresses("sender", h.sender);
  m_w.key_plain("subject");
  if (h.subject) {
    text(*h.subject);
  } else {
    m_w.null();
  }
  m_w.key_plain("date");
  if (h.date) {
    text(*h.date);
  } else {
    m_w.null();
  }
}

void LineWriter::tracker(const engine::TrackerRecord& t) {
  const bool header = t.vector == "mdn_header";
  m_w.begin_object().key_plain("rule").value(t.rule).key_plain("kind").value("tracker");
  m_w.key_plain("action")
      .value(ruleset::to_string(t.action))
      .key_plain("where")
      .value(header ? "headers" : "resources");
  m_w.key_plain("value");
  text(header ? std::string_view(t.url) : url_host(t.url));
  m_w.key_plain("monitor").value(t.monitor);
  m_w.key_plain("indicator_source").null().key_plain("indicator_campaign").null();
  m_w.key_plain("url");
  if (header) {
    m_w.null();
  } else {
    url(t.url);
  }
  m_w.key_plain("vector").value(t.vector).key_plain("part").value(t.part);
  m_w.key_plain("vendor");
  text_or_null(t.vendor);
  m_w.end_object();
}

void LineWriter::matches() {
  std::map<std::string, std::uint64_t> omitted;  // rule id -> matches not listed
  std::uint64_t omitted_count = 0;
  m_w.key_plain("matches").begin_array();
  std::size_t n = 0;
  for (const auto& l : m_v.lures) {
    if (n++ >= m_budget.lures) {
      ++omitted[l.rule];
      ++omitted_count;
      continue;
    }
    m_w.begin_object().key_plain("rule").value(l.rule).key_plain("kind").value("lure");
    m_w.key_plain("action")
        .value(ruleset::to_string(l.action))
        .key_plain("where")
        .value(l.where)
        .key_plain("value");
    text(l.value);
    m_w.key_plain("monitor").value(l.monitor);
    // The provenance the matching list entry was written with (entry_line.hpp).
    m_w.key_plain("indicator_source");
    text_or_null(l.source);
    m_w.key_plain("indicator_campaign");
    text_or_null(l.campaign);
    m_w.key_plain("url");
    if (l.url.empty()) {
      m_w.null();
    } else {
      url(l.url);
    }
    m_w.key_plain("vector").null().key_plain("part").null().key_plain("vendor").null();
    m_w.end_object();
  }
  n = 0;
  for (const auto& t : m_v.trackers) {
    if (n++ >= m_budget.trackers) {
      ++omitted[t.rule];
      ++omitted_count;
      continue;
    }
    tracker(t);
  }
  m_w.end_array();
  m_w.key_plain("matches_total")
      .value(static_cast<std::uint64_t>(m_v.lures.size() + m_v.trackers.size()));
  m_w.key_plain("matches_omitted").begin_object().key_plain("count").value(omitted_count);
  m_w.key_plain("by_rule").begin_object();
  for (const auto& [rule, count] : omitted) m_w.key(rule).value(count);
  m_w.end_object().end_object();
  m_w.key_plain("allow").begin_array();
  for (const auto& a : m_v.allow_rules) m_w.value(a);
  m_w.end_array();
}

std::string LineWriter::write() {
  const engine::Verdict& v = m_v;
  m_w.begin_object();
  m_w.key_plain("schema_version").value(k_audit_schema_version);
  m_w.key_plain("timestamp").value(rfc3339_utc_ms(m_cx.unix_ms));
  m_w.key_plain("host").value(m_cx.host);
  m_w.key_plain("pixelwarden_version").value(m_cx.version);
  m_w.key_plain("ruleset").begin_object().key_plain("name").value(v.ruleset_name);
  m_w.key_plain("version")
      .value(v.ruleset_version)
      .key_plain("sha256")
      .value(v.ruleset_sha256)
      .end_object();
  m_w.key_plain("queue_id");
  text_or_null(v.queue_id);
  m_w.key_plain("message_id");
  text_or_null(v.message_id);
  envelope();
  headers();
  m_w.key_plain("size").value(v.message_bytes);
  m_w.key_plain("action").value(engine::to_string(v.action));
  m_w.key_plain("decision").value(engine::to_string(v.decision));
  m_w.key_plain("modified").value(v.modified);
  m_w.key_plain("mode").value(ruleset::to_string(v.mode));
  m_w.key_plain("group").value(v.group);  // a declared id or "default": bounded, from the ruleset
  m_w.key_plain("stages_not_seen").begin_array();
  for (const char* s : engine::stages_not_seen(v)) m_w.value(s);
  m_w.end_array();
  matches();
  m_w.key_plain("remote_resources").value(v.remote_resources);
  m_w.key_plain("skipped");
  if (v.skipped) {
    m_w.value(engine::to_string(*v.skipped));
  } else {
    m_w.null();
  }
  m_w.key_plain("elapsed_us").value(v.elapsed_us);
  m_w.key_plain("sampled").value(m_cx.sampled);
  m_w.key_plain("sample_rate");
  if (!m_cx.sample_rate_text.empty()) {
    m_w.raw(m_cx.sample_rate_text);
  } else {
    m_w.raw(fmt::format("{}", m_cx.sample_rate));
  }
  m_w.key_plain("truncated").value(m_truncated);
  m_w.end_object();
  return m_w.take();
}

}  // namespace

std::string audit_line(const engine::Verdict& v, const AuditLineContext& cx,
                       const AuditLineOptions& options, std::string buffer) {
  std::string line = std::move(buffer);
  for (const Budget& b : k_budgets) {
    line = LineWriter(v, cx, options, b, std::move(line)).write();
    if (line.size() <= options.max_line_bytes) break;
  }
  return line;  // the last budget lists nothing from mail but capped scalars
}

std::string rfc3339_utc_ms(std::int64_t unix_ms) {
  std::int64_t secs = unix_ms / 1000;
  std::int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  // Civil date from days since 1970-01-01 (H. Hinnant's civil_from_days), not gmtime_r:
  // glibc's gmtime_r takes the process-wide tz lock, which every mail thread writing a
  // line would contend on.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) {  // not a time this filter decides at; keep the shape
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, month, day, sod / 3600,
                       sod / 60 % 60, sod % 60, ms);
  }
  std::string out = "0000-00-00T00:00:00.000Z";
  const auto put = [&out](std::size_t at, std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) out[at + i] = static_cast<char>('0' + v % 10);
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, sod / 3600, 2);
  put(14, sod / 60 % 60, 2);
  put(17, sod % 60, 2);
  put(20, ms, 3);
  return out;
}

std::string hash_url_query(std::string_view url) {
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return std::string(url);
  const std::size_t end = url.find('#', q);
  const std::string_view query =
      url.substr(q + 1, end == std::string_view::npos ? end : end - q - 1);
  std::string out(url.substr(0, q + 1));
  out += "sha256=";
  out += base::sha256_hex(query).substr(0, 16);
  if (end != std::string_view::npos) out += url.substr(end);
  return out;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  // Back up over continuation bytes to the start of the sequence that would be cut.
  // (At most 3 bytes: longer runs are not UTF-8 anyway and are escaped as U+FFFD.)
  while (end > 0 && max - end < 3 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace pixelwarden::daemon

#include "cli/scan_output.hpp"

#include <algorithm>

#include "base/json.hpp"
#include "base/text.hpp"
#include "cli/scan_maildir.hpp"

namespace pixelwarden::cli {
namespace {

void optional_field(base::JsonWriter& w, std::string_view key,
                    const std::optional<std::string>& v) {
  w.key(key);
  if (v) {
    w.value(*v);
  } else {
    w.null();
  }
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad(std::string s, std::size_t width) {
  // Width in code points, so a UTF-8 name does not shift the columns; a value at least
  // as wide as its column still gets one space after it.
  const std::size_t cps = code_points(s);
  s.append(cps < width ? width - cps : 1, ' ');
  return s;
}

bool wanted(const std::string& rule, const std::vector<std::string>& only) {
  return only.empty() || std::find(only.begin(), only.end(), rule) != only.end();
}

void add_finding(std::vector<Finding>& out, Finding f) {
  for (const Finding& o : out) {
    if (o.rule == f.rule && o.where == f.where && o.value == f.value) return;
  }
  out.push_back(std::move(f));
}

// Cuts UTF-8 text to at most max_bytes, keeping its end (for addresses and domains).
std::string keep_end(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t from = s.size() - (max_bytes >= 2 ? max_bytes - 2 : 0);
  while (from < s.size() && (static_cast<unsigned char>(s[from]) & 0xC0) == 0x80) ++from;
  std::string out = "..";
  out.append(s.substr(from));
  return out;
}

constexpr std::size_t k_date_w = 21, k_action_w = 13, k_rule_w = 26, k_where_w = 15,
                      k_indicator_w = 35, k_from_w = 37, k_subject_w = 31;

std::string finding_columns(const Finding& f) {
  return pad(terminal_safe(f.action, k_action_w - 1), k_action_w) +
         pad(terminal_safe(f.rule, k_rule_w - 1), k_rule_w) +
         pad(terminal_safe(f.where, 256), k_where_w) +
         pad(terminal_safe(f.campaign.empty() ? f.value : f.value + " [" + f.campaign + "]", 65536),
             k_indicator_w);
}

}  // namespace

std::vector<std::string> matched_rules(const engine::Verdict& v) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  for (const auto& l : v.lures) add(l.rule);
  for (const auto& t : v.trackers) add(t.rule);
  return out;
}

std::vector<Finding> findings_of(const engine::Verdict& v, const std::vector<std::string>& only) {
  std::vector<Finding> out;
  for (const auto& l : v.lures) {
    if (!wanted(l.rule, only)) continue;
    add_finding(out, Finding{l.rule, "lure", l.monitor ? "monitor" : ruleset::to_string(l.action),
                             l.where, l.value, l.source, l.campaign});
  }
  for (const auto& t : v.trackers) {
    if (!wanted(t.rule, only)) continue;
    add_finding(out,
                Finding{t.rule, "tracker", t.monitor ? "monitor" : ruleset::to_string(t.action),
                        "resources:" + t.vector, t.url});
  }
  return out;
}

// Subjects, addresses and URLs are the sender's text, and a CSV report is opened in a
// spreadsheet: a field that starts like a formula (=, +, -, @, tab, CR) gets a leading
// apostrophe and quotes, so it is shown as text and never evaluated (CSV injection).
std::string csv_quote(std::string_view field) {
  const bool formula =
      !field.empty() && std::string_view("=+-@\t\r").find(field[0]) != std::string_view::npos;
  if (!formula && field.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(field);
  }
  std::string out = formula ? "\"'" : "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string csv_header() {
  return "path,mbox_offset,folder,uid,message_id,date,from,to,subject,rule,kind,action_today,"
         "where,indicator,source,campaign,decision_today\r\n";
}

std::string format_csv(const ScanRecord& r) {
  std::string head = csv_quote(r.path);
  head += ',';
  if (r.mbox_offset) head += std::to_string(*r.mbox_offset);
  head += ',';
  head += csv_quote(r.folder.value_or(""));
  head += ',';
  if (r.uid) head += std::to_string(*r.uid);
  for (const auto* f : {&r.message_id, &r.date, &r.from, &r.to, &r.subject}) {
    head += ',';
    head += csv_quote(f->value_or(""));
  }
  std::string tail = ",";
  tail += csv_quote(r.decision);
  tail += "\r\n";
  if (r.findings.empty()) return head + ",,,,,,," + tail;
  std::string out;
  for (const Finding& f : r.findings) {
    out += head;
    for (const std::string* s :
         {&f.rule, &f.kind, &f.action, &f.where, &f.value, &f.source, &f.campaign}) {
      out += ',';
      out += csv_quote(*s);
    }
    out += tail;
  }
  return out;
}

std::string format_json(const ScanRecord& r) {
  base::JsonWriter w;
  w.begin_object();
  w.key("path").value(r.path);
  w.key("mbox_offset");
  if (r.mbox_offset) {
    w.value(static_cast<std::uint64_t>(*r.mbox_offset));
  } else {
    w.null();
  }
  optional_field(w, "folder", r.folder);
  w.key("uid");
  if (r.uid) {
    w.value(static_cast<std::uint64_t>(*r.uid));
  } else {
    w.null();
  }
  optional_field(w, "message_id", r.message_id);
  optional_field(w, "date", r.date);
  optional_field(w, "from", r.from);
  optional_field(w, "to", r.to);
  optional_field(w, "subject", r.subject);
  w.key("findings").begin_array();
  for (const Finding& f : r.findings) {
    w.begin_object().key("rule").value(f.rule).key("kind").value(f.kind);
    w.key("action").value(f.action).key("where").value(f.where).key("value").value(f.value);
    if (!f.source.empty()) w.key("source").value(f.source);
    if (!f.campaign.empty()) w.key("campaign").value(f.campaign);
    w.end_object();
  }
  w.end_array();
  w.key("verdict").raw(r.verdict_json.empty() ? std::string_view("null") : r.verdict_json);
  w.end_object();
  std::string out = w.take();
  out.push_back('\n');
  return out;
}

std::string terminal_safe(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes));
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  if (out.size() <= max_bytes) return out;
  std::size_t cut = max_bytes >= 2 ? max_bytes - 2 : 0;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  out += "..";
  return out;
}

std::string shorten_address(std::string_view from, std::size_t max_bytes) {
  std::string safe = terminal_safe(from, from.size());
  if (safe.size() <= max_bytes) return safe;
  const std::size_t open = safe.rfind('<');
  const std::size_t close = safe.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return keep_end(safe, max_bytes);
  const std::string address = safe.substr(open, close - open + 1);
  std::string display(base::trim(std::string_view(safe).substr(0, open)));
  // Room for the display name: what the address and one space leave.
  if (address.size() + 1 + 6 <= max_bytes && !display.empty()) {
    const bool quoted = display.size() >= 2 && display.front() == '"' && display.back() == '"';
    if (quoted) display = display.substr(1, display.size() - 2);
    const std::size_t room = max_bytes - address.size() - 1 - (quoted ? 2 : 0);
    std::string cut = terminal_safe(display, room);
    return (quoted ? "\"" + cut + "\"" : cut) + " " + address;
  }
  return keep_end(address, max_bytes);
}

std::string location_of(const ScanRecord& r) {
  std::string out = r.path;
  if (r.mbox_offset) {
    out += '@';
    out += std::to_string(*r.mbox_offset);
  }
  if (r.uid) {
    out += ";UID=";
    out += std::to_string(*r.uid);
  }
  return out;
}

std::string table_header() {
  return pad("DATE", k_date_w) + pad("ACTION TODAY", k_action_w) + pad("RULE", k_rule_w) +
         pad("WHERE", k_where_w) + pad("INDICATOR", k_indicator_w) + pad("FROM", k_from_w) +
         pad("SUBJECT", k_subject_w) + "LOCATION\n";
}

std::string format_table(const ScanRecord& r) {
  const Finding none{"-", "", r.decision, "-", "-"};
  const Finding& first = r.findings.empty() ? none : r.findings.front();
  std::string out = pad(terminal_safe(r.date.value_or("-"), k_date_w - 1), k_date_w) +
                    finding_columns(first) +
                    pad(shorten_address(r.from.value_or("-"), k_from_w - 1), k_from_w) +
                    pad(terminal_safe(r.subject.value_or("-"), k_subject_w - 1), k_subject_w) +
                    terminal_safe(location_of(r), 65536) + "\n";
  const std::size_t shown = std::min(r.findings.size(), k_table_findings);
  for (std::size_t i = 1; i < shown; ++i)
    out += std::string(k_date_w, ' ') + finding_columns(r.findings[i]) + "\n";
  if (r.findings.size() > shown) {
    out += std::string(k_date_w, ' ') + "+" + std::to_string(r.findings.size() - shown) +
           " more findings (json and csv list them all)\n";
  }
  return out;
}

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

std::string format_doveadm(const ScanRecord& r, const std::string& move_to) {
  std::string user;
  if (!r.imap_server.empty()) {
    const auto start = r.imap_server.find("://");
    const auto at = r.imap_server.rfind('@');
    if (start != std::string::npos && at != std::string::npos && at > start + 3) {
      user = r.imap_server.substr(start + 3, at - start - 3);
    }
  } else if (!r.mbox_offset) {
    if (auto place = maildir_place(r.path)) {
      std::string root = place->root;
      const auto slash = root.find_last_of('/');
      std::string name = slash == std::string::npos ? root : root.substr(slash + 1);
      if (name == "Maildir" && slash != std::string::npos && slash > 0) {
        const std::string parent = root.substr(0, slash);
        const auto s2 = parent.find_last_of('/');
        name = s2 == std::string::npos ? parent : parent.substr(s2 + 1);
      }
      user = name;
    }
  }
  const std::string id = r.message_id.value_or("");
  const auto printable = [](const std::string& v) {
    return !v.empty() && std::none_of(v.begin(), v.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
  };
  if (user.empty() || !r.folder) {
    return "# not targetable (no Dovecot user and folder): " + terminal_safe(location_of(r), 4096) +
           "\n";
  }
  // doveadm's `header` search matches substrings: a sender who wrote "Message-ID: @"
  // would otherwise have every message of the mailbox moved or expunged. Only a whole
  // msg-id, "<left@right>" without spaces or inner brackets, matches its own message.
  const bool whole_id = id.size() >= 5 && id.front() == '<' && id.back() == '>' &&
                        id.find('@') != std::string::npos &&
                        id.find_first_of("<> \t", 1) == id.size() - 1;
  if (!whole_id || !printable(id) || !printable(user) || !printable(*r.folder)) {
    return "# not targetable (no usable Message-ID): " + terminal_safe(location_of(r), 4096) + "\n";
  }
  std::string out = "doveadm ";
  out += move_to.empty() ? "expunge" : "move";
  out += " -u " + shell_quote(user) + " ";
  if (!move_to.empty()) out += shell_quote(move_to) + " ";
  out += "mailbox " + shell_quote(*r.folder) + " header Message-ID " + shell_quote(id) + "\n";
  return out;
}

std::string format_record(ScanFormat f, const ScanRecord& r, const std::string& move_to) {
  switch (f) {
    case ScanFormat::doveadm:
      return format_doveadm(r, move_to);
    case ScanFormat::json:
      return format_json(r);
    case ScanFormat::csv:
      return format_csv(r);
    case ScanFormat::table:
      return format_table(r);
  }
  return {};
}

std::string format_header(ScanFormat f) {
  switch (f) {
    case ScanFormat::doveadm:
      return "# doveadm commands from pixelwarden scan: review, then run as root on the Dovecot "
             "host\n";
    case ScanFormat::json:
      return {};
    case ScanFormat::csv:
      return csv_header();
    case ScanFormat::table:
      return table_header();
  }
  return {};
}

}  // namespace pixelwarden::cli

#include "cli/scan_output.hpp"

#include <algorithm>

#include "base/json.hpp"

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

std::string join_rules(const std::vector<std::string>& rules, char sep) {
  std::string out;
  for (const auto& r : rules) {
    if (!out.empty()) out.push_back(sep);
    out += r;
  }
  return out;
}

std::string pad(std::string s, std::size_t width) {
  // Width in code points, so a UTF-8 name does not shift the columns.
  const auto cps = static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  if (cps < width) s.append(width - cps, ' ');
  return s;
}

}  // namespace

std::vector<std::string> matched_rules(const engine::Verdict& v) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& id) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  for (const auto& l : v.lures)
    add(l.rule);
  for (const auto& t : v.trackers)
    add(t.rule);
  return out;
}

std::string csv_quote(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string csv_header() {
  return "path,mbox_offset,message_id,date,from,to,decision,rules,trackers\r\n";
}

std::string format_csv(const ScanRecord& r) {
  std::string out = csv_quote(r.path);
  out += ',';
  if (r.mbox_offset) out += std::to_string(*r.mbox_offset);
  for (const auto* f : {&r.message_id, &r.date, &r.from, &r.to}) {
    out += ',';
    out += csv_quote(f->value_or(""));
  }
  out += ',';
  out += csv_quote(r.decision);
  out += ',';
  out += csv_quote(join_rules(r.rules, ' '));
  out += ',';
  out += std::to_string(r.trackers);
  out += "\r\n";
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
  optional_field(w, "message_id", r.message_id);
  optional_field(w, "date", r.date);
  optional_field(w, "from", r.from);
  optional_field(w, "to", r.to);
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
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
    --cut;
  out.resize(cut);
  out += "..";
  return out;
}

std::string table_header() {
  return pad("DATE", 21) + pad("DECISION", 11) + pad("RULES", 31) + pad("FROM", 36) +
         pad("TO", 31) + "LOCATION\n";
}

std::string format_table(const ScanRecord& r) {
  std::string location = terminal_safe(r.path, 4096);
  if (r.mbox_offset) location += "@" + std::to_string(*r.mbox_offset);
  return pad(terminal_safe(r.date.value_or("-"), 20), 21) + pad(terminal_safe(r.decision, 10), 11) +
         pad(terminal_safe(r.rules.empty() ? "-" : join_rules(r.rules, ','), 30), 31) +
         pad(terminal_safe(r.from.value_or("-"), 35), 36) +
         pad(terminal_safe(r.to.value_or("-"), 30), 31) + location + "\n";
}

std::string format_record(ScanFormat f, const ScanRecord& r) {
  switch (f) {
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

#include "intel/csv.hpp"

#include <vector>

#include <fmt/format.h>

#include "base/text.hpp"
#include "base/timestamp.hpp"

namespace pixelwarden::intel {
namespace {

const char* const k_fields[] = {"value",       "source", "campaign", "first_seen",
                                "valid_until", "tlp",    "comment"};

// One record (it may span lines inside quotes); false at the end of the input.
bool read_record(std::istream& in, char delim, std::vector<std::string>& fields, int& line) {
  fields.clear();
  if (in.peek() == std::char_traits<char>::eof()) return false;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  ++line;
  for (int ch; (ch = in.get()) != std::char_traits<char>::eof();) {
    const char c = static_cast<char>(ch);
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          field.push_back('"');
          in.get();
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == delim) {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  fields.push_back(std::move(field));
  return true;
}

bool blank(const std::vector<std::string>& f) {
  for (const auto& s : f) {
    if (!base::trim(s).empty()) return false;
  }
  return true;
}

}  // namespace

ValueKind guess_kind(const std::string& value) {
  if (value.find("://") != std::string::npos) return ValueKind::url;
  if (value.find('@') != std::string::npos) return ValueKind::email;
  return ValueKind::domain;
}

base::Result<std::map<std::string, std::string>> parse_column_map(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    const std::string part(base::trim(std::string_view(text).substr(at, comma - at)));
    at = comma + 1;
    if (part.empty()) continue;
    const auto eq = part.find('=');
    const std::string key = part.substr(0, eq);
    bool known = false;
    for (const char* f : k_fields) known = known || key == f;
    if (eq == std::string::npos || !known || eq + 1 == part.size()) {
      return base::plain_error("bad column map entry '" + part +
                               "' (FIELD=COLUMN, fields: value, source, campaign, first_seen, "
                               "valid_until, tlp, comment)");
    }
    out[key] = part.substr(eq + 1);
  }
  if (out.count("value") == 0) return base::plain_error("the column map needs value=COLUMN");
  return out;
}

base::Result<Feed> read_csv(std::istream& in, const CsvOptions& csv, const ReadOptions& options) {
  std::vector<std::string> row;
  int line = 0;
  std::map<std::string, std::size_t> index;  // field -> 0-based column
  std::vector<std::string> header;
  if (csv.header) read_record(in, csv.delimiter, header, line);
  for (const auto& [field, col] : csv.columns) {
    const bool number = !col.empty() && col.find_first_not_of("0123456789") == std::string::npos;
    if (number && std::stoul(col) >= 1) {
      index[field] = std::stoul(col) - 1;
      continue;
    }
    std::size_t i = 0;
    while (i < header.size() && std::string(base::trim(header[i])) != col) ++i;
    if (i == header.size()) {
      return base::plain_error(
          fmt::format("column '{}' (for {}) is not {}", col, field,
                      csv.header ? "in the header row" : "a column number (1-based)"));
    }
    index[field] = i;
  }
  Feed feed;
  while (read_record(in, csv.delimiter, row, line)) {
    if (blank(row) || base::trim(row[0]).substr(0, 1) == "#") continue;
    ++feed.objects;
    const std::string id = csv.name + ":" + std::to_string(line);
    auto get = [&](const char* field) -> std::string {
      auto it = index.find(field);
      if (it == index.end() || it->second >= row.size()) return {};
      return std::string(base::trim(row[it->second]));
    };
    Indicator ind;
    ind.id = id;
    const std::string value = get("value");
    if (value.empty()) {
      feed.skipped.push_back(
          {id, SkipReason::invalid, "no value in column " + csv.columns.at("value")});
      continue;
    }
    ind.values.push_back(Observable{guess_kind(value), value});
    ind.source = get("source").empty() ? options.default_source : get("source");
    ind.campaign = get("campaign").empty() ? options.default_campaign : get("campaign");
    ind.tlp = get("tlp").empty() ? options.default_tlp : get("tlp");
    if (ind.tlp.rfind("tlp:", 0) == 0 || ind.tlp.rfind("TLP:", 0) == 0) ind.tlp = ind.tlp.substr(4);
    for (char& c : ind.tlp) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    ind.first_seen = get("first_seen");
    ind.valid_until = get("valid_until");
    ind.comment = get("comment");
    if (!ind.first_seen.empty() && !base::parse_timestamp_ms(ind.first_seen)) {
      feed.skipped.push_back(
          {id, SkipReason::invalid, "first_seen is not a date: " + ind.first_seen});
      continue;
    }
    if (!ind.valid_until.empty()) {
      const auto until = base::parse_timestamp_ms(ind.valid_until);
      if (!until) {
        feed.skipped.push_back(
            {id, SkipReason::invalid, "valid_until is not a date: " + ind.valid_until});
        continue;
      }
      if (*until <= options.now_ms) {
        feed.skipped.push_back({id, SkipReason::expired, "valid_until " + ind.valid_until});
        continue;
      }
    }
    feed.indicators.push_back(std::move(ind));
  }
  return feed;
}

Feed read_plain(std::istream& in, const std::string& name, const ReadOptions& options) {
  Feed feed;
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    std::string_view t = base::trim(raw);
    if (t.empty() || t.front() == '#') continue;
    ++feed.objects;
    Indicator ind;
    ind.id = name + ":" + std::to_string(line);
    ind.values.push_back(Observable{guess_kind(std::string(t)), std::string(t)});
    ind.source = options.default_source;
    ind.campaign = options.default_campaign;
    ind.tlp = options.default_tlp;
    feed.indicators.push_back(std::move(ind));
  }
  return feed;
}

}  // namespace pixelwarden::intel

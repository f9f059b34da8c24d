#include "cli/scan_date.hpp"

#include <algorithm>
#include <array>

#include "base/text.hpp"
#include "base/timestamp.hpp"

namespace pixelwarden::cli {
namespace {

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> k_days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : k_days[static_cast<std::size_t>(m - 1)];
}

bool valid_civil(int y, int mo, int d, int h, int mi, int s) {
  return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) &&
         h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

// Parses exactly n digits at s[pos]; advances pos.
bool take_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!base::is_ascii_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

// The first k_date_tokens words of a Date value, separated by spaces and commas, comments
// removed: a date reads at most six (weekday, day, month, year, time, zone).
constexpr std::size_t k_date_tokens = 6;
struct DateTokens {
  std::array<std::string_view, k_date_tokens> word{};
  std::size_t count = 0;
};

DateTokens mail_tokens(std::string_view v, std::string& storage) {
  storage.clear();
  int depth = 0;
  for (char c : v) {
    if (c == '(') ++depth;
    if (depth == 0) storage.push_back(c == ',' || base::is_ascii_space(c) ? ' ' : c);
    if (c == ')' && depth > 0) --depth;
  }
  DateTokens out;
  const std::string_view s = storage;
  std::size_t pos = 0;
  while (out.count < k_date_tokens) {
    pos = s.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) break;
    const std::size_t end = std::min(s.find(' ', pos), s.size());
    out.word[out.count++] = s.substr(pos, end - pos);
    pos = end;
  }
  return out;
}

int month_number(std::string_view t) {
  static constexpr std::array<const char*, 12> k_names{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.size() < 3) return 0;
  for (std::size_t i = 0; i < k_names.size(); ++i) {
    if (base::istarts_with(t, k_names[i])) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::optional<int> parse_number(std::string_view t) {
  if (t.empty() || t.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : t) {
    if (!base::is_ascii_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Zone offset in seconds: "+0200", "-0530", or an RFC 5322 (obs-zone) name.
std::optional<int> zone_offset(std::string_view t) {
  if (t.size() == 5 && (t[0] == '+' || t[0] == '-')) {
    std::size_t pos = 1;
    int hh = 0;
    int mm = 0;
    if (!take_digits(t, pos, 2, hh) || !take_digits(t, pos, 2, mm) || mm > 59) return std::nullopt;
    const int off = hh * 3600 + mm * 60;
    return t[0] == '-' ? -off : off;
  }
  struct Named {
    const char* name;
    int hours;
  };
  static constexpr std::array<Named, 10> k_named{{{"UT", 0},
                                                  {"UTC", 0},
                                                  {"GMT", 0},
                                                  {"Z", 0},
                                                  {"EST", -5},
                                                  {"EDT", -4},
                                                  {"CST", -6},
                                                  {"CDT", -5},
                                                  {"MST", -7},
                                                  {"MDT", -6}}};
  for (const auto& n : k_named) {
    if (base::iequals(t, n.name)) return n.hours * 3600;
  }
  if (base::iequals(t, "PST")) return -8 * 3600;
  if (base::iequals(t, "PDT")) return -7 * 3600;
  return std::nullopt;
}

// Hours of one or two digits, minutes of two, seconds optional: "9:05", "12:30",
// "12:30:45". The caller checks the ranges.
bool parse_time(std::string_view t, int& h, int& mi, int& s) {
  std::array<std::string_view, 3> parts{};
  std::size_t n = 0;
  for (std::size_t start = 0;;) {
    if (n == parts.size()) return false;  // a fourth part
    const std::size_t colon = t.find(':', start);
    parts[n++] = t.substr(start, colon == std::string_view::npos ? colon : colon - start);
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (n < 2) return false;
  const auto ph = parse_number(parts[0]);
  const auto pm = parse_number(parts[1]);
  const auto ps = n == 3 ? parse_number(parts[2]) : std::optional<int>(0);
  if (!ph || !pm || !ps || parts[0].size() > 2 || parts[1].size() != 2) return false;
  h = *ph;
  mi = *pm;
  s = *ps;
  return true;
}

}  // namespace

std::int64_t epoch_seconds(int year, int month, int day, int hour, int minute, int second) {
  // Days from civil (H. Hinnant's algorithm), proleptic Gregorian.
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

std::optional<std::int64_t> parse_mail_date(std::string_view value) {
  std::string storage;
  const DateTokens t = mail_tokens(value, storage);
  const auto& tokens = t.word;
  std::size_t i = 0;
  if (t.count > 0 && base::is_ascii_alpha(tokens[0][0])) ++i;  // weekday
  if (t.count < i + 4) return std::nullopt;
  const auto day = parse_number(tokens[i]);
  const int month = month_number(tokens[i + 1]);
  const auto year_raw = parse_number(tokens[i + 2]);
  if (!day || month == 0 || !year_raw) return std::nullopt;
  int year = *year_raw;
  if (tokens[i + 2].size() == 2) year += year < 50 ? 2000 : 1900;  // RFC 5322 obs-year
  if (tokens[i + 2].size() == 3) year += 1900;
  int h = 0;
  int mi = 0;
  int s = 0;
  if (!parse_time(tokens[i + 3], h, mi, s)) return std::nullopt;
  int offset = 0;  // a missing or unknown zone reads as UTC (RFC 5322 4.3: "-0000")
  if (t.count > i + 4) offset = zone_offset(tokens[i + 4]).value_or(0);
  if (!valid_civil(year, month, *day, h, mi, s)) return std::nullopt;
  if (s == 60) s = 59;
  return epoch_seconds(year, month, *day, h, mi, s) - offset;
}

std::optional<IsoDate> parse_iso_date(std::string_view text) {
  const std::string_view t = base::trim(text);
  std::size_t pos = 0;
  int y = 0;
  int mo = 0;
  int d = 0;
  if (!take_digits(t, pos, 4, y) || pos >= t.size() || t[pos++] != '-' ||
      !take_digits(t, pos, 2, mo) || pos >= t.size() || t[pos++] != '-' ||
      !take_digits(t, pos, 2, d)) {
    return std::nullopt;
  }
  if (pos == t.size()) {
    if (!valid_civil(y, mo, d, 0, 0, 0)) return std::nullopt;
    return IsoDate{epoch_seconds(y, mo, d, 0, 0, 0), true};
  }
  if (t[pos] != 'T' && t[pos] != 't' && t[pos] != ' ') return std::nullopt;
  ++pos;
  int h = 0;
  int mi = 0;
  int s = 0;
  if (!take_digits(t, pos, 2, h) || pos >= t.size() || t[pos++] != ':' ||
      !take_digits(t, pos, 2, mi)) {
    return std::nullopt;
  }
  if (pos < t.size() && t[pos] == ':') {
    ++pos;
    if (!take_digits(t, pos, 2, s)) return std::nullopt;
  }
  int offset = 0;
  const std::string_view zone = t.substr(pos);
  if (zone == "Z" || zone == "z" || zone.empty()) {
    offset = 0;
  } else if ((zone[0] == '+' || zone[0] == '-') && (zone.size() == 6 || zone.size() == 5)) {
    std::size_t zp = 1;
    int zh = 0;
    int zm = 0;
    if (!take_digits(zone, zp, 2, zh)) return std::nullopt;
    if (zone.size() == 6 && zone[zp++] != ':') return std::nullopt;
    if (!take_digits(zone, zp, 2, zm) || zh > 23 || zm > 59) return std::nullopt;
    offset = (zone[0] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  } else {
    return std::nullopt;
  }
  if (!valid_civil(y, mo, d, h, mi, s)) return std::nullopt;
  if (s == 60) s = 59;
  return IsoDate{epoch_seconds(y, mo, d, h, mi, s) - offset, false};
}

std::string format_iso_utc(std::int64_t epoch) {
  return base::format_timestamp_ms(epoch * 1000);  // whole seconds: no fraction printed
}

}  // namespace pixelwarden::cli

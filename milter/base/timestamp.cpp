#include "base/timestamp.hpp"

#include <fmt/format.h>

namespace pixelwarden::base {
namespace {

// Howard Hinnant's days_from_civil: proleptic Gregorian date to days since 1970-01-01.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool digits(std::size_t n, int& out) {
    if (i + n > s.size()) return false;
    out = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i += n;
    return true;
  }
  bool take(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool done() const { return i == s.size(); }
};

unsigned days_in_month(int y, int m) {
  static constexpr unsigned k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k_days[m - 1];
}

// The time part after the date: hh:mm[:ss[.fff]] and an optional zone. Milliseconds of
// the day and the zone's offset in minutes.
bool parse_time(Cursor& c, std::int64_t& ms, int& offset_min) {
  int hh = 0, mm = 0, ss = 0;
  if (!c.digits(2, hh) || !c.take(':') || !c.digits(2, mm)) return false;
  if (c.take(':') && !c.digits(2, ss)) return false;
  int frac = 0;
  if (c.take('.') || c.take(',')) {
    int scale = 100, n = 0;
    while (c.i < c.s.size() && c.s[c.i] >= '0' && c.s[c.i] <= '9') {
      frac += (c.s[c.i] - '0') * scale;
      scale /= 10;
      ++c.i;
      ++n;
    }
    if (n == 0) return false;
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;
  ms = ((hh * 60 + mm) * 60 + std::min(ss, 59)) * 1000LL + frac;
  offset_min = 0;
  if (c.take('Z') || c.take('z')) return true;
  const bool plus = c.take('+');
  if (plus || c.take('-')) {
    int oh = 0, om = 0;
    if (!c.digits(2, oh)) return false;
    c.take(':');
    if (!c.digits(2, om) || oh > 23 || om > 59) return false;
    offset_min = (plus ? 1 : -1) * (oh * 60 + om);
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp_ms(std::string_view text) {
  Cursor c{text};
  int y = 0, m = 0, d = 0;
  if (!c.digits(4, y) || !c.take('-') || !c.digits(2, m) || !c.take('-') || !c.digits(2, d)) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, m))
    return std::nullopt;
  std::int64_t ms = 0;
  int offset_min = 0;
  if (c.take('T') || c.take('t') || c.take(' ')) {
    if (!parse_time(c, ms, offset_min)) return std::nullopt;
  }
  if (!c.done()) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400000LL + ms -
         offset_min * 60000LL;
}

std::string format_timestamp_ms(std::int64_t ms) {
  std::int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  std::int64_t rest = ms - days * 86400000;
  // civil_from_days (Hinnant)
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  const auto hh = rest / 3600000, mm = rest / 60000 % 60, ss = rest / 1000 % 60,
             milli = rest % 1000;
  if (milli != 0) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, hh, mm, ss, milli);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, hh, mm, ss);
}

}  // namespace pixelwarden::base

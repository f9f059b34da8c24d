#pragma once
// CSV and plain-text indicator lists, the form advisories publish.
//   plain  one indicator a line; blank lines and lines starting with '#' skipped
//   csv    RFC 4180 (quoted fields, doubled quotes, CRLF), any one-byte delimiter, and
//          a column map naming which column holds what:
//            value=2,campaign=4,first_seen=1,valid_until=5,source=3,tlp=6,comment=7
//          columns by 1-based number, or by header name when the first row is a
//          header (`header` true). Only `value` is required.
// A value is a domain, a URL (has "://") or an address (has '@'); the list writer
// turns it into a domain. Rows without the value column are invalid, with their line.

#include <istream>
#include <map>
#include <string>

#include "base/result.hpp"
#include "intel/model.hpp"

namespace pixelwarden::intel {

struct CsvOptions {
  char delimiter = ',';
  bool header = false;
  std::map<std::string, std::string> columns;  // field -> column number or header name
  std::string name = "input";                  // for ids: NAME:LINE
};

// The column map text `value=2,campaign=4` -> map; an error names the bad part.
base::Result<std::map<std::string, std::string>> parse_column_map(const std::string& text);

base::Result<Feed> read_csv(std::istream& in, const CsvOptions& csv, const ReadOptions& options);
Feed read_plain(std::istream& in, const std::string& name, const ReadOptions& options);

ValueKind guess_kind(const std::string& value);

}  // namespace pixelwarden::intel

#pragma once
// Content-Type and Content-Disposition values: "type/subtype; name=value; ..." with
// quoted strings, comments, and RFC 2231 parameters (name*=charset'lang'%xx, continuations
// name*0, name*1*, ... joined in order and converted to UTF-8). Tolerant: a value that is
// not "type/subtype" gives text/plain with valid = false; junk parameters are skipped.
// Names and type/subtype are lowercased; values are kept as written (unquoted).
// Non-goals: RFC 2047 decoding of parameter values (the walker does it for file names).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pixelwarden::mime {

using Parameters = std::vector<std::pair<std::string, std::string>>;

struct ContentType {
  std::string type = "text", subtype = "plain";  // lowercased
  Parameters params;                             // names lowercased, RFC 2231 joined+decoded
  bool valid = true;  // false when the value was not type/subtype (defaults were used)
  std::string param(std::string_view name) const;  // "" when absent
  std::string mime_type() const { return type + "/" + subtype; }
};

ContentType parse_content_type(std::string_view value);

struct Disposition {
  std::string type;  // "inline", "attachment", ... lowercased; "" when absent
  Parameters params;
};

Disposition parse_disposition(std::string_view value);

// The "; name=value" list starting at value (RFC 2231 applied).
Parameters parse_parameters(std::string_view value);

}  // namespace pixelwarden::mime

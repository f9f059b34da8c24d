// Prints the resource table (milter/html/resource_table.cpp) as JSON lines for the
// real-browser test,.
#include <cstdio>
#include <string>
#include <string_view>

#include "html/resource_table.hpp"

using namespace pixelwarden::html;

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

int main() {
  for (const ResourceRow& row : resource_table()) {
    std::printf("{\"id\": %s, \"construct\": %s, \"spec\": %s, \"sample\": %s, \"part_type\": %s, "
                "\"chromium\": %s, "
                "\"clients\": %s, \"vector\": %s}\n",
                json_string(row.id).c_str(), json_string(row.construct).c_str(),
                json_string(row.spec).c_str(), json_string(row.sample).c_str(),
                json_string(row.part_type).c_str(), row.chromium ? "true" : "false",
                json_string(to_string(row.clients)).c_str(),
                row.vector ? json_string(to_string(*row.vector)).c_str() : "null");
  }
  return 0;
}

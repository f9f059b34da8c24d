// libFuzzer target over the STIX 2.1 bundle reader. The reader frames the top-level
// "objects" array itself and lets simdjson parse each object and then the rest of the
// bundle; the invariant is that this agrees with simdjson parsing the whole input at
// once: the reader accepts exactly the inputs that are one JSON object whose "type" is
// "bundle" (framing must neither let invalid JSON through nor refuse valid JSON), and
// never crashes. Inputs nested deeper than simdjson's own limit are only run, not
// compared (an object parsed alone is two levels shallower than inside the bundle).

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "intel/stix.hpp"

namespace {

bool whole_is_bundle(const std::string& doc) {
  simdjson::dom::parser parser;
  simdjson::dom::element top;
  if (parser.parse(doc).get(top) != simdjson::SUCCESS || !top.is_object()) return false;
  std::string_view type;
  return top["type"].get_string().get(type) == simdjson::SUCCESS && type == "bundle";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string doc(reinterpret_cast<const char*>(data), size);
  std::istringstream in(doc);
  pixelwarden::intel::ReadOptions options;
  const bool read = pixelwarden::intel::read_stix(in, options).ok();
  const auto opens =
      std::count(doc.begin(), doc.end(), '[') + std::count(doc.begin(), doc.end(), '{');
  if (opens < 512 && read != whole_is_bundle(doc)) {
    std::fprintf(stderr, "fuzz_stix: the reader %s a document simdjson %s\n",
                 read ? "accepted" : "refused", read ? "refuses" : "accepts");
    std::abort();
  }
  return 0;
}

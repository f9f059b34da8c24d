// mime_dump [--text] FILE...: one JSON line per leaf part of each message: file, path,
// content type, CTE, size and sha256 of the decoded bytes; plus one "message" line per file
// with the walk's malformed flag. compare_python.py checks these against Python's email
// package. --text adds, for text/* leaves, "text": the sha256 of the content converted to
// UTF-8 (mime::to_utf8 with the charset the engine would use: the BOM's, else the label,
// else us-ascii), or "error" when the conversion fails (unknown label, invalid bytes).

#include <cstdio>
#include <string>

#include "base/digest.hpp"
#include "base/json.hpp"
#include "corpus_files.hpp"
#include "mime/charset.hpp"
#include "mime/codec.hpp"
#include "mime/message.hpp"

namespace {

using namespace pixelwarden;

std::string text_digest(const std::string& decoded, const std::string& label) {
  std::string charset = mime::effective_charset(decoded, label);
  if (charset.empty()) charset = "us-ascii";
  auto utf8 = mime::to_utf8(decoded, charset);
  return utf8.ok() ? base::sha256_hex(utf8.value()) : "error";
}

void dump(const std::string& file, bool text) {
  const std::string raw = mime::corpus::read_file(file);
  const mime::Message msg(raw);
  const mime::WalkResult walked = msg.walk();
  for (const auto& part : walked.parts) {
    if (!part.is_leaf()) continue;
    const std::string decoded = mime::decode(mime::part_body(part, msg.body()), part.cte);
    base::JsonWriter w;
    w.begin_object();
    w.key("file").value(file);
    w.key("path").value(part.path);
    w.key("content_type").value(part.content_type.mime_type());
    w.key("cte").value(mime::cte_name(part.cte));
    w.key("size").value(static_cast<std::int64_t>(decoded.size()));
    w.key("sha256").value(base::sha256_hex(decoded));
    if (text && part.content_type.type == "text")
      w.key("text").value(text_digest(decoded, part.charset));
    w.end_object();
    std::printf("%s\n", w.str().c_str());
  }
  base::JsonWriter w;
  w.begin_object();
  w.key("file").value(file);
  w.key("message").value(true);
  w.key("malformed").value(walked.malformed);
  w.end_object();
  std::printf("%s\n", w.str().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  const bool text = argc > 1 && std::string(argv[1]) == "--text";
  if (text) ++first;
  for (int i = first; i < argc; ++i) dump(argv[i], text);
  return 0;
}

#pragma once
// The message sets of the MIME conformance checks, in sorted order. Two kinds:
// - the outside corpora (message_files): every message file under DATA_DIR/mime and
//   DATA_DIR/html-mail; HTML samples, tokenizer dumps, indexes, licenses and READMEs are
//   skipped; an mbox file counts as one message;
// - a folder of messages (matching_files): every file under DIR whose name matches a
//   shell pattern (fnmatch), e.g. the generated set or CPython's own email test messages.
// compare_python.py applies the same rules (keep them in step).

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pixelwarden::mime::corpus {

inline bool is_message_file(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  const std::string ext = p.extension().string();
  for (const char* skip : {".html", ".xhtml", ".htm", ".tokens", ".tsv", ".md"}) {
    if (ext == skip) return false;
  }
  for (const char* skip : {"LICENSE", "COPYING", "NOTICE", "README", "INDEX"}) {
    if (name.find(skip) != std::string::npos) return false;
  }
  return true;
}

inline std::vector<std::filesystem::path> message_files(const std::string& data_dir) {
  std::vector<std::filesystem::path> out;
  for (const char* sub : {"mime", "html-mail"}) {
    const std::filesystem::path root = std::filesystem::path(data_dir) / sub;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
      if (e.is_regular_file() && is_message_file(e.path())) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::filesystem::path> matching_files(const std::string& dir,
                                                         const std::string& pattern) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ::fnmatch(pattern.c_str(), e.path().filename().c_str(), 0) == 0) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace pixelwarden::mime::corpus

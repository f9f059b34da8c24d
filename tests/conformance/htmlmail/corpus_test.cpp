// Corpus test over the html-mail corpus (PIXELWARDEN_CORPORA/html-mail): every HTML file
// and every text/html part of every .eml (MIME via milter/mime: walk + decode + charset).
// For each part: tokens move forward inside the input (and markup yields some), a no-edit
// rewrite is the identity, neutralizing every remote resource leaves HTML that re-scans
// with none (stripping too), remote <img> found per file >= INDEX.tsv's remote_img, and an
// independent regex scan of the neutralized output finds no remote URL in a fetching
// attribute or CSS url().
#include <doctest/doctest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include "html/html.hpp"
#include "html/tokenizer.hpp"
#include "mime/charset.hpp"
#include "mime/codec.hpp"
#include "mime/header.hpp"
#include "mime/walk.hpp"

namespace fs = std::filesystem;
using namespace pixelwarden;

namespace {

const fs::path k_dir = fs::path(PIXELWARDEN_DATA_DIR) / "html-mail";

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::map<std::string, int> remote_img_index() {
  std::map<std::string, int> m;
  std::istringstream in(read_file(k_dir / "INDEX.tsv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ls(line);
    std::string c;
    while (std::getline(ls, c, '\t')) cols.push_back(c);
    if (cols.size() > 6) m[cols[0]] = std::stoi(cols[6]);
  }
  return m;
}

std::string to_scannable(std::string bytes, std::string_view label) {
  std::string cs = mime::effective_charset(bytes, label);
  if (cs.empty() || mime::is_ascii_compatible(cs)) return bytes;
  return mime::to_utf8_lenient(bytes, cs);
}

std::vector<std::string> html_parts(const fs::path& p) {
  std::string raw = read_file(p);
  if (p.extension() != ".eml") return {to_scannable(raw, "")};
  std::vector<std::string> out;
  mime::MessageSplit split = mime::split_message(raw);
  mime::WalkResult w = mime::walk(split.header_block, split.body);
  for (const mime::Part& part : w.parts) {
    if (!part.is_leaf() || part.content_type.mime_type() != "text/html") continue;
    out.push_back(
        to_scannable(mime::decode(mime::part_body(part, split.body), part.cte), part.charset));
  }
  return out;
}

// Ordinary comments and script bodies hold nothing a client fetches: blank them.
std::string without_comments_and_scripts(std::string s) {
  for (std::size_t i = s.find("<!--"); i != std::string::npos; i = s.find("<!--", i + 1)) {
    if (s.compare(i + 4, 3, "[if") == 0 || s.compare(i + 4, 9, "<![endif]") == 0) continue;
    std::size_t e = s.find("-->", i + 4);
    e = e == std::string::npos ? s.size() : e + 3;
    std::fill(s.begin() + i, s.begin() + e, ' ');
  }
  std::string lower = s;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = lower.find("<script"); i != std::string::npos;
       i = lower.find("<script", i + 1)) {
    std::size_t e = lower.find("</script", i);
    e = e == std::string::npos ? s.size() : e;
    std::fill(s.begin() + i, s.begin() + e, ' ');
  }
  return s;
}

// Remote <img> inside ordinary comments: INDEX.tsv's regex counts them, clients never
// fetch them (nor does the engine count them), so they make up the difference.
int commented_remote_imgs(const std::string& s) {
  static const std::regex k_img(R"(<img\b[^>]*\bsrc\s*=\s*["']?\s*(https?:|//))",
                                std::regex::icase);
  int n = 0;
  for (std::size_t i = s.find("<!--"); i != std::string::npos; i = s.find("<!--", i + 1)) {
    if (s.compare(i + 4, 3, "[if") == 0 || s.compare(i + 4, 9, "<![endif]") == 0) continue;
    std::size_t e = s.find("-->", i + 4);
    e = e == std::string::npos ? s.size() : e;
    std::string body = s.substr(i, e - i);
    n += static_cast<int>(std::distance(std::sregex_iterator(body.begin(), body.end(), k_img),
                                        std::sregex_iterator()));
    i = e;
  }
  return n;
}

// Independent of the engine: plain text search plus std::regex on small windows.
std::vector<std::string> remote_leftovers(const std::string& html) {
  static const std::regex k_attr(
      R"((^|[\s"'/])(src|srcset|background|poster|data|xlink:href)\s*=\s*["']?\s*(https?:|//))",
      std::regex::icase);
  static const std::regex k_css(R"(^url\(\s*['"]?\s*(https?:|//))", std::regex::icase);
  static const std::regex k_link(
      R"(^<link\b[^>]*rel\s*=\s*["']?[^"'>]*(stylesheet|icon)[\s\S]*href\s*=\s*["']?\s*(https?:|//))",
      std::regex::icase);
  std::string s = without_comments_and_scripts(html);
  std::vector<std::string> bad;
  for (std::size_t i = s.find('<'); i != std::string::npos; i = s.find('<', i + 1)) {
    if (i + 1 >= s.size() || !std::isalpha(static_cast<unsigned char>(s[i + 1]))) continue;
    std::size_t e = s.find('>', i);
    if (e == std::string::npos) break;
    std::string tag = s.substr(i, std::min<std::size_t>(e - i + 1, 4000));
    if (std::regex_search(tag, k_attr) || std::regex_search(tag, k_link))
      bad.push_back(tag.substr(0, 200));
  }
  for (std::size_t i = 0; i + 4 < s.size(); ++i) {
    if ((s[i] | 0x20) != 'u' || (s[i + 1] | 0x20) != 'r' || (s[i + 2] | 0x20) != 'l' ||
        s[i + 3] != '(')
      continue;
    std::string window = s.substr(i, 40);
    if (std::regex_search(window, k_css)) bad.push_back(window);
  }
  return bad;
}

// The tokenizer's contract over a real part: tokens move forward and stay inside the
// input, attribute spans lie inside their tag, and a part with markup yields tokens.
bool tokens_well_formed(const std::string& h, std::size_t& tokens) {
  html::Tokenizer tok(h);
  html::Token t;
  std::size_t last = 0;
  while (tok.next(t)) {
    ++tokens;
    if (t.begin < last || t.begin > t.end || t.end > h.size()) return false;
    last = t.begin;
    if (t.attributes == nullptr) continue;
    for (const html::Attribute& a : *t.attributes) {
      if (a.begin < t.begin || a.end > t.end || a.value_begin > a.value_end || a.value_end > a.end)
        return false;
    }
  }
  bool markup = false;
  for (std::size_t i = h.find('<'); i != std::string::npos && !markup; i = h.find('<', i + 1))
    markup = i + 1 < h.size() && std::isalpha(static_cast<unsigned char>(h[i + 1]));
  return tokens > 0 || !markup;
}

std::vector<html::Edit> all(const html::ScanResult& s, html::Op op) {
  std::vector<html::Edit> edits;
  for (std::size_t i = 0; i < s.resources.size(); ++i) edits.push_back({i, op, ""});
  return edits;
}

}  // namespace

TEST_SUITE("conformance::htmlmail") {
  TEST_CASE("every HTML part of the corpus") {
    auto index = remote_img_index();
    REQUIRE(index.size() > 100);
    std::array<std::size_t, html::k_vector_count> per_vector{};
    std::size_t files = 0, parts = 0, tokens = 0, leftovers_files = 0;
    for (const auto& entry : index) {
      // Not structured bindings: CAPTURE is a lambda, and Clang 14 cannot capture those.
      const auto& path = entry.first;
      const auto remote_img = entry.second;
      std::vector<std::string> htmls = html_parts(k_dir / path);
      ++files;
      int imgs = 0, commented = 0;
      for (const std::string& h : htmls) {
        ++parts;
        CAPTURE(path);
        commented += commented_remote_imgs(h);
        std::size_t part_tokens = 0;
        CHECK(tokens_well_formed(h, part_tokens));
        tokens += part_tokens;
        html::ScanResult s = html::scan(h);
        for (const html::Resource& r : s.resources) {
          ++per_vector[static_cast<std::size_t>(r.vector)];
          if (r.vector == html::Vector::img) ++imgs;
        }
        CHECK(html::rewrite(h, s, {}) == h);
        std::string neutral = html::rewrite(h, s, all(s, html::Op::neutralize));
        CHECK(html::scan(neutral).resources.empty());
        CHECK(html::apply_patches(h, html::plan_patches(h, s, all(s, html::Op::neutralize))).ok());
        std::string stripped = html::rewrite(h, s, all(s, html::Op::strip));
        CHECK(html::scan(stripped).resources.empty());
        auto bad = remote_leftovers(neutral);
        if (!bad.empty()) ++leftovers_files;
        for (const std::string& b : bad) FAIL_CHECK("remote URL left after neutralizing: " << b);
      }
      CAPTURE(path);
      CAPTURE(commented);
      CHECK(imgs + commented >= remote_img);
      if (imgs < remote_img)
        std::cout << path << ": " << imgs << " remote <img> found, INDEX says " << remote_img
                  << ", " << commented << " inside ordinary comments\n";
    }
    std::cout << "html-mail corpus: " << files << " files, " << parts << " HTML parts, " << tokens
              << " tokens\n";
    for (std::size_t v = 0; v < html::k_vector_count; ++v)
      std::cout << "  " << html::to_string(static_cast<html::Vector>(v)) << ": " << per_vector[v]
                << "\n";
    CHECK(leftovers_files == 0);
  }
}

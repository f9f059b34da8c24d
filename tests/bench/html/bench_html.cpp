// bench_html: tokenize + extract + rewrite throughput (MB/s) over
//  1. the html-mail corpus HTML files and .eml files as bytes (newsletter-like),
//  2. synthetic newsletter HTML (tables, inline styles, images, a <style> block),
//  3. HTML with no resources (text paragraphs only).
// Each resource is neutralized, the worst case for the rewriter.
// Usage: bench_html [DATA_DIR]   (defaults to PIXELWARDEN_DATA_DIR)
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "html/html.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string newsletter() {
  std::string h =
      "<!DOCTYPE html><html><head><style>@media "
      "screen{.x{background:url(https://cdn.example/bg.png)}}"
      "p{margin:0;font-family:Arial,sans-serif}</style></head><body style=\"margin:0\">";
  for (int i = 0; i < 60; ++i) {
    h +=
        "<table width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
        "align=\"center\"><tr>"
        "<td class=\"c\" style=\"padding:10px 20px;font-size:14px;line-height:20px;color:#333333\">"
        "<a href=\"https://click.example/l/" +
        std::to_string(i) +
        "?u=abcdef\">"
        "<img src=\"https://img.example/p/" +
        std::to_string(i) +
        ".jpg\" width=\"560\" alt=\"Item\" "
        "style=\"display:block;border:0\"></a><p>Lorem ipsum dolor sit amet, consectetur "
        "adipiscing elit, sed do "
        "eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis "
        "nostrud.</p>"
        "</td></tr></table>\n";
  }
  h += "<img src=\"https://t.example/open?id=123\" width=\"1\" height=\"1\"></body></html>";
  return h;
}

std::string plain_text_html() {
  std::string h = "<html><body>";
  for (int i = 0; i < 400; ++i)
    h += "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
         "incididunt ut labore "
         "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
         "laboris nisi.</p>\n";
  return h + "</body></html>";
}

double run(const std::vector<std::string>& docs, double min_seconds) {
  std::size_t bytes = 0;
  std::size_t sink = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    for (const std::string& d : docs) {
      pixelwarden::html::ScanResult s = pixelwarden::html::scan(d);
      std::vector<pixelwarden::html::Edit> edits;
      edits.reserve(s.resources.size());
      for (std::size_t i = 0; i < s.resources.size(); ++i)
        edits.push_back({i, pixelwarden::html::Op::neutralize, ""});
      sink += pixelwarden::html::rewrite(d, s, edits).size();
      bytes += d.size();
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_seconds);
  if (sink == 0) std::cout << "";
  return static_cast<double>(bytes) / 1e6 / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = argc > 1 ? argv[1] : PIXELWARDEN_DATA_DIR;
  std::vector<std::string> corpus;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "html-mail")) {
    auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".html" && ext != ".eml" && ext != ".htm")) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    corpus.push_back(ss.str());
  }
  std::cout << "tokenize+extract+rewrite (neutralize all), MB/s\n";
  std::cout << "  html-mail corpus files (" << corpus.size() << "): " << run(corpus, 2.0) << "\n";
  std::cout << "  synthetic newsletter:        " << run({newsletter()}, 2.0) << "\n";
  std::cout << "  HTML without resources:      " << run({plain_text_html()}, 2.0) << "\n";
  return 0;
}

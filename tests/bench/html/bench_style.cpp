// bench_style: the cost of the <style> part of the invisibility heuristic (cascade.hpp)
// through html::scan(), run by hand (Release):
//  1. worst cases for the selector matcher: R rules x E elements, every element an
//     image every rule's subject can select (one index bucket), under a deep chain of
//     ancestors that descendant combinators walk; growing R and E together shows the
//     time grows with the input, not with R x E (the match budget caps the product);
//  2. a newsletter-like part without <style>, with a <style> that cannot hide, and
//     with one that can (which pays the second tokenizer pass), to show what an
//     ordinary message pays.
// Usage: bench_style
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "html/html.hpp"

namespace {

// CPU time of this thread: the machine is shared, and wall time counts the others' work.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// R rules and E images: "div .a img.a{width:1px}"-like rules whose subject is img.a (the
// class bucket every image hits), none of which can match (no element has class b), so
// each rule costs a full ancestor walk; images sit under 200 nested divs.
std::string worst_case(int rules, int elements) {
  std::string h = "<html><head><style>";
  for (int i = 0; i < rules; ++i) {
    h.append(".b").append(std::to_string(i)).append(" div img.a{width:1px}\n");
  }
  h += "</style></head><body>";
  for (int i = 0; i < 200; ++i) h += "<div class=x>";
  for (int i = 0; i < elements; ++i)
    h.append("<img class=a src=http://t.example/").append(std::to_string(i)).append(">");
  h += "</body></html>";
  return h;
}

std::string newsletter(const std::string& style) {
  std::string h = "<!DOCTYPE html><html><head>" + style + "</head><body style=\"margin:0\">";
  for (int i = 0; i < 60; ++i) {
    h.append("<table width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
             "align=\"center\"><tr>"
             "<td class=\"c\" style=\"padding:10px "
             "20px;font-size:14px;line-height:20px;color:#333333\">"
             "<a href=\"https://click.example/l/")
        .append(std::to_string(i))
        .append("?u=abcdef\"><img class=\"item\" src=\"https://img.example/p/")
        .append(std::to_string(i))
        .append(".jpg\" width=\"560\" alt=\"Item\" style=\"display:block;border:0\"></a><p>Lorem "
                "ipsum dolor sit "
                "amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
                "labore.</p></td></tr></table>\n");
  }
  h += "<img src=\"https://t.example/open?id=123\" class=\"p\"></body></html>";
  return h;
}

// Median CPU seconds of one scan() over `runs` runs; `capped`/`invisible` of the last one.
double time_scan(const std::string& html, int runs, std::size_t& capped, std::size_t& invisible) {
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const double t0 = cpu_seconds();
    pixelwarden::html::ScanResult res = pixelwarden::html::scan(html);
    t.push_back(cpu_seconds() - t0);
    capped = res.style_capped;
    invisible = static_cast<std::size_t>(std::count_if(res.resources.begin(), res.resources.end(),
                                                       [](const auto& x) { return x.invisible; }));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main() {
  std::printf("| case | rules | elements | MB | CPU ms | ns/byte | style_capped | invisible "
              "|\n|---|---|---|---|---|---|---|---|\n");
  const int sizes[][2] = {{1000, 10000}, {10000, 100000}, {20000, 200000}};
  for (const auto& s : sizes) {
    const std::string html = worst_case(s[0], s[1]);
    std::size_t capped = 0, invisible = 0;
    const double sec = time_scan(html, 5, capped, invisible);
    std::printf("| worst case | %d | %d | %.1f | %.1f | %.1f | %zu | %zu |\n", s[0], s[1],
                html.size() / 1e6, sec * 1e3, sec * 1e9 / static_cast<double>(html.size()), capped,
                invisible);
    // The same input without its <style>: what the tokenizer and resources cost alone.
    const std::string bare = worst_case(0, s[1]);
    const double base = time_scan(bare, 5, capped, invisible);
    std::printf("| same, no rules | 0 | %d | %.1f | %.1f | %.1f | %zu | %zu |\n", s[1],
                bare.size() / 1e6, base * 1e3, base * 1e9 / static_cast<double>(bare.size()),
                capped, invisible);
  }
  const struct {
    const char* name;
    std::string style;
  } letters[] = {
      {"newsletter, no <style>", ""},
      {"newsletter, <style> that cannot hide",
       "<style>td.c{padding:12px} img{display:block;border:0}</style>"},
      {"newsletter, <style> that can hide",
       "<style>td.c{padding:12px} img{display:block} .p{width:1px;height:1px}</style>"},
  };
  for (const auto& l : letters) {
    const std::string html = newsletter(l.style);
    std::size_t capped = 0, invisible = 0;
    const double sec = time_scan(html, 2001, capped, invisible);
    std::printf("| %s | - | - | %.3f | %.3f | %.1f | %zu | %zu |\n", l.name, html.size() / 1e6,
                sec * 1e3, sec * 1e9 / static_cast<double>(html.size()), capped, invisible);
  }
  return 0;
}

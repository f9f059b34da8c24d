#include "base/suggest.hpp"

#include <algorithm>
#include <utility>

#include "base/text.hpp"

namespace pixelwarden::base {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Three rows: the transposition step looks two rows back.
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const bool same = ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && ascii_lower(a[i - 1]) == ascii_lower(b[j - 2]) &&
          ascii_lower(a[i - 2]) == ascii_lower(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::vector<std::string> suggest(std::string_view given, const std::vector<std::string>& known,
                                 std::size_t limit) {
  // Rank: 0 prefix, 1 substring, 2 + distance for near misses.
  std::vector<std::pair<std::size_t, std::string>> ranked;
  const std::size_t max_distance = std::max<std::size_t>(2, given.size() / 3);
  for (const std::string& k : known) {
    if (given.empty()) break;
    if (istarts_with(k, given)) {
      ranked.emplace_back(0, k);
    } else if (ifind(k, given) != std::string_view::npos) {
      ranked.emplace_back(1, k);
    } else if (const std::size_t d = edit_distance(given, k); d <= max_distance) {
      ranked.emplace_back(2 + d, k);
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (auto& r : ranked) {
    if (out.size() == limit) break;
    if (std::find(out.begin(), out.end(), r.second) == out.end())
      out.push_back(std::move(r.second));
  }
  return out;
}

}  // namespace pixelwarden::base

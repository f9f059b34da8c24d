#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "html/resource.hpp"
#include "html/resource_table.hpp"

using namespace pixelwarden::html;

namespace {

// Rows whose vector the engine does not read yet. Shrink it as the engine gains the
// handling: a row listed here that scan() reads makes the test fail, so it cannot go
// stale.
const std::set<std::string> k_not_yet_read = {};

std::string host_of(const ResourceRow& row) { return std::string(row.id) + ".remote.example"; }

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit = s.find(from); hit != std::string_view::npos; hit = s.find(from, at)) {
    out.append(s.substr(at, hit - at)).append(to);
    at = hit + from.size();
  }
  return out.append(s.substr(at));
}

// The row's sample with its placeholders filled in, as the browser test fills them.
std::string sample_of(const ResourceRow& row) {
  std::string host = host_of(row);
  return replace_all(replace_all(row.sample, "{URL}", "http://" + host + "/r.png"), "{HOST}", host);
}

// What scan() reads of the row's URL: the vectors of the resources on its host.
std::set<std::string> vectors_read(const ResourceRow& row) {
  std::set<std::string> out;
  const ScanOptions options{std::string_view(row.part_type) == "text/x-amp-html"};
  for (const Resource& r : scan(sample_of(row), {}, options).resources)
    if (r.host == host_of(row)) out.insert(to_string(r.vector));
  return out;
}

std::string markdown_row(const ResourceRow& row) {
  std::ostringstream s;
  s << "| `" << row.id << "` | " << row.construct << " | " << row.spec << " | "
    << to_string(row.clients) << " | " << (row.chromium ? "yes" : "no") << " | ";
  if (row.vector)
    s << '`' << to_string(*row.vector) << '`';
  else
    s << "—";
  s << " | " << neutralization(row.vector);
  if (std::string_view(row.part_type) != "text/html") s << " (in `" << row.part_type << "` parts)";
  s << " |";
  return s.str();
}

}  // namespace

TEST_SUITE("html::resource_table") {
  TEST_CASE("ids are unique and every sample names its URL") {
    std::set<std::string> ids;
    for (const ResourceRow& row : resource_table()) {
      CAPTURE(row.id);
      CHECK(ids.insert(row.id).second);
      CHECK(std::string_view(row.id).find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
            std::string_view::npos);
      CHECK(sample_of(row).find(host_of(row)) != std::string::npos);
    }
    CHECK(ids.size() >= 80);
  }

  TEST_CASE(
      "scan() reads every row's URL with the row's vector, and nothing for rows it does not read") {
    for (const ResourceRow& row : resource_table()) {
      CAPTURE(row.id);
      CAPTURE(sample_of(row));
      std::set<std::string> got = vectors_read(row);
      bool as_table =
          row.vector ? got == std::set<std::string>{to_string(*row.vector)} : got.empty();
      if (k_not_yet_read.count(row.id) != 0) {
        CHECK_MESSAGE(!as_table, "now read as the table says: remove it from k_not_yet_read");
      } else {
        CHECK(as_table);
      }
    }
  }

  TEST_CASE("the not-yet-read list names rows of the table") {
    std::set<std::string> ids;
    for (const ResourceRow& row : resource_table()) ids.insert(row.id);
    for (const std::string& id : k_not_yet_read) {
      CAPTURE(id);
      CHECK(ids.count(id) == 1);
    }
  }

  TEST_CASE("docs/ruleset.md publishes the table as it is in the code") {
    std::ifstream in(PIXELWARDEN_SOURCE_DIR "/docs/ruleset.md");
    REQUIRE(in);
    std::vector<std::string> published;
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
      if (line.rfind("### The resource table", 0) == 0)
        inside = true;
      else if (inside && line.rfind("#", 0) == 0)
        break;
      else if (inside && line.rfind("| `", 0) == 0)
        published.push_back(line);
    }
    std::vector<std::string> expected;
    for (const ResourceRow& row : resource_table()) expected.push_back(markdown_row(row));
    REQUIRE(published.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(published[i] == expected[i]);
  }
}

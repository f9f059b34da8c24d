#pragma once
// One line of a domain list file, with the provenance an imported indicator carries:
//
//   lure-news.example
//   lure-news.example   # a free comment
//   lure-news.example source=CERT-EU feed=indicator--8e2e... first_seen=2026-11-02
//       valid_until=2026-12-31T00:00:00Z tlp=amber campaign="Fake news outlets" # comment
//
// The entry comes first; then whitespace-separated `key=value` fields (a value with
// spaces in double quotes, which cannot themselves hold a double quote); then an
// optional `# comment` to the end of the line. Keys: source, feed, first_seen,
// valid_until, tlp, campaign; any other key is an error (a typo must not silently drop
// an expiry). A line without whitespace is a plain entry and costs one scan.
// Views point into the line; nothing is copied.

#include <optional>
#include <string>
#include <string_view>

namespace pixelwarden::ruleset {

struct EntryLine {
  std::string_view entry;
  std::string_view source;
  std::string_view feed;
  std::string_view first_seen;
  std::string_view valid_until;
  std::string_view tlp;
  std::string_view campaign;
  std::string_view comment;
  bool has_fields() const {
    return !source.empty() || !feed.empty() || !first_seen.empty() || !valid_until.empty() ||
           !tlp.empty() || !campaign.empty();
  }
};

struct EntryLineError {
  std::string message;
  int column = 1;  // 1-based, within the line as given
};

// `line` is trimmed and is not a comment line. Fills `out`, or returns the error.
std::optional<EntryLineError> parse_entry_line(std::string_view line, EntryLine& out);

// The fields of `e` (not the entry, not the comment) in a fixed order, as `key=value`
// separated by spaces, values with spaces quoted: equal exactly when the fields are.
std::string canonical_fields(const EntryLine& e);

}  // namespace pixelwarden::ruleset

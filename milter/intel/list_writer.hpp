#pragma once
// Turns a Feed into a domain list file in the provenance format (ruleset/entry_line.hpp):
// one line per domain, first indicator wins, with source, feed id, first_seen,
// valid_until, tlp and campaign as fields and the comment after '#'. URLs give their
// host, addresses their domain; IP addresses and values that are no domain are
// skipped (unsupported / invalid) with the indicator's id. Display names cannot live
// in a domain list: they are returned for a display_name rule (write_include).
// Output is deterministic (feed order, no timestamps), so two imports diff cleanly.

#include <ostream>
#include <string>
#include <vector>

#include "intel/model.hpp"

namespace pixelwarden::intel {

struct ListStats {
  std::size_t entries = 0;     // lines written
  std::size_t duplicates = 0;  // values whose domain an earlier indicator already gave
  std::vector<std::string> display_names;
};

// The domain a value names, or an error message (unsupported: starts with "IP address").
struct DomainOf {
  std::string domain;
  std::string problem;
  bool unsupported = false;
};
DomainOf domain_of(const Observable& o);

// Writes the list; values that are no domain are appended to feed.skipped.
ListStats write_list(Feed& feed, const std::string& origin, std::ostream& out);

// A ruleset include defining list `name` over `list_file` (relative to the include), and,
// when there are display names, a lure rule `<name>-display-names` over them with
// `action`.
void write_include(std::ostream& out, const std::string& name, const std::string& list_file,
                   const std::string& origin, const std::vector<std::string>& display_names,
                   const std::string& action);

}  // namespace pixelwarden::intel

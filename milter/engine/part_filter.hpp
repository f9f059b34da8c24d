#pragma once
// PartFilter: a test a text part's content passes before the engine looks into it for
// resources and links. `scan` gives one when it hunts only for some lure domains
// (cli/hunt_prefilter.hpp): a part that cannot contain any of them is not tokenized.
// A skipped part adds no resources, links or trackers to the verdict, so an inspection
// with a filter only answers "did the hunted rules match?"; a caller that reports the
// message inspects it again without one.
// Non-goals: headers and envelope (always inspected), attachments (never decoded).

#include <string_view>

namespace pixelwarden::engine {

class PartFilter {
 public:
  virtual ~PartFilter() = default;
  // False only when `text`, a decoded text part as html::scan() or scan_text_links()
  // would read it, cannot yield a link or resource host that the caller looks for.
  // Called from several threads at once.
  virtual bool may_hold(std::string_view text) const = 0;
};

}  // namespace pixelwarden::engine

#pragma once
// MISP event reader: an event export (`{"Event": {...}}`), a list of them, or a REST
// answer (`{"response": [{"Event": ...}]}`). Attributes of the event and of its
// objects, by type:
//   domain, hostname          the domain
//   domain|ip                 the domain part
//   url                       the URL (its host goes into the list)
//   email-src                 the address (its domain goes into the list)
//   email-src-display-name    a display name: listed for display_name rules, never a domain
// Every other type is skipped as unsupported with the attribute's uuid and type.
// `to_ids: false` attributes are context, not detection: skipped as not_for_detection.
// Deleted attributes are skipped as revoked. Provenance: source = the event's Orgc
// (else Org) name; campaign = a misp-galaxy campaign or threat-actor tag, else the
// event's info; tlp = a tlp:* tag of the attribute, else of the event; first_seen =
// the attribute's first_seen, else its timestamp, else the event's date. MISP has no
// expiry of its own: valid_until stays empty.

#include <istream>

#include "base/result.hpp"
#include "intel/model.hpp"

namespace pixelwarden::intel {

base::Result<Feed> read_misp(std::istream& in, const ReadOptions& options);

}  // namespace pixelwarden::intel

#pragma once
// STIX 2.1 bundle reader: `indicator` objects whose pattern the list can hold
// (stix_pattern.hpp), with provenance from the bundle itself:
//   source      created_by_ref -> that identity's name (else the ref)
//   campaign    an `indicates` relationship to a campaign (else intrusion-set,
//               threat-actor) -> its name
//   tlp         object_marking_refs -> TLP marking definitions (the four well-known
//               TLP 1.0 ids, or a marking in the bundle named "TLP:..." or of
//               definition_type tlp)
//   first_seen  valid_from; valid_until as is; labels, kill_chain_phases and the
//               name go into the comment.
// Revoked indicators, indicators whose valid_until has passed, patterns in another
// language (sigma, yara, ...) and patterns outside the subset are skipped and listed
// with their ids. The bundle is streamed: objects are read one at a time, so a bundle
// of a million indicators never exists as one JSON tree.

#include <istream>

#include "base/result.hpp"
#include "intel/model.hpp"

namespace pixelwarden::intel {

// An error only when the input is not JSON or not a bundle (with the byte offset).
base::Result<Feed> read_stix(std::istream& in, const ReadOptions& options);

}  // namespace pixelwarden::intel

// Builder, domain list entries with provenance and expiry (format: entry_line.hpp).
// An entry whose valid_until has passed is left out of the set and recorded in
// LoadResult::expired; the earliest valid_until still ahead becomes the ruleset's
// next_expiry_ms, when the daemon rebuilds it.
#include "base/timestamp.hpp"
#include "ruleset/builder.hpp"

namespace pixelwarden::ruleset {

bool Builder::entry_fields(const std::string& path, const std::string& list, std::string_view text,
                           int line, int column, bool skip, EntryLine& out, bool& ok) {
  auto report = [&](std::string message, int at) {
    if (skip) message += k_skipped_note;
    (skip ? m_out.warnings : m_out.errors)
        .push_back(base::Error{std::move(message), path, line, column + at - 1});
    ok = ok && skip;
    return false;
  };
  if (auto err = parse_entry_line(text, out)) return report(err->message, err->column);
  if (!out.has_fields()) return true;
  const auto column_of = [&](std::string_view v) {
    return static_cast<int>(v.data() - text.data()) + 1;
  };
  if (!out.first_seen.empty() && !base::parse_timestamp_ms(out.first_seen)) {
    return report("first_seen is not a date (RFC 3339): '" + std::string(out.first_seen) + "'",
                  column_of(out.first_seen));
  }
  if (out.valid_until.empty()) return true;
  const auto until = base::parse_timestamp_ms(out.valid_until);
  if (!until) {
    return report("valid_until is not a date (RFC 3339): '" + std::string(out.valid_until) + "'",
                  column_of(out.valid_until));
  }
  if (*until <= m_now_ms) {
    m_out.expired.push_back(ExpiredEntry{list, std::string(out.entry), *until, path, line});
    return false;
  }
  return true;
}

void Builder::note_provenance(CompiledList& l, std::optional<std::uint32_t> offset,
                              const EntryLine& fields) {
  if (!fields.has_fields()) return;
  if (!fields.valid_until.empty()) {
    // Counted even for a duplicate: the set must be rebuilt when any of its lines lapses.
    if (auto until = base::parse_timestamp_ms(fields.valid_until)) {
      auto& next = m_rs->settings().next_expiry_ms;
      if (!next || *until < *next) next = *until;
    }
  }
  if (offset && (!fields.source.empty() || !fields.campaign.empty() || !fields.tlp.empty())) {
    l.provenance.add(*offset, Provenance{fields.source, fields.campaign, fields.tlp});
  }
}

}  // namespace pixelwarden::ruleset

#pragma once
// The audit record: the parts of a verdict that its audit line reads (audit_line.hpp),
// packed into one flat run of bytes, so that a mail thread can hand a decided message
// to the audit log's writer thread without handing over the verdict's heap.
//
// Why: a verdict is dozens of separate allocations (every address, URL and rule id).
// Handed to the writer whole, each is read on the other CPU and freed there, into the
// mail thread's malloc arena, under that arena's lock; in a profile of the daemon at
// saturation, free() was the writer's largest cost, above all the JSON formatting. A
// record is built on the mail thread from memory it just wrote, appended to the queue
// with one copy, read by the writer front to back, and decoded into one verdict the
// writer reuses, whose strings keep their capacity from line to line.
//
// The format is private to one process (native byte order, no version): a record is
// never stored or sent elsewhere. decode() still checks every length against the
// record's end and fails rather than read past it.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/verdict.hpp"

namespace pixelwarden::daemon {

// Appends the verdict's record to out. Values are copied whole; audit_line() caps them.
void encode_audit_record(const engine::Verdict& v, std::string& out);

// Reads one record from the front of in into v (overwriting every field the record
// holds; the other fields are left as they were) and removes it from in. False when the
// bytes are not a whole record; v is then unspecified.
bool decode_audit_record(std::string_view& in, engine::Verdict& v);

}  // namespace pixelwarden::daemon

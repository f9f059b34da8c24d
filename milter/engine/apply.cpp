// apply_verdict: the message as the milter leaves it, computed offline. Header edits
// are applied in order as an MTA applies milter requests (change and remove address the
// N-th field of that name; add appends after the last field), then the new body.
#include <unordered_map>
#include <vector>

#include "base/text.hpp"
#include "engine/inspect.hpp"
#include "mime/header.hpp"

namespace pixelwarden::engine {
namespace {

struct Field {
  std::string name;
  std::string bytes;  // the whole field including its line ending
};

std::string line_ending_of(std::string_view message) {
  const std::size_t lf = message.find('\n');
  return (lf != std::string_view::npos && lf > 0 && message[lf - 1] == '\r') ? "\r\n" : "\n";
}

// Turns "a\n\tb" continuation joins into the message's own line ending.
std::string render_field(const std::string& name, const std::string& value,
                         const std::string& eol) {
  std::string out = name + ": ";
  for (char c : value) {
    if (c == '\n') {
      out += eol;
    } else if (c != '\r') {
      out.push_back(c);
    }
  }
  return out + eol;
}

// The fields of each name an edit addresses, in order, so that finding the N-th field
// of a name costs no scan of the whole header (a message may have 400k fields and as
// many edits). Removed fields leave their name's list; their bytes are cleared.
class FieldIndex {
 public:
  FieldIndex(const std::vector<Field>& fields, const std::vector<HeaderEdit>& edits) {
    for (const HeaderEdit& e : edits)
      m_by_name.emplace(base::to_lower(e.name), std::vector<std::size_t>{});
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (auto it = m_by_name.find(base::to_lower(fields[i].name)); it != m_by_name.end()) {
        it->second.push_back(i);
      }
    }
  }
  std::vector<std::size_t>& of(const std::string& name) { return m_by_name[base::to_lower(name)]; }

 private:
  std::unordered_map<std::string, std::vector<std::size_t>> m_by_name;
};

}  // namespace

std::string apply_verdict(std::string_view message, const Verdict& verdict) {
  if (verdict.final()) return {};
  const mime::MessageSplit split = mime::split_message(message);
  const std::string eol = line_ending_of(message);
  std::vector<Field> fields;
  std::size_t covered = 0;
  for (const auto& f : mime::parse_header_block(split.header_block)) {
    // Bytes between fields that are no field (an mbox "From " line, a line without a
    // colon) stay where they were, as a nameless entry no edit addresses.
    if (f.begin > covered)
      fields.push_back({"", std::string(split.header_block.substr(covered, f.begin - covered))});
    fields.push_back(
        {std::string(f.name), std::string(split.header_block.substr(f.begin, f.end - f.begin))});
    covered = f.end;
  }
  FieldIndex index(fields, verdict.header_edits);
  for (const HeaderEdit& e : verdict.header_edits) {
    std::vector<std::size_t>& named = index.of(e.name);
    const bool found = e.index >= 1 && static_cast<std::size_t>(e.index) <= named.size();
    if (e.kind == HeaderEdit::Kind::add || (!found && e.kind == HeaderEdit::Kind::change)) {
      named.push_back(fields.size());
      fields.push_back({e.name, render_field(e.name, e.value, eol)});
      continue;
    }
    if (!found) continue;
    const auto at = named.begin() + (e.index - 1);
    Field& f = fields[*at];
    if (e.kind == HeaderEdit::Kind::remove) {
      f.bytes.clear();
      named.erase(at);  // removals come last to first: the erase is at the end
    } else {
      f.bytes = render_field(f.name, e.value, eol);
    }
  }
  std::string out;
  out.reserve(message.size() + 256);
  for (const Field& f : fields) out += f.bytes;
  out.append(split.header_block.substr(covered));  // the blank line and anything unparsed
  out.append(
      split.body_offset > split.header_block.size()
          ? message.substr(split.header_block.size(), split.body_offset - split.header_block.size())
          : std::string_view());
  if (verdict.new_body) {
    out += *verdict.new_body;
  } else {
    out.append(split.body);
  }
  return out;
}

}  // namespace pixelwarden::engine

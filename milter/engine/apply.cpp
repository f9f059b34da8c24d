// apply_verdict: the message as the milter leaves it, computed offline. Header edits
// are applied in order as an MTA applies milter requests (change and remove address the
// N-th field of that name; add appends after the last field), then the new body.
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
std::string render_field(const std::string& name, const std::string& value, const std::string& eol) {
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

Field* nth_field(std::vector<Field>& fields, const std::string& name, int index) {
  int seen = 0;
  for (Field& f : fields) {
    if (base::iequals(f.name, name) && ++seen == index) return &f;
  }
  return nullptr;
}

}  // namespace

std::string apply_verdict(std::string_view message, const Verdict& verdict) {
  if (verdict.final()) return {};
  const mime::MessageSplit split = mime::split_message(message);
  const std::string eol = line_ending_of(message);
  std::vector<Field> fields;
  std::size_t covered = 0;
  for (const auto& f : mime::parse_header_block(split.header_block)) {
    fields.push_back({std::string(f.name), std::string(split.header_block.substr(f.begin, f.end - f.begin))});
    covered = f.end;
  }
  for (const HeaderEdit& e : verdict.header_edits) {
    if (e.kind == HeaderEdit::Kind::add) {
      fields.push_back({e.name, render_field(e.name, e.value, eol)});
      continue;
    }
    Field* f = nth_field(fields, e.name, e.index);
    if (f == nullptr) {
      if (e.kind == HeaderEdit::Kind::change) fields.push_back({e.name, render_field(e.name, e.value, eol)});
      continue;
    }
    if (e.kind == HeaderEdit::Kind::remove) {
      fields.erase(fields.begin() + (f - fields.data()));
    } else {
      f->bytes = render_field(f->name, e.value, eol);
    }
  }
  std::string out;
  out.reserve(message.size() + 256);
  for (const Field& f : fields) out += f.bytes;
  out.append(split.header_block.substr(covered));  // the blank line and anything unparsed
  out.append(split.body_offset > split.header_block.size()
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

#include "ruleset/entry_line.hpp"

#include <utility>

namespace pixelwarden::ruleset {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view* field(EntryLine& out, std::string_view key) {
  if (key == "source") return &out.source;
  if (key == "feed") return &out.feed;
  if (key == "first_seen") return &out.first_seen;
  if (key == "valid_until") return &out.valid_until;
  if (key == "tlp") return &out.tlp;
  if (key == "campaign") return &out.campaign;
  return nullptr;
}

}  // namespace

std::optional<EntryLineError> parse_entry_line(std::string_view line, EntryLine& out) {
  out = EntryLine{};
  std::size_t i = 0;
  while (i < line.size() && !is_space(line[i])) ++i;
  out.entry = line.substr(0, i);
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) break;
    if (line[i] == '#') {
      std::size_t c = i + 1;
      while (c < line.size() && is_space(line[c])) ++c;
      out.comment = line.substr(c);
      break;
    }
    const std::size_t key_at = i;
    while (i < line.size() && line[i] != '=' && !is_space(line[i])) ++i;
    const std::string_view key = line.substr(key_at, i - key_at);
    const int column = static_cast<int>(key_at) + 1;
    if (i == line.size() || line[i] != '=') {
      return EntryLineError{
          "expected key=value after the entry (a comment starts with '#'), got '" +
              std::string(key) + "'",
          column};
    }
    std::string_view* slot = field(out, key);
    if (slot == nullptr) {
      return EntryLineError{"unknown entry field '" + std::string(key) +
                                "' (source, feed, first_seen, valid_until, tlp, campaign)",
                            column};
    }
    ++i;
    std::string_view value;
    if (i < line.size() && line[i] == '"') {
      const std::size_t close = line.find('"', i + 1);
      if (close == std::string_view::npos) {
        return EntryLineError{"unterminated quoted value of '" + std::string(key) + "'", column};
      }
      value = line.substr(i + 1, close - i - 1);
      i = close + 1;
      if (i < line.size() && !is_space(line[i])) {
        return EntryLineError{"expected a space after the quoted value of '" + std::string(key) +
                                  "'",
                              static_cast<int>(i) + 1};
      }
    } else {
      const std::size_t at = i;
      while (i < line.size() && !is_space(line[i])) ++i;
      value = line.substr(at, i - at);
    }
    if (!slot->empty())
      return EntryLineError{"field '" + std::string(key) + "' given twice", column};
    if (value.empty()) return EntryLineError{"empty value for '" + std::string(key) + "'", column};
    *slot = value;
  }
  return std::nullopt;
}

std::string canonical_fields(const EntryLine& e) {
  std::string out;
  const std::pair<const char*, std::string_view> fields[] = {
      {"source", e.source},           {"feed", e.feed}, {"first_seen", e.first_seen},
      {"valid_until", e.valid_until}, {"tlp", e.tlp},   {"campaign", e.campaign}};
  for (const auto& [key, value] : fields) {
    if (value.empty()) continue;
    if (!out.empty()) out += ' ';
    out += key;
    out += '=';
    const bool quote = value.find_first_of(" \t") != std::string_view::npos;
    if (quote) out += '"';
    out += value;
    if (quote) out += '"';
  }
  return out;
}

}  // namespace pixelwarden::ruleset

#include "intel/stix.hpp"

#include <nlohmann/json.hpp>

#include <iterator>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/timestamp.hpp"
#include "intel/stix_pattern.hpp"

namespace pixelwarden::intel {
namespace {

using nlohmann::json;

// The TLP 1.0 marking definitions every STIX 2.1 producer refers to by id.
const std::unordered_map<std::string, std::string>& well_known_tlp() {
  static const std::unordered_map<std::string, std::string> k{
      {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "white"},
      {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"},
      {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber"},
      {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"},
  };
  return k;
}

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string type_of_id(const std::string& id) { return id.substr(0, id.find("--")); }

class Reader {
 public:
  explicit Reader(const ReadOptions& o) : m_options(o) {}

  void object(const json& o) {
    ++m_feed.objects;
    if (!o.is_object()) {
      m_feed.skipped.push_back({"", SkipReason::invalid, "an element of objects is not an object"});
      return;
    }
    const std::string type = str(o, "type");
    const std::string id = str(o, "id");
    try {
      if (type == "indicator") {
        indicator(o, id);
      } else if (type == "identity") {
        m_names[id] = str(o, "name");
      } else if (type == "campaign" || type == "intrusion-set" || type == "threat-actor") {
        m_names[id] = str(o, "name");
      } else if (type == "marking-definition") {
        marking(o, id);
      } else if (type == "relationship") {
        relationship(o);
      }
    } catch (const json::exception& e) {
      m_feed.skipped.push_back({id, SkipReason::invalid, e.what()});
    }
  }

  Feed finish() {
    for (auto& ind : m_feed.indicators) {
      auto camp = m_indicates.find(ind.id);
      if (camp != m_indicates.end()) {
        auto n = m_names.find(camp->second);
        ind.campaign = n != m_names.end() && !n->second.empty() ? n->second : camp->second;
      }
      if (ind.campaign.empty()) ind.campaign = m_options.default_campaign;
      if (!ind.source.empty()) {
        auto n = m_names.find(ind.source);
        if (n != m_names.end() && !n->second.empty()) ind.source = n->second;
      } else {
        ind.source = m_options.default_source;
      }
      ind.tlp = resolve_tlp(ind.tlp);
    }
    return std::move(m_feed);
  }

 private:
  void indicator(const json& o, const std::string& id) {
    if (id.empty()) {
      m_feed.skipped.push_back({"", SkipReason::invalid, "indicator without an id"});
      return;
    }
    if (o.value("revoked", false)) {
      m_feed.skipped.push_back({id, SkipReason::revoked, "revoked"});
      return;
    }
    const std::string pattern_type = o.contains("pattern_type") ? str(o, "pattern_type") : "stix";
    if (pattern_type != "stix") {
      m_feed.skipped.push_back({id, SkipReason::unsupported, "pattern_type " + pattern_type});
      return;
    }
    const std::string pattern = str(o, "pattern");
    if (pattern.empty()) {
      m_feed.skipped.push_back({id, SkipReason::invalid, "no pattern"});
      return;
    }
    Indicator ind;
    ind.id = id;
    ind.first_seen = str(o, "valid_from");
    ind.valid_until = str(o, "valid_until");
    if (!ind.first_seen.empty() && !base::parse_timestamp_ms(ind.first_seen)) {
      m_feed.skipped.push_back({id, SkipReason::invalid, "valid_from is not a timestamp"});
      return;
    }
    if (!ind.valid_until.empty()) {
      auto until = base::parse_timestamp_ms(ind.valid_until);
      if (!until) {
        m_feed.skipped.push_back({id, SkipReason::invalid, "valid_until is not a timestamp"});
        return;
      }
      if (*until <= m_options.now_ms) {
        m_feed.skipped.push_back({id, SkipReason::expired, "valid_until " + ind.valid_until});
        return;
      }
    }
    PatternResult r = parse_stix_pattern(pattern);
    if (auto* u = std::get_if<PatternUnsupported>(&r)) {
      m_feed.skipped.push_back({id, SkipReason::unsupported, u->detail});
      return;
    }
    if (auto* bad = std::get_if<PatternInvalid>(&r)) {
      m_feed.skipped.push_back({id, SkipReason::invalid, "pattern: " + bad->detail});
      return;
    }
    ind.values = std::move(std::get<std::vector<Observable>>(r));
    ind.source = str(o, "created_by_ref");
    if (auto m = o.find("object_marking_refs"); m != o.end() && m->is_array()) {
      for (const auto& ref : *m) {
        if (ref.is_string()) ind.tlp += ref.get<std::string>() + " ";  // resolved in finish()
      }
    }
    ind.comment = comment(o);
    m_feed.indicators.push_back(std::move(ind));
  }

  static std::string comment(const json& o) {
    std::string c = str(o, "name");
    auto add = [&c](const std::string& label, const std::string& items) {
      if (items.empty()) return;
      if (!c.empty()) c += "; ";
      c += label + items;
    };
    std::string labels;
    if (auto l = o.find("labels"); l != o.end() && l->is_array()) {
      for (const auto& x : *l) {
        if (x.is_string()) labels += (labels.empty() ? "" : ",") + x.get<std::string>();
      }
    }
    add("labels: ", labels);
    std::string phases;
    if (auto k = o.find("kill_chain_phases"); k != o.end() && k->is_array()) {
      for (const auto& p : *k) {
        if (!p.is_object()) continue;
        phases += (phases.empty() ? "" : ",") + str(p, "kill_chain_name") + ":" + str(p, "phase_name");
      }
    }
    add("kill_chain: ", phases);
    return c;
  }

  void marking(const json& o, const std::string& id) {
    std::string tlp;
    const std::string name = str(o, "name");
    if (lower(name).rfind("tlp:", 0) == 0) tlp = lower(name.substr(4));
    if (tlp.empty() && str(o, "definition_type") == "tlp") {
      if (auto d = o.find("definition"); d != o.end() && d->is_object()) tlp = lower(str(*d, "tlp"));
    }
    if (!tlp.empty()) m_tlp[id] = tlp;
  }

  void relationship(const json& o) {
    if (str(o, "relationship_type") != "indicates") return;
    const std::string from = str(o, "source_ref");
    const std::string to = str(o, "target_ref");
    if (type_of_id(from) != "indicator") return;
    const std::string kind = type_of_id(to);
    if (kind != "campaign" && kind != "intrusion-set" && kind != "threat-actor") return;
    auto [it, inserted] = m_indicates.try_emplace(from, to);
    if (!inserted && kind == "campaign" && type_of_id(it->second) != "campaign") it->second = to;
  }

  std::string resolve_tlp(const std::string& refs) const {
    std::size_t at = 0;
    while (at < refs.size()) {
      const std::size_t sp = refs.find(' ', at);
      const std::string ref = refs.substr(at, sp - at);
      at = sp + 1;
      if (auto w = well_known_tlp().find(ref); w != well_known_tlp().end()) return w->second;
      if (auto m = m_tlp.find(ref); m != m_tlp.end()) return m->second;
    }
    return m_options.default_tlp;
  }

  const ReadOptions& m_options;
  Feed m_feed;
  std::unordered_map<std::string, std::string> m_names;      // identity/campaign id -> name
  std::unordered_map<std::string, std::string> m_tlp;        // marking id -> tlp
  std::unordered_map<std::string, std::string> m_indicates;  // indicator id -> campaign id
};

// An input iterator over an istream through a 1 MiB buffer: nlohmann-json's own stream
// adapter calls sbumpc() per byte, which was most of a million-indicator import.
class BufferedBytes {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  BufferedBytes() = default;  // the end
  explicit BufferedBytes(std::istream& in) : m_state(std::make_shared<State>(in)) { m_state->fill(); }

  reference operator*() const { return m_state->buf[m_state->at]; }
  BufferedBytes& operator++() {
    if (++m_state->at == m_state->len) m_state->fill();
    return *this;
  }
  bool operator==(const BufferedBytes& o) const { return done() == o.done(); }
  bool operator!=(const BufferedBytes& o) const { return !(*this == o); }

 private:
  struct State {
    explicit State(std::istream& s) : in(s), buf(1 << 20) {}
    void fill() {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      len = static_cast<std::size_t>(in.gcount());
      at = 0;
    }
    std::istream& in;
    std::vector<char> buf;
    std::size_t len = 0;
    std::size_t at = 0;
  };
  bool done() const { return !m_state || m_state->len == 0; }

  std::shared_ptr<State> m_state;
};

}  // namespace

base::Result<Feed> read_stix(std::istream& in, const ReadOptions& options) {
  Reader reader(options);
  bool in_objects = false;
  bool saw_type = false;
  std::string bundle_type;
  std::string last_key;
  // Objects of the top-level "objects" array are handed to the reader as they end and
  // then discarded, so only one object is ever held as a tree.
  json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::key:
        if (depth == 1) last_key = parsed.get<std::string>();
        return true;
      case json::parse_event_t::array_start:
        if (depth == 1) in_objects = last_key == "objects";
        return true;
      case json::parse_event_t::array_end:
        if (depth == 1) in_objects = false;
        return true;
      case json::parse_event_t::value:
        if (depth == 1 && last_key == "type" && parsed.is_string()) {
          saw_type = true;
          bundle_type = parsed.get<std::string>();
        }
        if (depth == 2 && in_objects) {  // a scalar where an object belongs
          reader.object(parsed);
          return false;
        }
        return true;
      case json::parse_event_t::object_end:
        if (depth == 2 && in_objects) {
          reader.object(parsed);
          return false;
        }
        return true;
      default:
        return true;
    }
  };
  json top;
  try {
    top = json::parse(BufferedBytes(in), BufferedBytes(), cb);
  } catch (const json::parse_error& e) {
    return base::plain_error(std::string("not JSON: ") + e.what());
  }
  if (!top.is_object() || !saw_type || bundle_type != "bundle") {
    return base::plain_error("not a STIX 2.1 bundle (expected {\"type\": \"bundle\", \"objects\": [...]})");
  }
  return reader.finish();
}

}  // namespace pixelwarden::intel

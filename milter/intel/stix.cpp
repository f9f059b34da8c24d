#include "intel/stix.hpp"

#include <simdjson.h>

#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/timestamp.hpp"
#include "intel/json_frames.hpp"
#include "intel/stix_pattern.hpp"

namespace pixelwarden::intel {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;

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

std::string str(element o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

bool has(element o, std::string_view key) { return o[key].error() == simdjson::SUCCESS; }

// The strings of an array member, joined with `sep` (other elements are ignored).
std::string joined(element o, std::string_view key, const char* sep) {
  std::string out;
  array a;
  if (o[key].get_array().get(a) != simdjson::SUCCESS) return out;
  for (element x : a) {
    std::string_view v;
    if (x.get_string().get(v) != simdjson::SUCCESS) continue;
    if (!out.empty()) out += sep;
    out += v;
  }
  return out;
}

std::string type_of_id(const std::string& id) { return id.substr(0, id.find("--")); }

class Reader {
 public:
  explicit Reader(const ReadOptions& o) : m_options(o) {}

  void object(element o) {
    ++m_feed.objects;
    if (!o.is_object()) {
      m_feed.skipped.push_back({"", SkipReason::invalid, "an element of objects is not an object"});
      return;
    }
    const std::string type = str(o, "type");
    const std::string id = str(o, "id");
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
  void indicator(element o, const std::string& id) {
    if (id.empty()) {
      m_feed.skipped.push_back({"", SkipReason::invalid, "indicator without an id"});
      return;
    }
    if (has(o, "revoked")) {
      bool revoked = false;
      if (o["revoked"].get_bool().get(revoked) != simdjson::SUCCESS) {
        m_feed.skipped.push_back({id, SkipReason::invalid, "revoked is not a boolean"});
        return;
      }
      if (revoked) {
        m_feed.skipped.push_back({id, SkipReason::revoked, "revoked"});
        return;
      }
    }
    const std::string pattern_type = has(o, "pattern_type") ? str(o, "pattern_type") : "stix";
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
    ind.tlp = joined(o, "object_marking_refs", " ");  // resolved in finish()
    ind.comment = comment(o);
    m_feed.indicators.push_back(std::move(ind));
  }

  static std::string comment(element o) {
    std::string c = str(o, "name");
    auto add = [&c](const std::string& label, const std::string& items) {
      if (items.empty()) return;
      if (!c.empty()) c += "; ";
      c += label + items;
    };
    add("labels: ", joined(o, "labels", ","));
    std::string phases;
    array k;
    if (o["kill_chain_phases"].get_array().get(k) == simdjson::SUCCESS) {
      for (element p : k) {
        if (!p.is_object()) continue;
        phases +=
            (phases.empty() ? "" : ",") + str(p, "kill_chain_name") + ":" + str(p, "phase_name");
      }
    }
    add("kill_chain: ", phases);
    return c;
  }

  void marking(element o, const std::string& id) {
    std::string tlp;
    const std::string name = str(o, "name");
    if (lower(name).rfind("tlp:", 0) == 0) tlp = lower(name.substr(4));
    if (tlp.empty() && str(o, "definition_type") == "tlp") {
      element d;
      if (o["definition"].get(d) == simdjson::SUCCESS && d.is_object()) tlp = lower(str(d, "tlp"));
    }
    if (!tlp.empty()) m_tlp[id] = tlp;
  }

  void relationship(element o) {
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
      std::size_t sp = refs.find(' ', at);
      if (sp == std::string::npos) sp = refs.size();
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

}  // namespace

base::Result<Feed> read_stix(std::istream& in, const ReadOptions& options) {
  Reader reader(options);
  // The objects are framed one at a time and each parsed on its own (the parser reuses
  // its memory); the rest of the bundle is parsed once at the end.
  JsonFrames frames(in, "objects");
  simdjson::dom::parser parser;
  std::string_view raw;
  while (frames.next(raw)) {
    element o;
    if (auto err = parser.parse(raw.data(), raw.size()).get(o)) {
      return base::plain_error(std::string("not JSON: ") + simdjson::error_message(err) +
                               " in the object at byte " + std::to_string(frames.element_offset()));
    }
    reader.object(o);
  }
  if (frames.error()) return base::plain_error("not JSON: " + *frames.error());
  element top;
  std::string_view type;
  if (auto err = parser.parse(frames.skeleton()).get(top)) {
    return base::plain_error(std::string("not JSON: ") + simdjson::error_message(err));
  }
  if (!top.is_object() || top["type"].get_string().get(type) != simdjson::SUCCESS ||
      type != "bundle") {
    return base::plain_error(
        "not a STIX 2.1 bundle (expected {\"type\": \"bundle\", \"objects\": [...]})");
  }
  return reader.finish();
}

}  // namespace pixelwarden::intel

#include "intel/misp.hpp"

#include <nlohmann/json.hpp>

#include "base/timestamp.hpp"

namespace pixelwarden::intel {
namespace {

using nlohmann::json;

std::string str(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return {};
}

// MISP writes booleans as JSON booleans, and in older exports as "1"/"0" or 1/0.
bool truthy(const json& o, const char* key, bool absent) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return absent;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  if (it->is_string()) return it->get<std::string>() == "1" || it->get<std::string>() == "true";
  return absent;
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

struct Tags {
  std::string tlp;
  std::string campaign;
};

Tags tags_of(const json& o) {
  Tags t;
  auto it = o.find("Tag");
  if (it == o.end() || !it->is_array()) return t;
  for (const auto& tag : *it) {
    if (!tag.is_object()) continue;
    const std::string name = str(tag, "name");
    std::string low = name;
    for (char& c : low) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (low.rfind("tlp:", 0) == 0 && t.tlp.empty()) t.tlp = low.substr(4);
    for (const char* prefix : {"misp-galaxy:campaign=", "misp-galaxy:threat-actor="}) {
      const std::string p(prefix);
      if (name.rfind(p, 0) == 0 && t.campaign.empty()) t.campaign = unquote(name.substr(p.size()));
    }
  }
  return t;
}

class EventReader {
 public:
  EventReader(const ReadOptions& o, Feed& feed) : m_options(o), m_feed(feed) {}

  void event(const json& e) {
    const Tags tags = tags_of(e);
    m_event_tlp = tags.tlp.empty() ? m_options.default_tlp : tags.tlp;
    m_campaign = !tags.campaign.empty()    ? tags.campaign
                 : !str(e, "info").empty() ? str(e, "info")
                                           : m_options.default_campaign;
    m_source = m_options.default_source;
    for (const char* org : {"Orgc", "Org"}) {
      auto it = e.find(org);
      if (m_source.empty() && it != e.end() && it->is_object()) m_source = str(*it, "name");
    }
    m_date = str(e, "date");
    attributes(e);
    if (auto objs = e.find("Object"); objs != e.end() && objs->is_array()) {
      for (const auto& obj : *objs) {
        if (obj.is_object()) attributes(obj);
      }
    }
  }

 private:
  void attributes(const json& holder) {
    auto it = holder.find("Attribute");
    if (it == holder.end() || !it->is_array()) return;
    for (const auto& a : *it) {
      if (a.is_object()) attribute(a);
    }
  }

  void attribute(const json& a) {
    ++m_feed.objects;
    const std::string id = !str(a, "uuid").empty() ? str(a, "uuid") : str(a, "id");
    const std::string type = str(a, "type");
    std::string value = str(a, "value");
    if (truthy(a, "deleted", false)) {
      m_feed.skipped.push_back({id, SkipReason::revoked, "deleted " + type});
      return;
    }
    std::optional<ValueKind> kind;
    if (type == "domain" || type == "hostname") {
      kind = ValueKind::domain;
    } else if (type == "domain|ip") {
      kind = ValueKind::domain;
      value = value.substr(0, value.find('|'));
    } else if (type == "url") {
      kind = ValueKind::url;
    } else if (type == "email-src") {
      kind = ValueKind::email;
    } else if (type == "email-src-display-name") {
      kind = ValueKind::display_name;
    }
    if (!kind) {
      m_feed.skipped.push_back({id, SkipReason::unsupported, "attribute type " + type});
      return;
    }
    if (!truthy(a, "to_ids", true)) {
      m_feed.skipped.push_back({id, SkipReason::not_for_detection, type + " with to_ids false"});
      return;
    }
    if (value.empty()) {
      m_feed.skipped.push_back({id, SkipReason::invalid, type + " without a value"});
      return;
    }
    Indicator ind;
    ind.id = id;
    ind.values.push_back(Observable{*kind, value});
    ind.source = m_source;
    ind.campaign = m_campaign;
    const Tags tags = tags_of(a);
    ind.tlp = tags.tlp.empty() ? m_event_tlp : tags.tlp;
    if (!tags.campaign.empty()) ind.campaign = tags.campaign;
    ind.first_seen = str(a, "first_seen");
    if (ind.first_seen.empty()) {
      const std::string ts = str(a, "timestamp");
      if (!ts.empty() && ts.find_first_not_of("0123456789") == std::string::npos) {
        ind.first_seen = base::format_timestamp_ms(std::stoll(ts) * 1000);
      } else {
        ind.first_seen = m_date;
      }
    }
    if (!ind.first_seen.empty() && !base::parse_timestamp_ms(ind.first_seen))
      ind.first_seen.clear();
    const std::string category = str(a, "category");
    ind.comment = str(a, "comment");
    if (!category.empty())
      ind.comment += (ind.comment.empty() ? "" : "; ") + ("category: " + category);
    m_feed.indicators.push_back(std::move(ind));
  }

  const ReadOptions& m_options;
  Feed& m_feed;
  std::string m_event_tlp;
  std::string m_campaign;
  std::string m_source;
  std::string m_date;
};

}  // namespace

base::Result<Feed> read_misp(std::istream& in, const ReadOptions& options) {
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    return base::plain_error(std::string("not JSON: ") + e.what());
  }
  std::vector<const json*> events;
  auto take = [&events](const json& x) {
    if (x.is_object() && x.contains("Event") && x["Event"].is_object())
      events.push_back(&x["Event"]);
  };
  if (doc.is_object() && doc.contains("response") && doc["response"].is_array()) {
    for (const auto& x : doc["response"]) take(x);
  } else if (doc.is_array()) {
    for (const auto& x : doc) take(x);
  } else {
    take(doc);
  }
  if (events.empty()) {
    return base::plain_error("not a MISP event (expected {\"Event\": {...}} or a list of them)");
  }
  Feed feed;
  EventReader reader(options, feed);
  try {
    for (const json* e : events) reader.event(*e);
  } catch (const json::exception& e) {
    return base::plain_error(std::string("malformed MISP event: ") + e.what());
  }
  return feed;
}

}  // namespace pixelwarden::intel

#pragma once
// The compiled ruleset's public model: the enums and the plain values that rules
// carry, shared by the compiler (which fills them) and the engine (which reads them).
// Everything here is immutable once a Ruleset is published.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pixelwarden::ruleset {

enum class Mode { enforce, monitor };

enum class TrackerAction { neutralize, strip, proxy, keep };

// Message (lure) actions, ordered from weakest to strongest: a larger value wins.
enum class LureAction { monitor, tag, defang, quarantine, discard, tempfail, reject };

// Where a lure rule looks for its evidence.
enum class Where {
  envelope_from,
  header_from,
  reply_to,
  sender,
  return_path,
  links,
  resources,
  helo,
  message_id
};

// What happens to a message the engine could not inspect in full (malformed structure,
// too large, header section past a cap). neutralize: the parsed parts are rewritten with
// every remote resource neutralized and the message is quarantined.
enum class MalformedPolicy { pass, tag, quarantine, neutralize };
enum class ReadReceipts { keep, strip };
enum class RemoteContentAction { keep, proxy, neutralize };
enum class HeaderOn { flagged, all };

const char* to_string(Mode m);
const char* to_string(TrackerAction a);
const char* to_string(LureAction a);
const char* to_string(Where w);

struct Meta {
  std::string name;
  std::string version;
  std::string sha256;  // over the entry file and every included and list file, in load order
};

struct ProxyConfig {
  std::string format = "camo";
  std::string base_url;  // without trailing slash
  std::string key;       // contents of key_file, trailing newline removed
};

struct RemoteContent {
  RemoteContentAction action = RemoteContentAction::keep;
  std::optional<ProxyConfig> proxy;
};

struct Banner {
  std::string html;  // may contain {count}
  std::string text;
};

struct Report {
  std::string header = "X-Pixelwarden";
  HeaderOn header_on = HeaderOn::flagged;
  std::string authserv_id;
  std::string subject_prefix = "[SUSPECTED LURE] ";
  std::optional<Banner> banner;
};

// One `tests:` entry of the ruleset, paths already resolved against the file that named them.
struct RuleTest {
  std::string name;
  std::string message_path;
  std::string envelope_from;               // empty: taken from the message
  std::vector<std::string> envelope_rcpt;  // empty: taken from the message
  std::optional<std::string> expect_action;
  std::optional<std::vector<std::string>> expect_rules;
  std::optional<int> expect_trackers;
  std::vector<std::string> expect_absent;
  std::vector<std::string> expect_present;  // extension: strings that must appear
  std::string file;                         // where the test was written, for messages
  int line = 0;
};

}  // namespace pixelwarden::ruleset

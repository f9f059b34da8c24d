#pragma once
// Ruleset: the compiled, immutable form of an analyst's YAML ruleset. Built off the
// mail path by ruleset::load_ruleset (loader -> validator -> compiler), shared by
// every mail thread through a shared_ptr<const Ruleset>, never mutated afterwards.
// Matching is lock-free; Hyperscan scratch space is per thread and made lazily when a
// thread first scans with a new Ruleset.
//
// The engine hands it neutral facts (strings, flags) and gets rule matches back; the
// ruleset knows nothing about MIME, HTML or the milter.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error_list.hpp"
#include "base/result.hpp"
#include "ruleset/model.hpp"

namespace pixelwarden::ruleset {

// What a tracker rule sees about one remote resource.
struct ResourceFacts {
  std::string_view url;     // absolute URL as a client would fetch it
  std::string_view host;    // normalized: lowercase, IDNA A-label, no port, no trailing dot
  std::string_view vector;  // one of the closed vector set (ruleset.md)
  bool invisible = false;   // the html layer's built-in `invisible` heuristic
};

// Per-message precomputation for `recipient_token`: every form (clear, base64 at the
// three alignments, hex md5/sha1/sha256) of every envelope recipient. The forms are
// made on the first found_in(): a message without remote resources, or whose resources
// all match a rule listed before the recipient_token rule, never pays for the three
// digests. One message's object, used by one thread.
class RecipientTokens {
 public:
  RecipientTokens() = default;
  explicit RecipientTokens(const std::vector<std::string>& recipients);
  // True when the URL (percent-decoded query, path and fragment) carries one of them.
  bool found_in(std::string_view url) const;
  // The same, each form searched for on its own: for the tests that check the one-pass
  // search finds what this finds.
  bool found_in_without_index(std::string_view url) const;
  bool empty() const { return m_recipients.empty(); }

 private:
  // The forms of one or more recipients: needles are lower-cased where the form is
  // case-insensitive, exact ones (base64) are case-sensitive. A URL is searched for all of
  // them in one pass: each form of k_prefix bytes or more is found by its first k_prefix
  // bytes, through a bit per hash of them (`filter`) and the forms sorted by them
  // (`by_prefix`); shorter ones (none from an address of k_prefix or more characters) are
  // searched for one by one.
  static constexpr std::size_t k_prefix = 4;
  struct Form {
    std::uint32_t prefix;  // the first k_prefix bytes, as loaded from memory
    bool exact;            // in `exact`, else in `needles`
    std::uint32_t index;   // into that vector
  };
  struct Forms {
    std::vector<std::string> needles;
    std::vector<std::string> exact;
    std::array<std::uint64_t, 64> filter{};
    std::vector<Form> by_prefix;
    std::vector<std::string> short_needles, short_exact;
    void index();
    // A form starting in `hay`: `exact` ones when exact_too, lower-cased ones when lower_too.
    bool any_in(std::string_view hay, bool exact_too, bool lower_too) const;
  };
  struct FormsCache;  // one recipient's forms, shared by every thread (recipient_tokens.cpp)
  const Forms& forms() const;

  std::vector<std::string> m_recipients;  // as given, without the blank ones
  // Made at the first lookup. One recipient's forms come from a process-wide cache (a
  // mailbox's messages, a scan's store, a gateway's mail are mostly to a few addresses);
  // several recipients' are merged here.
  mutable std::shared_ptr<const Forms> m_forms;
};

struct TrackerMatch {
  std::string rule;  // rule id
  TrackerAction action = TrackerAction::keep;
  bool monitor = false;  // the rule (or the ruleset) is in monitor mode
  std::string vendor;    // from a vendor list; empty otherwise
};

// What the recipient groups (`recipient_groups:`) ask for one message: the strictest
// settings of every group with an envelope recipient in it. A milter answers once per
// message, not per recipient, so a message to a group member and to others is handled
// as the group asks for all of them.
struct GroupPolicy {
  std::string group = "default";    // the first declared group with a recipient, else default
  std::vector<std::string> groups;  // every group with a recipient, in declaration order
  std::optional<RemoteContentAction> remote_content;  // stricter than the ruleset's, when set
  std::optional<std::size_t> lookalike_min_label;     // edit distance / subdomain label floor
  // A lure hit's action for this message, by the rule's action (identity when unset).
  std::vector<LureAction> lure_actions;  // indexed by LureAction; empty: identity
  LureAction lure_action(LureAction a) const {
    const auto i = static_cast<std::size_t>(a);
    return i < lure_actions.size() ? lure_actions[i] : a;
  }
};

// Evidence for lure rules; the engine fills what it knows so far at each stage.
struct LureEvidence {
  struct Address {
    std::string domain;        // normalized as hosts are; empty when none
    std::string display_name;  // decoded (RFC 2047), only used for header_from
  };
  std::optional<std::string> envelope_from_domain;
  std::optional<std::string> helo;
  std::vector<Address> header_from;
  std::vector<Address> reply_to;
  std::vector<Address> sender;
  std::vector<Address> return_path;
  std::optional<std::string> message_id_domain;
  std::vector<std::string> link_hosts;      // normalized hosts of links
  std::vector<std::string> resource_hosts;  // normalized hosts of remote resources
  bool headers_known = false;               // header_from etc. are final
  bool body_known = false;                  // links and resources are final
  const GroupPolicy* group = nullptr;       // the recipients' group settings, if any
};

struct LureHit {
  std::string rule;
  LureAction action = LureAction::monitor;
  bool monitor = false;
  std::string reply;  // the rule's `reply:` text, or empty
  std::string where;  // Where as text, or "display_name"
  std::string value;  // the domain or name that matched
  // Provenance of the list entry that matched (list files, see entry_line.hpp); empty
  // when the entry carries none.
  std::string source = {};
  std::string campaign = {};
};

// What allow rules know about a message.
struct AllowEvidence {
  bool authenticated = false;             // {auth_authen} present
  std::vector<std::string> from_domains;  // header From domains (normalized)
  std::optional<std::string> envelope_from_domain;
  bool dmarc_pass = false;  // Authentication-Results of report.authserv_id says dmarc=pass
  bool headers_known = false;
};

struct AllowDecision {
  bool skip_lures = false;
  bool skip_trackers = false;
  std::vector<std::string> rules;          // ids of the allow rules that matched
  std::vector<std::string> monitor_rules;  // matched, but dry-run (`mode: monitor`): no skip
};

// A compiled ruleset as its users see it. What it states (the entry file's settings and
// what the build counted) is plain data, the same for every implementation; only the
// matching the engine asks for is virtual, so a test fake overrides the five matchers and
// fills the data it needs.
class Ruleset {
 public:
  // Counts for metrics and `rules check`.
  struct Sizes {
    std::size_t trackers = 0;
    std::size_t lures = 0;
    std::size_t allow = 0;
    std::size_t list_entries = 0;
    double compile_seconds = 0;
  };

  struct Settings {
    Meta meta;
    Mode mode = Mode::enforce;
    RemoteContent remote_content;
    ReadReceipts read_receipts = ReadReceipts::keep;
    MalformedPolicy malformed_mime = MalformedPolicy::neutralize;  // fail closed when unset
    Report report;
    std::vector<RuleTest> tests;
    Sizes sizes;
    // The earliest `valid_until` of a list entry in force: the ruleset must be rebuilt
    // then, so that entry stops matching (the daemon schedules a reload). Milliseconds
    // since the Unix epoch; nothing when no entry expires.
    std::optional<std::int64_t> next_expiry_ms;
  };

  virtual ~Ruleset() = default;
  Ruleset(const Ruleset&) = delete;
  Ruleset& operator=(const Ruleset&) = delete;

  const Meta& meta() const { return m_settings.meta; }
  Mode mode() const { return m_settings.mode; }
  const RemoteContent& remote_content() const { return m_settings.remote_content; }
  ReadReceipts read_receipts() const { return m_settings.read_receipts; }
  MalformedPolicy malformed_mime() const { return m_settings.malformed_mime; }
  const Report& report() const { return m_settings.report; }
  const std::vector<RuleTest>& tests() const { return m_settings.tests; }
  const Sizes& sizes() const { return m_settings.sizes; }
  std::optional<std::int64_t> next_expiry_ms() const { return m_settings.next_expiry_ms; }

  // First tracker rule (file order) whose every `match:` key holds, or nothing.
  virtual std::optional<TrackerMatch> match_tracker(const ResourceFacts& resource,
                                                    const RecipientTokens& tokens) const = 0;

  // Every lure rule that matches the evidence, one hit per `where` it matched in (its
  // first value there). A rule whose evidence is not yet known (e.g. `where: [links]`
  // before the body) does not match yet; call again later.
  virtual std::vector<LureHit> match_lures(const LureEvidence& evidence) const = 0;

  // True when some allow rule reads the headers, so its decision waits for them.
  virtual bool allow_depends_on_headers() const = 0;
  virtual AllowDecision match_allow(const AllowEvidence& evidence) const = 0;

  // The recipient groups' policy for a message to these envelope recipients (addresses
  // without angle brackets); group "default" with no settings when none is in a group.
  virtual GroupPolicy recipient_group(const std::vector<std::string>& rcpt) const = 0;

 protected:
  Ruleset() = default;
  explicit Ruleset(Settings settings) : m_settings(std::move(settings)) {}

  // Filled before the ruleset is published (CompiledRuleset's builder fills it in
  // place), never changed afterwards.
  Settings m_settings;
};

struct LoadOptions {
  // Keep every named list's entries for ruleset::inventory() (diffs); off for the daemon.
  bool keep_entries = false;
  // "Now" for entry expiry, in ms since the epoch; nothing: the system clock.
  std::optional<std::int64_t> now_ms;
  // Each file is read once into memory, its size, mtime and inode taken from the open
  // file. After loading, and after waiting this long, every file is looked at again: if
  // any changed (a writer rewriting it in place), the result is `unstable`, with an
  // error and no ruleset, so a half-written list is never published. 0: look at once.
  std::chrono::milliseconds settle{0};
  // Warnings count as errors (`rules check --strict`, the daemon's reload.strict): each
  // is moved to the errors, marked "(warning; strict)", and no ruleset is returned.
  bool strict = false;
};

// A list entry left out because its `valid_until` has passed (`rules check` lists them).
struct ExpiredEntry {
  std::string list;
  std::string entry;
  std::int64_t valid_until_ms = 0;
  std::string file;
  int line = 0;
};

// A file as the loader read it.
struct FileStamp {
  std::string path;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

struct LoadResult {
  std::shared_ptr<const Ruleset> ruleset;  // null when errors is not empty
  // The first errors of the run (FILE:LINE:COL) and a count of all: a list of a million
  // bad lines stores a hundred. total() counts every one.
  base::ErrorList errors;
  base::ErrorList warnings;
  std::vector<std::string> files;     // every file read, in load order (for watching)
  std::vector<ExpiredEntry> expired;  // entries past their valid_until, left out
  std::vector<FileStamp> stamps;      // each file as it was read
  bool unstable = false;              // a file changed while loading: try again later
};

// Reads, validates and compiles the ruleset whose entry file is `path`.
LoadResult load_ruleset(const std::string& path, const LoadOptions& options = {});

}  // namespace pixelwarden::ruleset

// `pixelwarden scan`: the retro-hunt. Finds the mail under the given paths, runs the
// same engine as the milter over every message, and reports those a lure or tracker
// rule matched (scan_store, scan_runner, scan_output, scan_progress do the work).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <thread>
#include <unistd.h>

#include "base/suggest.hpp"
#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "cli/hunt_prefilter.hpp"
#include "cli/imap_url.hpp"
#include "cli/imap_wire.hpp"
#include "cli/scan_date.hpp"
#include "cli/scan_imap.hpp"
#include "cli/scan_moves.hpp"
#include "cli/scan_runner.hpp"
#include "ruleset/diff.hpp"
#include "ruleset/inventory.hpp"

namespace pixelwarden::cli {
namespace {

constexpr const char* k_scan_usage =
    "usage: pixelwarden scan [--config FILE] [--rules FILE] [--format table|json|csv|doveadm]\n"
    "                        [--jobs N] [--rule ID]... [--since DATE] [--until DATE] [--all]\n"
    "                        [--new-since OLD_RULES] [--shard I/N] [--no-prefilter]\n"
    "                        [--move-to FOLDER [--apply [--journal FILE]]]\n"
    "                        [--password-file FILE] PATH...\n"
    "       pixelwarden scan --undo JOURNAL\n"
    "Runs the rules over mail already delivered and reports every message a lure or tracker\n"
    "rule matched. Read-only unless --move-to ... --apply is given.\n"
    "\n"
    "PATH: imap://USER@HOST[:PORT]/FOLDER or imaps://... (no FOLDER: every folder), read\n"
    "  with EXAMINE and BODY.PEEK[] (nothing changes, no \\Seen); the password comes from\n"
    "  --password-file FILE or PIXELWARDEN_IMAP_PASSWORD, never the command line. Or:\n"
    "  a Maildir (cur/ and new/, Maildir++ .Sub/ folders; tmp/ is skipped), an mbox file\n"
    "  (plain or gzip; it must start with a \"From \" line), an .eml file, or a directory of\n"
    "  any of these, walked recursively (files that are no mail are skipped and counted).\n"
    "  mbox: a \"From \" line at the start or after an empty line separates messages; one\n"
    "  '>' is removed from lines matching ^>+From  (mboxrd). An unescaped body line \"From \"\n"
    "  after an empty line (mboxo) cannot be told from a separator and splits the message.\n"
    "--rules F   the ruleset entry file (default: from --config, else the installed default)\n"
    "--config F  daemon config: its rules.path and mime/milter limits apply (--rules wins)\n"
    "--format    table (default on a terminal), json (JSON Lines, default otherwise), csv,\n"
    "            doveadm (the doveadm move/expunge commands for Dovecot's own tool), or\n"
    "            (one row per finding: path,mbox_offset,folder,uid,message_id,date,from,to,\n"
    "            subject,rule,kind,action_today,where,indicator,decision_today). mbox_offset:\n"
    "            byte offset of the message's \"From \" line in the (uncompressed) mbox.\n"
    "            Nothing is shortened in json and csv; the table cuts display names\n"
    "            before addresses and never cuts the indicator or the location.\n"
    "            \"action today\": what the rule would do to such a message now.\n"
    "--jobs N    files scanned in parallel (default: the number of CPUs); the output order\n"
    "            is the input order whatever N is\n"
    "--rule ID   report only messages this rule matched (repeatable); an id the ruleset\n"
    "            does not have is a usage error (exit 2) that names the closest ids\n"
    "--all       report every message, matched or not (with --rule: only those matched)\n"
    "--since D   only messages whose Date header is at or after D; --until D: before D.\n"
    "            D is an ISO 8601 date or datetime (2021-01-01, 2021-01-01T12:00:00+02:00,\n"
    "            UTC without a zone); a date alone for --until includes that whole day.\n"
    "            Messages without a parsable Date header are scanned and reported anyway\n"
    "            (a forged Date must not hide a lure) and counted as undated.\n"
    "--move-to F move the matched messages of a Maildir into its Maildir++ folder F (created\n"
    "            when missing): same file name (flags kept), one rename on the same\n"
    "            filesystem. Without --apply, a dry run: prints what it would move and\n"
    "            changes nothing. mbox files are never modified (their matches are listed\n"
    "            with offsets as not moved), nor loose .eml files.\n"
    "            IMAP: UID MOVE (or UID COPY + \\Deleted + UID EXPUNGE of those UIDs).\n"
    "--apply     do the moves, journaled (JSON Lines, one line per move, written before\n"
    "            it) to --journal FILE (default ./pixelwarden-moves-TIMESTAMP.jsonl)\n"
    "--new-since OLD  report only what the ruleset can newly find since the earlier\n"
    "            ruleset OLD (entry file): matches of rules added or changed, or of rules\n"
    "            whose lists changed, that OLD would not have made on the same message\n"
    "--shard I/N scan only shard I (0 <= I < N) of N: a message belongs to one shard by a\n"
    "            hash of its path relative to the PATH argument (plus its mbox offset),\n"
    "            the same on every machine; the N outputs together are one full run\n"
    "--no-prefilter  tokenize every text part even when hunting lure rules only (by default\n"
    "            a hunt for lure rules whose links and resources match domain lists skips\n"
    "            parts that cannot hold any of their domains; the output is the same)\n"
    "--undo J    move every message of journal J back where it was (newest first)\n"
    "A summary goes to stderr at the end: the ruleset (name, version, sha256), messages,\n"
    "matches per rule and per recipient\n"
    "(the envelope recipients the engine reconstructs: Delivered-To/X-Original-To, else\n"
    "To/Cc), elapsed time and MB/s. A progress line is drawn while stderr is a terminal.\n"
    "Exit status: 0 done (matches or not); 1 some input could not be read or an mbox could\n"
    "not be split (everything else is still reported), or the rules did not load; 2 usage.\n";

ArgSpec scan_spec() {
  ArgSpec spec;
  spec.valued = {"--config", "--rules",     "--format",       "--jobs",    "--rule",
                 "--since",  "--until",     "--move-to",      "--journal", "--undo",
                 "--shard",  "--new-since", "--password-file"};
  spec.flags = {"--help", "--all", "--apply", "--no-prefilter"};
  spec.aliases = {{"-h", "--help"}, {"-j", "--jobs"}};
  return spec;
}

int usage_error(const std::string& why) {
  std::fprintf(stderr, "pixelwarden scan: %s\n%s", why.c_str(), k_scan_usage);
  return k_exit_usage;
}

// Parses --format/--jobs/--since/--until into opt; returns an error text or "".
std::string parse_options(const Args& args, ScanOptions& opt, unsigned& jobs) {
  const std::string format = args.get("--format").value_or(isatty(1) != 0 ? "table" : "json");
  if (format == "table") {
    opt.format = ScanFormat::table;
  } else if (format == "json") {
    opt.format = ScanFormat::json;
  } else if (format == "csv") {
    opt.format = ScanFormat::csv;
  } else if (format == "doveadm") {
    opt.format = ScanFormat::doveadm;
  } else {
    return "unknown --format " + format;
  }
  jobs = std::max(1U, std::thread::hardware_concurrency());
  if (auto j = args.get("--jobs")) {
    char* end = nullptr;
    const long n = std::strtol(j->c_str(), &end, 10);
    if (j->empty() || *end != '\0' || n < 1 || n > 1024)
      return "--jobs needs a number from 1 to 1024";
    jobs = static_cast<unsigned>(n);
  }
  if (auto s = args.get("--since")) {
    auto d = parse_iso_date(*s);
    if (!d) return "--since: not an ISO 8601 date: " + *s;
    opt.since = d->epoch;
  }
  if (auto u = args.get("--until")) {
    auto d = parse_iso_date(*u);
    if (!d) return "--until: not an ISO 8601 date: " + *u;
    opt.until = d->date_only ? d->epoch + 86400 : d->epoch;
  }
  opt.all = args.has("--all");
  opt.only_rules = args.all("--rule");
  if (auto sh = args.get("--shard")) {
    opt.shard = parse_shard(*sh);
    if (!opt.shard) return "--shard needs I/N with 0 <= I < N <= 65536, e.g. 0/4";
  }
  if (auto folder = args.get("--move-to")) {
    if (std::string why = check_folder_name(*folder); !why.empty()) return why;
    if (!quote_mailbox(*folder)) return "--move-to: the folder name must be ASCII";
    if (opt.all) return "--move-to moves matches only; it cannot go with --all";
    opt.move_to = *folder;
    opt.keep_records = opt.format != ScanFormat::doveadm;
  } else if (args.has("--apply") || args.get("--journal")) {
    return "--apply and --journal go with --move-to";
  }
  if (args.get("--journal") && !args.has("--apply")) return "--journal goes with --apply";
  if (opt.format == ScanFormat::doveadm && args.has("--apply")) {
    return "--format doveadm writes commands for Dovecot's doveadm; it moves nothing (no --apply)";
  }
  return {};
}

// --shard: drops the message files of other shards before anything reads them (mbox
// files stay: their messages are split by offset while reading). Returns how many.
std::uint64_t keep_shard(StoreListing& listing, const std::optional<Shard>& shard) {
  if (!shard) return 0;
  std::vector<ScanInput> kept;
  std::uint64_t dropped = 0;
  listing.total_bytes = 0;
  for (ScanInput& in : listing.inputs) {
    if (in.kind == InputKind::message && !in_shard(*shard, in.key)) {
      ++dropped;
      continue;
    }
    listing.total_bytes += in.size;
    kept.push_back(std::move(in));
  }
  listing.inputs = std::move(kept);
  return dropped;
}

struct Sources {
  std::vector<std::string> paths;
  std::vector<ImapUrl> imap;
  std::string password;  // for the IMAP sources
};

// PATH arguments: files and directories, or imap:// URLs (which need a password).
std::string split_sources(const Args& args, Sources& out) {
  for (const std::string& p : args.positional()) {
    if (!looks_like_imap_url(p)) {
      out.paths.push_back(p);
      continue;
    }
    std::string error;
    auto url = parse_imap_url(p, error);
    if (!url) return std::string(p).append(": ").append(error);
    out.imap.push_back(*url);
  }
  if (out.imap.empty()) return {};
  std::string error;
  auto pw = read_password(args, error);
  if (!pw) return error;
  out.password = *pw;
  return {};
}

// --rule ids the ruleset does not have: a hunt for a misspelt id would report "0
// matched" and look like "nobody received it". Returns an error text or "".
std::string unknown_rules(const ScanOptions& opt) {
  const std::vector<std::string> ids = ruleset::inventory(*opt.rules).rule_ids();
  for (const std::string& want : opt.only_rules) {
    if (std::find(ids.begin(), ids.end(), want) != ids.end()) continue;
    std::string why = "--rule " + want + ": the ruleset has no rule with this id";
    const std::vector<std::string> close = base::suggest(want, ids);
    for (std::size_t i = 0; i < close.size(); ++i)
      why += (i == 0 ? "; did you mean " : ", ") + close[i];
    return why + (close.empty() ? "" : "?");
  }
  return {};
}

}  // namespace

int scan_command(const std::vector<std::string>& argv) {
  const auto parsed = Args::parse(argv, scan_spec());
  if (!parsed.ok()) return usage_error(parsed.error().message);
  const Args& args = parsed.value();
  if (args.has("--help")) {
    std::fputs(k_scan_usage, stdout);
    return 0;
  }
  if (auto journal = args.get("--undo")) {
    if (!args.positional().empty() || args.get("--move-to")) {
      return usage_error("--undo JOURNAL takes no PATH and no --move-to");
    }
    return undo_command(*journal, args);
  }
  if (args.positional().empty()) return usage_error("no PATH to scan");
  Sources sources;
  if (std::string why = split_sources(args, sources); !why.empty()) return usage_error(why);
  ScanOptions opt;
  unsigned jobs = 1;
  if (std::string why = parse_options(args, opt, jobs); !why.empty()) return usage_error(why);

  auto setup = engine_setup(args);
  if (!setup.ok()) {
    std::fprintf(stderr, "pixelwarden scan: %s\n", setup.error().to_string().c_str());
    return 1;
  }
  opt.limits = setup->limits;
  ruleset::LoadOptions load;
  // The list entries serve the diff of --new-since and the prefilter of a hunt.
  load.keep_entries = args.get("--new-since").has_value() ||
                      (!opt.only_rules.empty() && !args.has("--no-prefilter"));
  opt.rules = load_rules_or_report(setup->rules_path, false, load);
  if (!opt.rules) return 1;
  std::optional<ruleset::RulesetDiff> since;
  if (auto old_path = args.get("--new-since")) {
    opt.baseline = load_rules_or_report(*old_path, false, load);
    if (!opt.baseline) return 1;
    const ruleset::RulesetDiff& d = since.emplace(ruleset::diff(*opt.baseline, *opt.rules));
    opt.affected_rules = d.affected_rules;
    std::fprintf(stderr, "scan: new since %s (%s %s): %s; hunting %zu rules\n", old_path->c_str(),
                 opt.baseline->meta().name.c_str(), opt.baseline->meta().version.c_str(),
                 d.summary().c_str(), d.affected_rules.size());
  }
  if (std::string why = unknown_rules(opt); !why.empty()) return usage_error(why);
  opt.hunted_rules = hunted_rules(opt);
  if (!opt.hunted_rules.empty() && !args.has("--no-prefilter")) {
    auto f = HuntPrefilter::build(ruleset::inventory(*opt.rules), opt.hunted_rules,
                                  since ? &*since : nullptr);
    if (f) {
      if (f.value()->needs_body()) {
        std::fprintf(
            stderr,
            "scan: prefilter: %zu domains of %zu hunted rules, parts without them skipped\n",
            f.value()->domain_count(), opt.hunted_rules.size());
      } else {
        std::fprintf(
            stderr,
            "scan: prefilter: the %zu hunted rules read no link or resource, no part scanned\n",
            opt.hunted_rules.size());
      }
      opt.prefilter = std::move(f).value();
    } else {
      std::fprintf(stderr, "scan: no prefilter: %s\n", f.error().c_str());
    }
  }

  const auto start = std::chrono::steady_clock::now();
  // The listed sizes feed only the progress line's total (and its ETA).
  const bool show_progress = isatty(2) != 0;
  StoreListing listing = list_inputs(sources.paths, show_progress);
  const std::uint64_t other_shard_files = keep_shard(listing, opt.shard);
  ScanProgress progress(show_progress, listing.total_bytes);
  for (const auto& e : listing.errors)
    progress.message("pixelwarden scan: " + e.path + ": " + e.message);
  const std::string header = format_header(opt.format);
  std::fwrite(header.data(), 1, header.size(), stdout);
  Remediation moves(opt.move_to);
  const auto take = [&](const ScanRecord& r) { moves.take(r); };
  ScanStats stats = run_scan(listing.inputs, opt, jobs, stdout, progress, take);
  for (const ImapUrl& url : sources.imap) {
    ImapScanResult r = scan_imap(url, sources.password, opt, stdout, progress, take);
    for (const std::string& e : r.errors) progress.message("pixelwarden scan: " + e);
    if (r.vanished > 0) {
      progress.message("pixelwarden scan: " + url.server() + ": " + std::to_string(r.vanished) +
                       " messages were expunged by someone else during the scan");
    }
    r.stats.errors += r.errors.size();
    stats.merge(r.stats);
  }
  std::fflush(stdout);
  progress.stop();
  stats.errors += listing.errors.size();
  stats.skipped_files += listing.skipped_files;
  stats.other_shard += other_shard_files;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const ruleset::Meta& meta = opt.rules->meta();
  std::fprintf(stderr, "scan: ruleset %s version %s sha256 %s\n", meta.name.c_str(),
               meta.version.c_str(), meta.sha256.c_str());
  std::fputs(format_summary(stats, seconds).c_str(), stderr);
  std::size_t move_errors = 0;
  if (opt.keep_records) move_errors = moves.apply(args, sources.password);
  return stats.errors > 0 || move_errors > 0 ? 1 : 0;
}

}  // namespace pixelwarden::cli

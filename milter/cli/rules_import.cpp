// `pixelwarden rules import`: a STIX 2.1 bundle, a MISP event, or a CSV/plain list of
// indicators -> a domain list file in the provenance format (and optionally a ruleset
// include that defines the list). The summary and every indicator left out, with its
// id and why, go to stderr; --report writes them as JSON too.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "base/json.hpp"
#include "base/timestamp.hpp"
#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "intel/csv.hpp"
#include "intel/list_writer.hpp"
#include "intel/misp.hpp"
#include "intel/stix.hpp"

namespace pixelwarden::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_usage =
    "usage: pixelwarden rules import [--format stix|misp|csv|plain] -o LIST_FILE [options] INPUT\n"
    "  -o, --output FILE        the domain list to write (replaced atomically; - for stdout)\n"
    "  --format F               stix | misp | csv | plain (default: from the input)\n"
    "  --columns MAP            csv: "
    "value=N[,source=N,campaign=N,first_seen=N,valid_until=N,tlp=N,comment=N]\n"
    "                           (1-based numbers, or header names with --header)\n"
    "  --header                 csv: the first row names the columns\n"
    "  --delimiter C            csv: field delimiter (default ,; 'tab' for a tab)\n"
    "  --source S, --campaign C, --tlp T   provenance for indicators whose feed names none\n"
    "  --include FILE --list NAME   also write a ruleset include defining list NAME over the list\n"
    "  --display-name-action A  action of the include's display-name rule (default tag)\n"
    "  --now TIME               expiry reference (RFC 3339; default: now)\n"
    "  --report FILE            every indicator left out, as JSON\n";

std::string guess_format(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".csv" || ext == ".tsv") return "csv";
  if (ext == ".txt") return "plain";
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.find("\"Event\"") != std::string::npos ||
      head.find("\"response\"") != std::string::npos) {
    return "misp";
  }
  return head.find_first_not_of(" \t\r\n") != std::string::npos &&
                 head[head.find_first_not_of(" \t\r\n")] == '{'
             ? "stix"
             : "plain";
}

// A file written beside its target and renamed over it, so a daemon watching the
// directory never reads half a list. The temporary name is unpredictable and created
// exclusively (mkostemp): at a fixed "PATH.import-tmp" a symlink planted by anyone who
// can write the rules directory was followed, and its target truncated, often by root.
class FileBeside {
 public:
  explicit FileBeside(const std::string& path) : m_path(path), m_tmp(path + ".import-XXXXXX") {
    const int fd = ::mkostemp(m_tmp.data(), O_CLOEXEC);
    if (fd < 0) {
      m_error = "cannot create a temporary file beside " + path + ": " + std::strerror(errno);
      m_tmp.clear();
      return;
    }
    const mode_t mask = ::umask(0);  // mkostemp makes it 0600: give the usual new-file mode
    ::umask(mask);                   // (the daemon's user reads the lists)
    (void)::fchmod(fd, 0666 & ~mask);
    ::close(fd);
    m_out.open(m_tmp, std::ios::binary | std::ios::trunc);
  }
  ~FileBeside() {
    if (!m_tmp.empty()) ::unlink(m_tmp.c_str());  // not committed: leave nothing behind
  }
  FileBeside(const FileBeside&) = delete;
  FileBeside& operator=(const FileBeside&) = delete;

  std::ostream& out() { return m_out; }
  // Flushes, closes and renames over the target; false with error() on any failure.
  bool commit() {
    if (m_tmp.empty()) return false;
    m_out.flush();
    m_out.close();
    if (!m_out) {
      m_error = "cannot write " + m_tmp;
      return false;
    }
    std::error_code ec;
    fs::rename(m_tmp, m_path, ec);
    if (ec) {
      m_error = "cannot rename " + m_tmp + " to " + m_path + ": " + ec.message();
      return false;
    }
    m_tmp.clear();
    return true;
  }
  const std::string& error() const { return m_error; }

 private:
  std::string m_path;
  std::string m_tmp;
  std::ofstream m_out;
  std::string m_error;
};

bool write_atomically(const std::string& path, const std::string& bytes, std::string& error) {
  if (path == "-") {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return true;
  }
  FileBeside file(path);
  file.out().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file.commit()) {
    error = file.error();
    return false;
  }
  return true;
}

std::string report_json(const intel::Feed& feed, const intel::ListStats& stats,
                        const std::string& input) {
  base::JsonWriter w;
  w.begin_object().key("input").value(input).key("read").value(
      static_cast<std::uint64_t>(feed.objects));
  w.key("indicators").value(static_cast<std::uint64_t>(feed.indicators.size()));
  w.key("entries").value(static_cast<std::uint64_t>(stats.entries));
  w.key("duplicates").value(static_cast<std::uint64_t>(stats.duplicates));
  w.key("display_names").value(static_cast<std::uint64_t>(stats.display_names.size()));
  w.key("skipped").begin_array();
  for (const auto& s : feed.skipped) {
    w.begin_object().key("id").value(s.id).key("reason").value(intel::to_string(s.reason));
    w.key("detail").value(s.detail).end_object();
  }
  w.end_array().end_object();
  return w.take() + "\n";
}

}  // namespace

int rules_import_command(const std::vector<std::string>& argv) {
  ArgSpec spec;
  spec.valued = {"--format",   "--output", "--columns", "--delimiter", "--source",
                 "--campaign", "--tlp",    "--include", "--list",      "--display-name-action",
                 "--now",      "--report"};
  spec.flags = {"--header", "--help"};
  spec.aliases = {{"-o", "--output"}, {"-h", "--help"}};
  const auto parsed = Args::parse(argv, spec);
  if (!parsed.ok()) {
    std::fprintf(stderr, "pixelwarden rules import: %s\n", parsed.error().message.c_str());
    std::fputs(k_usage, stderr);
    return k_exit_usage;
  }
  const Args& args = parsed.value();
  if (args.has("--help")) {
    std::fputs(k_usage, stdout);
    return 0;
  }
  if (args.positional().size() != 1 || !args.get("--output") ||
      args.has("--include") != args.has("--list")) {
    std::fputs(k_usage, stderr);
    return k_exit_usage;
  }
  const std::string input = args.positional()[0];
  const std::string format = args.get("--format").value_or(guess_format(input));
  intel::ReadOptions ro;
  ro.default_source = args.get("--source").value_or("");
  ro.default_campaign = args.get("--campaign").value_or("");
  ro.default_tlp = args.get("--tlp").value_or("");
  if (auto now = args.get("--now")) {
    auto ms = base::parse_timestamp_ms(*now);
    if (!ms) {
      std::fprintf(stderr, "pixelwarden rules import: --now is not a timestamp: %s\n",
                   now->c_str());
      return k_exit_usage;
    }
    ro.now_ms = *ms;
  } else {
    ro.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  }
  std::ifstream in(input, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "pixelwarden rules import: cannot read %s\n", input.c_str());
    return 1;
  }
  const auto started = std::chrono::steady_clock::now();
  base::Result<intel::Feed> feed = base::plain_error("unknown format");
  if (format == "stix") {
    feed = intel::read_stix(in, ro);
  } else if (format == "misp") {
    feed = intel::read_misp(in, ro);
  } else if (format == "csv") {
    intel::CsvOptions co;
    co.name = fs::path(input).filename().string();
    co.header = args.has("--header");
    const std::string delim = args.get("--delimiter").value_or(",");
    co.delimiter = delim == "tab" || delim == "\\t" ? '\t' : delim.empty() ? ',' : delim[0];
    auto map = intel::parse_column_map(args.get("--columns").value_or("value=1"));
    if (!map) {
      std::fprintf(stderr, "pixelwarden rules import: --columns: %s\n",
                   map.error().message.c_str());
      return k_exit_usage;
    }
    co.columns = *map;
    feed = intel::read_csv(in, co, ro);
  } else if (format == "plain") {
    feed = intel::read_plain(in, fs::path(input).filename().string(), ro);
  } else {
    std::fprintf(stderr, "pixelwarden rules import: --format must be stix, misp, csv or plain\n");
    return k_exit_usage;
  }
  if (!feed) {
    std::fprintf(stderr, "pixelwarden rules import: %s: %s\n", input.c_str(),
                 feed.error().message.c_str());
    return 1;
  }
  const std::string origin = fs::path(input).filename().string() + " (" + format + ")";
  // Streamed to the temp file (a million-entry list is hundreds of MB), then renamed.
  const std::string out_path = *args.get("--output");
  intel::ListStats stats;
  std::string error;
  if (out_path == "-") {
    stats = intel::write_list(*feed, origin, std::cout);
    std::cout.flush();
    if (!std::cout) {
      std::fprintf(stderr, "pixelwarden rules import: cannot write the list to stdout\n");
      return 1;
    }
  } else {
    FileBeside file(out_path);
    stats = intel::write_list(*feed, origin, file.out());
    if (!file.commit()) {
      std::fprintf(stderr, "pixelwarden rules import: %s\n", file.error().c_str());
      return 1;
    }
  }
  if (auto inc = args.get("--include")) {
    std::ostringstream y;
    const std::string out = *args.get("--output");
    std::string rel = fs::relative(fs::absolute(out), fs::absolute(*inc).parent_path()).string();
    intel::write_include(y, *args.get("--list"), rel, origin, stats.display_names,
                         args.get("--display-name-action").value_or("tag"));
    if (!write_atomically(*inc, y.str(), error)) {
      std::fprintf(stderr, "pixelwarden rules import: %s\n", error.c_str());
      return 1;
    }
  } else if (!stats.display_names.empty()) {
    feed->skipped.push_back(
        {"", intel::SkipReason::unsupported,
         fmt::format("{} display name(s): write them as a display_name rule with "
                     "--include and --list",
                     stats.display_names.size())});
  }
  std::map<std::string, std::size_t> by_reason;
  for (const auto& s : feed->skipped) {
    ++by_reason[intel::to_string(s.reason)];
    std::fprintf(stderr, "%s %s: %s\n", intel::to_string(s.reason),
                 s.id.empty() ? "-" : s.id.c_str(), s.detail.c_str());
  }
  std::string left_out;
  for (const auto& [reason, n] : by_reason) left_out += fmt::format(", {} {}", n, reason);
  std::fprintf(
      stderr, "%s: %zu read, %zu indicator(s), %zu entries written, %zu duplicate(s)%s in %.3f s\n",
      input.c_str(), feed->objects, feed->indicators.size(), stats.entries, stats.duplicates,
      left_out.c_str(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (auto rep = args.get("--report")) {
    if (!write_atomically(*rep, report_json(*feed, stats, input), error)) {
      std::fprintf(stderr, "pixelwarden rules import: %s\n", error.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace pixelwarden::cli

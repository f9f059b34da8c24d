// Builder, files stage: reading the entry file and its includes, hashing every file in
// load order, and load_ruleset() which runs all stages.
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "ruleset/builder.hpp"

namespace pixelwarden::ruleset {
namespace fs = std::filesystem;

namespace {

bool has_glob_meta(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

std::vector<std::string> expand_glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  std::sort(out.begin(), out.end());  // bytewise, whatever the locale says
  return out;
}

FileStamp stamp_of(const std::string& path, const struct stat& st) {
  return FileStamp{path, static_cast<std::uint64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                   static_cast<std::uint64_t>(st.st_ino)};
}

// The first file whose stamp differs from how it was read, or nullptr.
const FileStamp* changed_file(const std::vector<FileStamp>& stamps) {
  for (const FileStamp& s : stamps) {
    struct stat st {};
    if (::stat(s.path.c_str(), &st) != 0 || stamp_of(s.path, st) != s) return &s;
  }
  return nullptr;
}

std::string canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

}  // namespace

Builder::Builder(LoadResult& out, bool keep_entries)
    : m_out(out), m_rs(std::make_shared<CompiledRuleset>()), m_keep_entries(keep_entries) {
  m_rs->m_entries_kept = keep_entries;
}

std::string Builder::resolve(const std::string& dir, const std::string& rel) {
  fs::path p(rel);
  if (p.is_absolute() || dir.empty()) return p.lexically_normal().string();
  return (fs::path(dir) / p).lexically_normal().string();
}

std::optional<std::string> Builder::read_bytes(const std::string& path, const Checker& c,
                                               const YAML::Node& n, bool hash) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    c.error(n, "cannot read " + path + ": is a directory");
    return std::nullopt;
  }
  // Read once, through one descriptor whose fstat is the stamp the stability check
  // compares with later (stamp_of).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    c.error(n, "cannot read " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  struct stat st {};
  std::string bytes;
  bool ok = ::fstat(fd, &st) == 0;
  // One byte more than the file: the read that sees the end needs no bigger buffer.
  if (ok) bytes.resize(static_cast<std::size_t>(std::max<off_t>(st.st_size, 0)) + 1);
  std::size_t got = 0;
  while (ok) {
    if (got == bytes.size()) bytes.resize(std::max<std::size_t>(bytes.size() * 2, 4096));
    const ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ok = r == 0;
      break;
    }
    got += static_cast<std::size_t>(r);
  }
  const int read_errno = errno;
  ::close(fd);
  if (!ok) {
    c.error(n, "cannot read " + path + ": " + std::strerror(read_errno));
    return std::nullopt;
  }
  bytes.resize(got);
  FileStamp stamp = stamp_of(path, st);
  if (got != stamp.size) stamp.size = ~std::uint64_t{0};  // grew or shrank while read: unstable
  m_out.stamps.push_back(std::move(stamp));
  m_out.files.push_back(path);
  if (hash) m_sha.update(bytes);
  return bytes;
}

void Builder::load_files(const std::string& entry) {
  std::vector<Level> chain;
  load_file(entry, nullptr, nullptr, chain);
  while (!chain.empty()) {
    if (chain.back().next == chain.back().targets.size()) {
      chain.pop_back();
      continue;
    }
    const Level::Target target = chain.back().targets[chain.back().next++];  // a copy: chain grows
    const Checker from = chain.back().checker;
    if (target.missing) {
      from.error(target.node, "included file not found: " + target.path);
      continue;
    }
    if (chain.size() >= k_max_include_depth) {
      // The first two and the last three include sites: enough to find the chain, short
      // enough for one log line.
      std::string path_text;
      for (std::size_t i = 0; i < chain.size(); ++i) {
        if (i == 2 && chain.size() > 5) {
          path_text += fmt::format("... ({} more) -> ", chain.size() - 5);
          i = chain.size() - 4;
          continue;
        }
        const Level& l = chain[i];
        const base::Error site = l.checker.at(l.targets[l.next - 1].node, "");
        path_text += fmt::format("{}:{}:{} -> ", site.file, site.line, site.column);
      }
      from.error(target.node, fmt::format("includes nested deeper than {} files: {}{}",
                                          k_max_include_depth, path_text, target.path));
      chain.clear();  // one error: every deeper sibling would repeat it
      break;
    }
    load_file(target.path, &from, &target.node, chain);
  }
}

void Builder::load_file(const std::string& path, const Checker* from, const YAML::Node* from_node,
                        std::vector<Level>& chain) {
  std::string canon = canonical(path);
  const auto on_path = [&](const Level& l) { return l.canon == canon; };
  if (std::any_of(chain.begin(), chain.end(), on_path)) {
    from->error(*from_node,
                "include cycle: " + path + " includes itself (through " + from->file() + ")");
    return;
  }
  if (m_loaded.count(canon) != 0) {
    from->warn(*from_node, path + " is already included; included once");
    return;
  }
  Checker self(path, m_out.errors, m_out.warnings);
  YAML::Node none;
  const Checker& where = from != nullptr ? *from : self;
  auto bytes = read_bytes(path, where, from_node != nullptr ? *from_node : none, true);
  if (!bytes) return;
  m_loaded.insert(canon);
  SourceFile f{path, fs::path(path).parent_path().string(), YAML::Node(), from == nullptr};
  try {
    f.root = YAML::Load(*bytes);
  } catch (const YAML::Exception& e) {
    self.error_at(e.mark, "YAML syntax error: " + e.msg);
    return;
  }
  if (!f.root.IsDefined() || f.root.IsNull()) {
    if (f.entry) m_out.errors.push_back(base::Error{"the ruleset file is empty", path, 1, 1});
    return;
  }
  if (!f.root.IsMap()) {
    self.error(f.root, "a ruleset file must be a map of top-level keys");
    return;
  }
  m_files.push_back(f);
  Level level{std::move(canon), self, include_targets(m_files.back()), 0};
  if (!level.targets.empty()) chain.push_back(std::move(level));
}

std::vector<Builder::Level::Target> Builder::include_targets(const SourceFile& f) {
  std::vector<Level::Target> out;
  const YAML::Node& root = f.root;
  const YAML::Node inc = root["include"];
  if (!inc.IsDefined()) return out;
  Checker c = checker(f);
  auto items = c.scalars(inc, "include", true);
  if (!items) return out;
  for (const auto& [rel, node] : *items) {
    std::string target = resolve(f.dir, rel);
    if (has_glob_meta(rel)) {
      for (auto& p : expand_glob(target)) out.push_back({std::move(p), node, false});
      continue;
    }
    std::error_code ec;
    const bool missing = !fs::exists(target, ec);
    out.push_back({std::move(target), node, missing});
  }
  return out;
}

std::shared_ptr<CompiledRuleset> Builder::finish(double seconds) {
  auto& settings = m_rs->settings();
  settings.meta.sha256 = m_sha.hex_digest();
  settings.sizes.trackers = m_rs->m_trackers.size();
  settings.sizes.lures = m_rs->m_lures.size();
  settings.sizes.allow = m_rs->m_allow.size();
  settings.sizes.list_entries = m_entries;
  settings.sizes.compile_seconds = seconds;
  for (auto& l : m_rs->m_lists) {
    l.provenance.seal();
    std::vector<CompiledList::EntrySite>().swap(l.sites);  // load-time only
  }
  for (const auto& l : m_rs->m_lists) {
    if (l.patterns && !m_rs->m_scratch.add(*l.patterns)) {
      m_out.errors.push_back(base::Error{"cannot allocate Hyperscan scratch", "", 0, 0});
    }
  }
  for (const auto& r : m_rs->m_lures) {
    if (r.display_name && !m_rs->m_scratch.add(*r.display_name)) {
      m_out.errors.push_back(base::Error{"cannot allocate Hyperscan scratch", "", 0, 0});
    }
  }
  return m_rs;
}

LoadResult load_ruleset(const std::string& path, const LoadOptions& options) {
  auto start = std::chrono::steady_clock::now();
  LoadResult out;
  if (hs_valid_platform() != HS_SUCCESS) {
    out.errors.push_back(base::Error{"this CPU cannot run Hyperscan (SSSE3 required)", "", 0, 0});
    return out;
  }
  Builder b(out, options.keep_entries);
  b.set_now_ms(options.now_ms ? *options.now_ms
                              : std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  b.load_files(path);
  b.build_lists();
  b.build_top();
  b.build_groups();
  b.build_rules();
  b.build_tests();
  b.warn_lists();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto rs = b.finish(secs);
  if (options.strict) {
    for (const auto& w : out.warnings) {
      base::Error e = w;
      e.message += " (warning; strict)";
      out.errors.push_back(std::move(e));
    }
    for (std::size_t i = 0; i < out.warnings.dropped(); ++i) out.errors.count_dropped();
    out.warnings.clear();
  }
  // A writer that rewrites a file in place shows up as a changed size or mtime between
  // our read and now (the settle interval gives a slow writer time to show it).
  if (options.settle.count() > 0) std::this_thread::sleep_for(options.settle);
  if (const FileStamp* changed = changed_file(out.stamps)) {
    out.unstable = true;
    out.errors.push_back(base::plain_error(
        changed->path + ": changed while it was being loaded (written in place?); not used"));
  }
  if (out.errors.empty()) out.ruleset = rs;
  return out;
}

}  // namespace pixelwarden::ruleset

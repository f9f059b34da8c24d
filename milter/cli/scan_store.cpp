#include "cli/scan_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/text.hpp"

namespace pixelwarden::cli {
namespace {

// The deepest directory a scan descends into (PATH_MAX alone would allow ~2,000 levels).
constexpr int k_max_directory_depth = 256;

enum class Sniff { unreadable, mbox, other };

Sniff sniff(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Sniff::unreadable;
  char buf[5];
  ssize_t n = 0;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n < 0) return Sniff::unreadable;
  return looks_like_mbox(std::string(buf, static_cast<std::size_t>(n))) ? Sniff::mbox
                                                                        : Sniff::other;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool named_mbox(const std::string& name) {
  return base::iends_with(name, ".mbox") || base::iends_with(name, ".mbx") ||
         base::iends_with(name, ".mbox.gz");
}

std::string join(const std::string& dir, const std::string& name) {
  return !dir.empty() && dir.back() == '/' ? dir + name : dir + "/" + name;
}

class Walker {
 public:
  Walker(StoreListing& out, bool sizes) : m_out(out), m_sizes(sizes) {}

  void add(const std::string& path, InputKind kind, std::uint64_t size) {
    std::string key = path.size() > m_top.size() ? path.substr(m_top.size()) : base_name(path);
    m_out.inputs.push_back(ScanInput{path, std::move(key), kind, size});
    m_out.total_bytes += size;
  }

  void error(const std::string& path, int err) {
    m_out.errors.push_back(StoreIssue{path, std::strerror(err)});
  }

  // A path named on the command line: follows symbolic links, any file counts.
  void top(const std::string& path) {
    m_top.clear();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return error(path, errno);
    if (S_ISDIR(st.st_mode)) {
      std::string name = path;
      while (name.size() > 1 && name.back() == '/') name.pop_back();
      name = base_name(name);
      m_top = join(path, "");  // "DIR/": keys are what follows
      return directory(path, name == "cur" || name == "new", 1);
    }
    if (!S_ISREG(st.st_mode)) return m_out.errors.push_back(StoreIssue{path, "not a regular file"});
    const Sniff s = sniff(path);
    if (s == Sniff::unreadable) return error(path, errno);
    const bool mbox = s == Sniff::mbox || named_mbox(base_name(path));
    add(path, mbox ? InputKind::mbox : InputKind::message, static_cast<std::uint64_t>(st.st_size));
  }

  // Recursive, one frame per directory level: bounded by k_max_directory_depth (links
  // to directories are not followed, so a loop cannot deepen it either).
  void directory(const std::string& dir, bool mail_dir, int depth) {
    if (depth > k_max_directory_depth) {
      m_out.errors.push_back(StoreIssue{dir, "more than " + std::to_string(k_max_directory_depth) +
                                                 " directories deep: not scanned"});
      return;
    }
    std::vector<Entry> entries;
    if (!list(dir, entries, mail_dir && !m_sizes)) return;
    for (const Entry& e : entries) {
      const std::string path = join(dir, e.name);
      if (e.err != 0) {
        error(path, e.err);
        continue;
      }
      if (e.skipped_link) {
        ++m_out.skipped_files;  // links to directories are not followed
      } else if (S_ISDIR(e.mode)) {
        if (e.name == "tmp") continue;  // Maildir deliveries in progress
        directory(path, e.name == "cur" || e.name == "new", depth + 1);
      } else if (S_ISREG(e.mode)) {
        file(path, e.name, e.size, mail_dir);
      }
    }
  }

 private:
  struct Entry {
    std::string name;
    mode_t mode = 0;  // of the link's target for a link to a regular file
    std::uint64_t size = 0;
    int err = 0;                // errno of the stat
    bool skipped_link = false;  // a link to something else than a regular file
    bool typed = false;         // mode from readdir's d_type, not stat'ed (size unknown)
  };

  // The directory's entries, sorted by name, each stat'ed relative to the directory (a
  // one-name lookup, not the whole path again). The directory is closed before its
  // subdirectories are walked: one directory is open at a time.
  // `trust_type`: an entry whose type readdir gives as a directory or a regular file is
  // not stat'ed; its size stays 0. For a Maildir's cur/ and new/ when no size is wanted
  // (the progress line's total is the only reader of a message file's listed size): one
  // system call less per message, a sixth of what reading a message costs the kernel.
  // Links and entries of unknown type are stat'ed as before.
  bool list(const std::string& dir, std::vector<Entry>& entries, bool trust_type) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
    if (d == nullptr) {
      error(dir, errno);
      if (fd >= 0) ::close(fd);
      return false;
    }
    while (const dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      Entry& entry = entries.emplace_back(Entry{e->d_name});
      if (trust_type && (e->d_type == DT_REG || e->d_type == DT_DIR)) {
        entry.mode = e->d_type == DT_REG ? S_IFREG : S_IFDIR;
        entry.typed = true;
      }
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    for (Entry& e : entries) {
      if (e.typed) continue;
      struct stat st {};
      if (::fstatat(fd, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        e.err = errno;
        continue;
      }
      if (S_ISLNK(st.st_mode) &&
          (::fstatat(fd, e.name.c_str(), &st, 0) != 0 || !S_ISREG(st.st_mode))) {
        e.skipped_link = true;
        continue;
      }
      e.mode = st.st_mode;
      e.size = static_cast<std::uint64_t>(st.st_size);
    }
    ::closedir(d);
    return true;
  }

  void file(const std::string& path, const std::string& name, std::uint64_t size, bool mail_dir) {
    if (name[0] == '.') {
      ++m_out.skipped_files;
    } else if (mail_dir || base::iends_with(name, ".eml")) {
      add(path, InputKind::message, size);
    } else if (named_mbox(name)) {
      add(path, InputKind::mbox, size);
    } else {
      const Sniff s = sniff(path);
      if (s == Sniff::unreadable) {
        error(path, errno);
      } else if (s == Sniff::mbox) {
        add(path, InputKind::mbox, size);
      } else {
        ++m_out.skipped_files;
      }
    }
  }

  StoreListing& m_out;
  const bool m_sizes;
  std::string m_top;  // the directory named on the command line, with a trailing '/'
};

}  // namespace

bool looks_like_mbox(const std::string& first_bytes) {
  if (first_bytes.rfind("From ", 0) == 0) return true;
  return first_bytes.size() >= 2 && static_cast<unsigned char>(first_bytes[0]) == 0x1f &&
         static_cast<unsigned char>(first_bytes[1]) == 0x8b;
}

StoreListing list_inputs(const std::vector<std::string>& paths, bool sizes) {
  StoreListing out;
  Walker w(out, sizes);
  for (const std::string& p : paths) w.top(p);
  return out;
}

}  // namespace pixelwarden::cli

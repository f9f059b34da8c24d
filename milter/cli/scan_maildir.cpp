#include "cli/scan_maildir.hpp"

#include <sys/stat.h>

namespace pixelwarden::cli {
namespace {

std::pair<std::string, std::string> split_last(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::optional<MaildirPlace> maildir_place(const std::string& path) {
  MaildirPlace p;
  auto [dir, name] = split_last(path);
  auto [folder_path, subdir] = split_last(dir);
  if (name.empty() || (subdir != "cur" && subdir != "new")) return std::nullopt;
  p.name = name;
  p.subdir = subdir;
  auto [parent, folder_name] = split_last(folder_path);
  if (folder_name.size() > 1 && folder_name[0] == '.' && folder_name != ".." &&
      is_dir(parent + "/cur")) {
    p.root = parent;
    p.folder = folder_name.substr(1);
  } else {
    p.root = folder_path;
    p.folder = "INBOX";
  }
  return p;
}

std::string folder_dir(const std::string& root, const std::string& folder) {
  return folder == "INBOX" ? root : root + "/." + folder;
}

}  // namespace pixelwarden::cli

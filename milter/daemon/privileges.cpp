#include "daemon/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace pixelwarden::daemon {
namespace {

std::optional<gid_t> group_id(const std::string& name) {
  std::vector<char> buf(16384);
  group g{};
  group* out = nullptr;
  if (getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &out) != 0 || !out) {
    return std::nullopt;
  }
  return out->gr_gid;
}

}  // namespace

base::Result<std::optional<Identity>> planned_identity(const DaemonSection& daemon, uid_t euid) {
  if (euid != 0) return std::optional<Identity>{};
  if (daemon.allow_root) return std::optional<Identity>{};
  if (daemon.user.empty() || daemon.user == "root") {
    return base::plain_error(
        "started as root and daemon.user is root: set daemon.allow_root: true to really run "
        "the filter as root");
  }
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(daemon.user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
    return base::plain_error("started as root, but user '" + daemon.user +
                             "' (daemon.user) does not exist: create it (the package does), "
                             "name another user, or set daemon.allow_root: true");
  }
  Identity who{daemon.user, found->pw_uid, found->pw_gid};
  if (who.uid == 0) {
    return base::plain_error("daemon.user '" + daemon.user +
                             "' has uid 0: set daemon.allow_root: true to run as root");
  }
  if (!daemon.group.empty()) {
    const auto gid = group_id(daemon.group);
    if (!gid)
      return base::plain_error("group '" + daemon.group + "' (daemon.group) does not exist");
    who.gid = *gid;
  }
  return std::optional<Identity>(who);
}

base::Result<gid_t> socket_gid(const std::string& socket_group,
                               const std::optional<Identity>& target) {
  if (!socket_group.empty()) {
    const auto gid = group_id(socket_group);
    if (!gid) {
      return base::plain_error("group '" + socket_group + "' (milter.socket_group) does not exist");
    }
    return *gid;
  }
  return target ? target->gid : ::getegid();
}

base::Status drop_privileges(const Identity& who) {
  const auto fail = [&](const char* step) {
    return base::plain_error(std::string("cannot become user ") + who.user + " (" + step +
                             "): " + std::strerror(errno));
  };
  if (::setgroups(1, &who.gid) != 0) return fail("setgroups");
  if (::setgid(who.gid) != 0) return fail("setgid");
  if (::setuid(who.uid) != 0) return fail("setuid");
  if (::setuid(0) == 0 || ::geteuid() == 0) {
    return base::plain_error("still able to become root after dropping to " + who.user);
  }
  return base::Ok{};
}

}  // namespace pixelwarden::daemon

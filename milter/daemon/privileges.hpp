#pragma once
// Who the daemon runs as. Started as root, it binds its sockets as root and then becomes
// the configured unprivileged user for good (supplementary groups reset, gid before uid,
// and a check that root cannot be regained). Mail parsing never runs as root unless the
// admin says so (daemon.allow_root).
//
// Non-goals: capabilities (nothing after start-up needs one), chroot.

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/result.hpp"
#include "daemon/config.hpp"

namespace pixelwarden::daemon {

struct Identity {
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
};

// What the process becomes after binding: nothing when it keeps its identity (not root,
// or root with allow_root), the looked-up user otherwise. An unknown user or group is an
// error naming the key to change.
base::Result<std::optional<Identity>> planned_identity(const DaemonSection& daemon, uid_t euid);

// The gid a unix socket gets: milter.socket_group when set, else the group the daemon
// runs as (the target identity's, or the current one).
base::Result<gid_t> socket_gid(const std::string& socket_group,
                               const std::optional<Identity>& target);

// Becomes `who` irrevocably.
base::Status drop_privileges(const Identity& who);

}  // namespace pixelwarden::daemon

#include "daemon/signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace pixelwarden::daemon {
namespace {

sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  return set;
}

}  // namespace

void block_signals() {
  const sigset_t set = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Signal wait_for_signal() {
  const sigset_t set = daemon_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    switch (sig) {
      case SIGUSR1:
        return Signal::reload;
      case SIGINT:
        return Signal::abort;
      default:
        return Signal::stop;
    }
  }
}

}  // namespace pixelwarden::daemon

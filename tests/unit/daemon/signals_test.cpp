#include "daemon/signals.hpp"

#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

using namespace pixelwarden;

TEST_SUITE("daemon::signals") {
  TEST_CASE("block_signals blocks HUP, TERM, INT and USR1 in the calling thread") {
    daemon::block_signals();
    sigset_t set;
    pthread_sigmask(SIG_SETMASK, nullptr, &set);
    CHECK(sigismember(&set, SIGHUP) == 1);
    CHECK(sigismember(&set, SIGTERM) == 1);
    CHECK(sigismember(&set, SIGINT) == 1);
    CHECK(sigismember(&set, SIGUSR1) == 1);
  }

  TEST_CASE("each daemon signal is reported by wait_for_signal instead of its default action") {
    daemon::block_signals();
    pthread_kill(pthread_self(), SIGUSR1);
    CHECK(daemon::wait_for_signal() == daemon::Signal::reload);
    pthread_kill(pthread_self(), SIGTERM);
    CHECK(daemon::wait_for_signal() == daemon::Signal::stop);
    pthread_kill(pthread_self(), SIGHUP);
    CHECK(daemon::wait_for_signal() == daemon::Signal::stop);
    pthread_kill(pthread_self(), SIGINT);
    CHECK(daemon::wait_for_signal() == daemon::Signal::abort);
  }

  TEST_CASE("a thread started after block_signals inherits the mask") {
    daemon::block_signals();
    bool blocked = false;
    std::thread t([&blocked] {
      sigset_t set;
      pthread_sigmask(SIG_SETMASK, nullptr, &set);
      blocked = sigismember(&set, SIGTERM) == 1;
    });
    t.join();
    CHECK(blocked);
  }
}

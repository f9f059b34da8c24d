#pragma once
// Signals. libmilter's own thread sigwait()s SIGHUP/SIGTERM/SIGINT once smfi_main runs
// (HUP and TERM stop it at once; INT aborts), which would abandon every message whose
// next milter command had not arrived yet. So the daemon takes the signals itself:
//
//   * block_signals() blocks HUP, TERM, INT and USR1 before the first thread starts
//     (a thread that does not block them could take a process-directed SIGTERM and
//     die by default action, with no drain); every later thread inherits the mask;
//   * the MAIN thread waits in wait_for_signal() while smfi_main runs on another
//     thread. Linux offers a process-directed signal to the thread-group leader first
//     when it is waiting for it (kernel complete_signal), so the main thread, not
//     libmilter's signal thread, sees SIGTERM and can drain before calling smfi_stop().
//     Should libmilter's thread win anyway, smfi_main returns and the daemon still
//     drains what it can.
//
// SIGUSR1 reloads the rules and reopens the audit log (SIGHUP belongs to libmilter).

namespace pixelwarden::daemon {

// Blocks SIGHUP, SIGTERM, SIGINT and SIGUSR1 in the calling thread. The CLI calls it
// first thing in main(); daemon::run calls it again (idempotent).
void block_signals();

enum class Signal {
  reload,  // SIGUSR1 (also used to wake the main thread)
  stop,    // SIGTERM, SIGHUP: drain, then stop
  abort,   // SIGINT: stop now
};

// Blocks until one of the signals above is pending for this thread or the process.
Signal wait_for_signal();

}  // namespace pixelwarden::daemon

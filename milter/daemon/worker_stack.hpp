#pragma once
// Stack size of libmilter's worker threads, which run every milter callback and so the
// whole engine. milter_main() makes it the process default just before smfi_main starts
// them: libmilter's pool retires and starts workers all the time, and glibc caches the
// stacks of finished threads only up to 40 MiB (five 8 MiB stacks, forty of these).
// tests/unit/engine runs the engine's deepest inputs on a thread of this size.

#include <cstddef>

namespace pixelwarden::daemon {

inline constexpr std::size_t k_worker_stack_bytes = std::size_t{1} << 20;

}  // namespace pixelwarden::daemon

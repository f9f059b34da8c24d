#pragma once
// A positionless base::Error (spelled out so -Wmissing-field-initializers stays quiet).

#include <string>

#include "base/result.hpp"

namespace pixelwarden::daemon {

inline base::Error plain_error(std::string message) { return base::Error{std::move(message), {}, 0, 0}; }

}  // namespace pixelwarden::daemon

#include "intel/model.hpp"

namespace pixelwarden::intel {

const char* to_string(ValueKind k) {
  switch (k) {
    case ValueKind::domain:
      return "domain";
    case ValueKind::url:
      return "url";
    case ValueKind::email:
      return "email";
    case ValueKind::display_name:
      return "display_name";
  }
  return "domain";
}

const char* to_string(SkipReason r) {
  switch (r) {
    case SkipReason::unsupported:
      return "unsupported";
    case SkipReason::invalid:
      return "invalid";
    case SkipReason::revoked:
      return "revoked";
    case SkipReason::expired:
      return "expired";
    case SkipReason::not_for_detection:
      return "not_for_detection";
  }
  return "unsupported";
}

}  // namespace pixelwarden::intel

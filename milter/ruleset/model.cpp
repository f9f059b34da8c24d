#include "ruleset/model.hpp"

namespace pixelwarden::ruleset {

const char* to_string(Mode m) { return m == Mode::enforce ? "enforce" : "monitor"; }

const char* to_string(TrackerAction a) {
  switch (a) {
    case TrackerAction::neutralize:
      return "neutralize";
    case TrackerAction::strip:
      return "strip";
    case TrackerAction::proxy:
      return "proxy";
    case TrackerAction::keep:
      return "keep";
  }
  return "?";
}

const char* to_string(LureAction a) {
  switch (a) {
    case LureAction::monitor:
      return "monitor";
    case LureAction::tag:
      return "tag";
    case LureAction::defang:
      return "defang";
    case LureAction::quarantine:
      return "quarantine";
    case LureAction::discard:
      return "discard";
    case LureAction::tempfail:
      return "tempfail";
    case LureAction::reject:
      return "reject";
  }
  return "?";
}

const char* to_string(Where w) {
  switch (w) {
    case Where::envelope_from:
      return "envelope_from";
    case Where::header_from:
      return "header_from";
    case Where::reply_to:
      return "reply_to";
    case Where::sender:
      return "sender";
    case Where::return_path:
      return "return_path";
    case Where::links:
      return "links";
    case Where::resources:
      return "resources";
    case Where::helo:
      return "helo";
    case Where::message_id:
      return "message_id";
  }
  return "?";
}

}  // namespace pixelwarden::ruleset

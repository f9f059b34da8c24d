#pragma once
// A MilterActions fake that records every request as one readable line.

#include <string>
#include <vector>

#include "daemon/actions.hpp"

namespace pixelwarden::testing {

class RecordingActions final : public daemon::MilterActions {
 public:
  std::vector<std::string> calls;
  bool refuse = false;  // answer every request with "refused"

  bool add_header(std::string_view name, std::string_view value) override {
    return record("add " + std::string(name) + ": [" + std::string(value) + "]");
  }
  bool change_header(std::string_view name, int index,
                     std::optional<std::string_view> value) override {
    return record("change " + std::string(name) + "#" + std::to_string(index) + ": " +
                  (value ? "[" + std::string(*value) + "]" : std::string("<delete>")));
  }
  bool insert_header(int index, std::string_view name, std::string_view value) override {
    return record("insert " + std::to_string(index) + " " + std::string(name) + ": [" +
                  std::string(value) + "]");
  }
  bool replace_body(std::string_view body) override {
    return record("body " + std::to_string(body.size()) + " bytes");
  }
  bool quarantine(std::string_view reason) override {
    return record("quarantine " + std::string(reason));
  }
  bool set_reply(std::string_view code, std::string_view xcode,
                 const std::vector<std::string>& lines) override {
    std::string s = "reply " + std::string(code) + " " + std::string(xcode);
    for (const auto& l : lines) s += " |" + l;
    return record(s);
  }
  bool progress() override { return record("progress"); }

 private:
  bool record(std::string s) {
    calls.push_back(std::move(s));
    return !refuse;
  }
};

}  // namespace pixelwarden::testing

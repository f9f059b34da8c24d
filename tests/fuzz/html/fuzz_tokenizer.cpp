// libFuzzer target: the tokenizer never crashes, tokens stay inside the input and
// move forward, a foreign <style>'s text pieces too. Whole-buffer tokenizer (the
// milter buffers the body): no chunking.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "html/entities.hpp"
#include "html/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (bool conditional : {true, false}) {
    pixelwarden::html::Tokenizer tok(in, conditional);
    pixelwarden::html::Token t;
    std::size_t last = 0;
    std::string value;
    while (tok.next(t)) {
      if (t.begin < last || t.end > size || t.begin > t.end) std::abort();
      last = t.begin;
      if (t.pieces != nullptr) {  // foreign_text: pieces in order, inside the input
        std::size_t at = t.data_begin;
        for (const auto& p : *t.pieces) {
          if (p.outer_begin < at || p.begin < p.outer_begin || p.end < p.begin ||
              p.outer_end < p.end || p.outer_end > t.data_end)
            std::abort();
          at = p.outer_end;
        }
      }
      if (t.attributes != nullptr) {
        for (const auto& a : *t.attributes) {
          if (a.value_end > size || a.value_begin > a.value_end || a.begin > a.end) std::abort();
          pixelwarden::html::decode_attribute(in.substr(a.value_begin, a.value_end - a.value_begin),
                                              value);
        }
      }
    }
  }
  return 0;
}

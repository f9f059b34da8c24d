// libFuzzer target over the MIME engine: walk + decode + re-encode + splice, with the
// engine's invariants as hard assertions:
//   - nothing crashes, every part range lies inside the body;
//   - a splice without edits is byte-identical;
//   - an edited leaf, re-encoded in its own CTE, decodes back to the edited content, and
//     the spliced body is exactly: bytes before the part + new bytes + bytes after it.
// Header helpers (addresses, RFC 2047, Content-Type) run over the top-level fields too; the
// address list's shortcut gives what its general parser gives.
// Seed corpus: tests/data/fuzz/fuzz_mime/ (checked in), plus, with the outside corpora,
// <build>/tests/fuzz/mime/corpora-seed (build_seed_corpus.cmake); dictionary: mime.dict.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mime/mime.hpp"

namespace {

using namespace pixelwarden::mime;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_mime invariant violated: %s\n", what);
    std::abort();
  }
}

void exercise_headers(const Message& msg) {
  for (const auto& f : msg.fields()) {
    require(f.begin < f.end && f.end <= msg.header_block().size(), "field range");
    const std::string v = unfold(f.value);
    (void)decode_rfc2047(v);
    const std::vector<Address> addresses = parse_address_list(f.value);
    const std::vector<Address> general = parse_address_list_without_shortcut(f.value);
    require(addresses.size() == general.size(), "address shortcut: count");
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      require(addresses[i].display_name == general[i].display_name &&
                  addresses[i].local_part == general[i].local_part &&
                  addresses[i].domain == general[i].domain,
              "address shortcut: same address as the general parser");
    }
    (void)parse_content_type(v);
  }
}

void edit_one_leaf(const WalkResult& r, std::string_view body, std::size_t pick) {
  std::size_t leaves = 0;
  for (const auto& p : r.parts) leaves += p.is_leaf() ? 1 : 0;
  if (leaves == 0) return;
  pick %= leaves;
  for (const auto& part : r.parts) {
    if (!part.is_leaf() || pick-- != 0) continue;
    const std::string_view enc = part_body(part, body);
    DecodeStats stats;
    const std::string old_dec = decode(enc, part.cte, &stats);
    std::string new_dec = old_dec;
    new_dec.insert(new_dec.size() / 2, "<img src=\"https://t.example/p.gif\">\r\n= \t\xC3\xA9");
    const std::string new_enc = reencode(enc, old_dec, new_dec, part.cte);
    require(decode(new_enc, part.cte) == new_dec, "re-encoded part decodes to the edit");
    // The engine's path: two edits with known positions (an insertion and a replacement).
    if (old_dec.size() >= 16) {
      const std::size_t a = old_dec.size() / 4;
      const std::size_t b = old_dec.size() * 3 / 4;
      const std::string ins = "data:,";
      std::string two = old_dec;
      two.replace(b, 3, "X");
      two.insert(a, ins);
      const std::vector<pixelwarden::base::Patch> edits{{a, 0, ins}, {b, 3, "X"}};
      const std::string two_enc = reencode_edits(enc, old_dec, two, edits, part.cte);
      require(decode(two_enc, part.cte) == two, "reencode_edits decodes to the edits");
      if (part.cte == Cte::quoted_printable) {
        // The decoder's marks: line starts at its own offsets, and the same output with
        // them as without.
        std::vector<QpMark> marks;
        require(decode_quoted_printable(enc, marks) == old_dec, "marks leave the decoding");
        for (const QpMark& m : marks) {
          require(m.encoded > 0 && m.encoded < enc.size() && enc[m.encoded - 1] == '\n',
                  "a mark is a line start");
          require(m.decoded == qp_decoded_size(enc.substr(0, m.encoded)), "a mark's offset");
        }
        require(reencode_edits(enc, old_dec, two, edits, part.cte, "\r\n", &marks) == two_enc,
                "marks change nothing but the work");
        require(reencode_edits(enc, old_dec, edits, part.cte, "\r\n", &marks) == two_enc,
                "told only the edits, the same re-encoding");
      }
    }
    if (part.cte == Cte::base64 || part.cte == Cte::quoted_printable) {
      require(longest_line(new_enc) <= std::max<std::size_t>(998, longest_line(enc)),
              "line length");
    }
    const pixelwarden::base::Patch rep = replace_body(part, new_enc, body);
    const std::string out = splice(body, {rep});
    require(out == std::string(body.substr(0, part.body_begin)) + rep.replacement +
                       std::string(body.substr(part.body_end)),
            "splice changes exactly the part");
    return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const Message msg(raw);
  exercise_headers(msg);
  const WalkResult r = msg.walk(WalkLimits{16, 500});
  for (const auto& p : r.parts) {
    require(p.body_begin <= p.body_end && p.body_end <= msg.body().size(), "part range");
    require(p.header_begin <= p.header_end && p.header_end <= p.body_begin, "header range");
  }
  require(splice(msg.body(), {}) == msg.body(), "no-edit splice is identity");
  edit_one_leaf(r, msg.body(), size);
  if (auto bom = detect_bom(raw)) (void)to_utf8(raw, *bom);
  return 0;
}

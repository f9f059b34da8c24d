#pragma once
// Synthetic benchmark messages, deterministic for a given serial number, and the
// loader for the outside HTML mail corpus (PIXELWARDEN_CORPORA). Shared by the engine benchmark and
// pw_bench_message (which writes them to files for the milter and end-to-end
// benchmarks).
//
// Messages are complete RFC 5322 messages with CRLF line endings. Non-goals: variety
// for fuzzing; these are meant to look like the mail a gateway sees in bulk.

#include <cstddef>
#include <string>
#include <vector>

namespace pixelwarden::bench {

enum class Encoding { quoted_printable, base64 };

// A ~`bytes` newsletter (multipart/alternative: text/plain + text/html in `cte`) with
// 20 remote images, 3 of them open-tracking pixels of known vendors (Mailchimp,
// Amazon SES, SendGrid), 17 ordinary product images, and many links.
// trackers = false: the same newsletter without the three pixels (clean mail: nothing
// to rewrite with the default ruleset).
std::string make_newsletter(int serial, Encoding cte, std::size_t bytes = 50 * 1024,
                            bool trackers = true);

// One message whose single text/html part (quoted-printable) is ~`bytes` long: a long
// newsletter archive with an image every ~2 KB, 3 tracking pixels in total.
std::string make_large_html(std::size_t bytes);

// A single-part HTML message (quoted-printable) of ~`bytes` with `trackers` vendor
// pixels spread through it, every other product block with an ordinary image: for the
// capacity table (CPU per message against size and tracker count).
std::string make_sized_message(std::size_t bytes, int trackers);
// A short text/plain note plus non-text attachments (PDF, JPEG, ZIP; base64) totalling
// ~`bytes`: the engine must skip them, not decode them.
std::string make_attachment_message(int serial, std::size_t bytes);

// multipart/alternative text/plain + text/html (7bit) of ~`bytes` with links but no
// remote resources.
std::string make_text_message(int serial, std::size_t bytes);

// Every *.eml below `dir`, recursively, sorted by path.
std::vector<std::string> load_eml_tree(const std::string& dir);

// Copies the ruleset directory `rules_dir` (rules/) to `dir` and rewrites its
// lists/lure-domains.txt to hold the original entries plus `domains` generated,
// distinct registrable domains. Returns the path of the copied entry file.
std::string write_big_ruleset(const std::string& rules_dir, const std::string& dir, long domains);

// Quoted-printable and base64 bodies with CRLF soft line breaks (76 columns).
std::string qp_encode(const std::string& in);
std::string base64_encode(const std::string& in);

}  // namespace pixelwarden::bench

// pw_stage_bench: is every engine stage linear in its input? Each stage runs on inputs
// of size S, 2S and 4S (generated, deterministic) and the table gives the CPU time per
// size and the larger of the two time ratios per doubling (1.0 is free, 2.0 is linear;
// the target is <= 2.2). A quadratic stage shows ~4.
//
//   pw_stage_bench [--size BYTES] [--runs 3] [--only SUBSTRING]
//   pw_stage_bench --capacity 1    (CPU per message against size and tracker count)
//   pw_stage_bench --capacity 1 --evict BYTES   (the same, caches evicted before each message)
//   pw_stage_bench --capacity 1 --evict BYTES --evict-stride 4096   (the TLB, not the caches)
//   pw_stage_bench --capacity 1 --pause-us 2000   (the thread sleeps before each message)
//
// Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), median of --runs, so
// neighbours on a shared machine change them little; pin it anyway (`taskset -c 0`).
// The table also gives the page faults per run at each size (the thread's minor faults).
// Past a few MB two things add cost that jumps between sizes instead of growing with
// them: output buffers that glibc maps fresh for each call and unmaps after (the faults
// column shows them), and inputs and outputs that outgrow the caches (no faults; the
// loop becomes bound by memory bandwidth). So run it at a cache-resident size too
// (--size 262144 --runs 9, as tests/bench/run does): a loop whose cost per byte grows with
// the input is over the target there as well.
// Not a unit test: run by tests/bench/run (engine) or by hand.

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "corpus.hpp"
#include "engine/body.hpp"
#include "engine/inspect.hpp"
#include "html/attr_syntax.hpp"
#include "html/css.hpp"
#include "html/resource.hpp"
#include "html/tokenizer.hpp"
#include "mime/codec.hpp"
#include "mime/header.hpp"
#include "mime/reencode.hpp"
#include "mime/walk.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::bench {
namespace {

double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Minor page faults of this thread so far.
long thread_faults() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_minflt;
}

struct Stage {
  const char* name;
  std::function<std::string(std::size_t)> make;  // an input of about this many bytes
  std::function<std::size_t(const std::string&)> run;
};

// Repeats `unit` (with its index substituted for {}) until `bytes` is reached.
std::string repeat(std::size_t bytes, const std::function<std::string(std::size_t)>& unit) {
  std::string out;
  out.reserve(bytes + 256);
  for (std::size_t i = 0; out.size() < bytes; ++i) out += unit(i);
  return out;
}

std::string large_html(std::size_t bytes) {
  return engine::decoded_text_parts(make_large_html(bytes), false).at(0);
}

std::string text_of(std::size_t bytes) {
  return repeat(bytes, [](std::size_t i) {
    return fmt::format(
        "Line {} of the archive: caf\xc3\xa9 = 3 \xe2\x82\xac, tabs\tand trailing space \r\n", i);
  });
}

std::vector<Stage> stages(const std::shared_ptr<const ruleset::Ruleset>& rules) {
  std::vector<Stage> s;
  s.push_back({"tokenizer", large_html, [](const std::string& in) {
                 html::Tokenizer t(in);
                 html::Token tok;
                 std::size_t n = 0;
                 while (t.next(tok)) ++n;
                 return n;
               }});
  s.push_back({"html scan (newsletter archive)", large_html,
               [](const std::string& in) { return html::scan(in).resources.size(); }});
  s.push_back({"style blocks",
               [](std::size_t b) {
                 return "<html><body>" + repeat(b, [](std::size_t i) {
                          return fmt::format(
                              "<style>.c{0}{{background:url(https://cdn.example/{0}.png);"
                              "color:#333}} @media (max-width:600px){{.c{0}{{width:100%}}}}"
                              "</style><p class=\"c{0}\">text {0}</p>\r\n",
                              i);
                        });
               },
               [](const std::string& in) { return html::scan(in).resources.size(); }});
  s.push_back({"style attributes",
               [](std::size_t b) {
                 return repeat(b, [](std::size_t i) {
                   return fmt::format("<td "
                                      "style=\"padding:10px;width:{}px;background-image:url(https:/"
                                      "/cdn.example/{}.png)\">x</td>\r\n",
                                      i % 600, i);
                 });
               },
               [](const std::string& in) { return html::scan(in).resources.size(); }});
  s.push_back({"CSS (one stylesheet)",
               [](std::size_t b) {
                 return repeat(b, [](std::size_t i) {
                   return fmt::format(
                       ".c{0} {{ background: url(\"https://cdn.example/{0}.png\") no-repeat; "
                       "color: #333 }} /* note {0} */\n@import url(https://cdn.example/{0}.css);\n",
                       i);
                 });
               },
               [](const std::string& in) {
                 std::vector<html::CssRef> refs;
                 html::scan_css(in, refs);
                 return refs.size();
               }});
  s.push_back({"style declarations",
               [](std::size_t b) {
                 return repeat(b, [](std::size_t i) {
                   return fmt::format("width:{}px;color:red;", i % 999);
                 });
               },
               [](const std::string& in) {
                 return static_cast<std::size_t>(html::style_facts(in).hidden());
               }});
  s.push_back({"srcset",
               [](std::size_t b) {
                 return repeat(b, [](std::size_t i) {
                   return fmt::format("https://img.example/{}.jpg {}w, ", i, 100 + i);
                 });
               },
               [](const std::string& in) {
                 std::vector<html::SrcsetCandidate> out;
                 html::parse_srcset(in, out);
                 return out.size();
               }});
  s.push_back(
      {"QP decode", [](std::size_t b) { return qp_encode(text_of(b)); },
       [](const std::string& in) { return mime::decode(in, mime::Cte::quoted_printable).size(); }});
  s.push_back({"base64 decode", [](std::size_t b) { return base64_encode(text_of(b)); },
               [](const std::string& in) { return mime::decode(in, mime::Cte::base64).size(); }});
  s.push_back({"QP encode", text_of, [](const std::string& in) {
                 return mime::encode_quoted_printable(in, "\r\n").size();
               }});
  s.push_back(
      {"QP re-encode, 3 edits", [](std::size_t b) { return qp_encode(text_of(b)); },
       [](const std::string& enc) {
         const std::string dec = mime::decode(enc, mime::Cte::quoted_printable);
         std::string changed = dec;
         std::vector<base::Patch> edits;
         for (std::size_t at : {dec.size() / 10, dec.size() / 2, dec.size() - 100}) {
           changed[at] = 'X';
           edits.push_back({at, 1, "X"});
         }
         return mime::reencode_edits(enc, dec, changed, edits, mime::Cte::quoted_printable).size();
       }});
  s.push_back({"MIME walker (1 KB parts)",
               [](std::size_t b) {
                 return "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
                        repeat(
                            b,
                            [](std::size_t i) {
                              return fmt::format(
                                  "--b\r\nContent-Type: text/plain; name=\"p{}.txt\"\r\n\r\n{}\r\n",
                                  i, std::string(1000, 'a' + static_cast<char>(i % 26)));
                            }) +
                        "--b--\r\n";
               },
               [](const std::string& in) {
                 const auto split = mime::split_message(in);
                 return mime::walk(split.header_block, split.body, mime::WalkLimits{32, 1 << 30})
                     .parts.size();
               }});
  s.push_back({"header fields",
               [](std::size_t b) {
                 return repeat(b,
                               [](std::size_t i) {
                                 return fmt::format(
                                     "X-Field-{}: value {} with a\r\n folded continuation\r\n", i,
                                     i);
                               }) +
                        "\r\n";
               },
               [](const std::string& in) { return mime::parse_header_block(in).size(); }});
  s.push_back(
      {"one long header",
       [](std::size_t b) {
         return "To: " +
                repeat(b, [](std::size_t i) { return fmt::format("u{}@example.com,\r\n ", i); }) +
                "last@example.com\r\n\r\n";
       },
       [](const std::string& in) { return mime::parse_header_block(in).size(); }});
  s.push_back({"engine inspect (one HTML part)", make_large_html, [rules](const std::string& in) {
                 // No size cap: at 4S past the daemon's 25 MiB default the message would
                 // be skipped, not inspected, and the row would time nothing.
                 engine::Limits limits;
                 limits.max_message_bytes = in.size() + 1;
                 return engine::inspect(in, engine::Envelope{}, rules, limits).trackers.size();
               }});
  return s;
}

// CPU time of engine::inspect() per message against message size and tracker count,
// and what that makes per core: the capacity table of docs/capacity.md.
// With `evict` > 0, each message is preceded by writes over a buffer of that many bytes
// (untimed). Past the size of the last-level cache that leaves the engine's
// code, tables and buffers in memory, as a busy MTA's processes do between two messages
// on a shared gateway. Each message is timed on its own. The writes are `stride` bytes
// apart: 64 (a cache line) empties the caches; 4096 (a page) over a large buffer
// empties the TLB while it writes only a 64th of the lines.
// With `pause_us` > 0 the thread sleeps that long before each message instead (or after
// the eviction): what a message costs after the core has run other work for that long,
// the machine's own and, on a shared host, its neighbours'.
// `only`, when not empty, keeps the rows whose "KB:trackers" label contains it ("50:3"),
// so that one message can be profiled on its own (callgrind, perf).
int capacity(const std::shared_ptr<const ruleset::Ruleset>& rules, int runs, std::size_t evict,
             std::size_t stride, long pause_us, const std::string& only) {
  std::printf("| message | trackers | CPU us per message | messages/s per core | MB/s per core "
              "|\n|---|---|---|---|---|\n");
  std::vector<unsigned char> junk(evict);
  for (std::size_t kb : {10, 50, 200, 1000, 5000}) {
    for (int trackers : {0, 3, 20}) {
      if (!only.empty() && fmt::format("{}:{}", kb, trackers).find(only) == std::string::npos)
        continue;
      const std::string msg = make_sized_message(kb * 1000, trackers);
      engine::Limits limits;
      std::size_t sink = 0;
      // CPU seconds of `reps` messages, each after an eviction or a pause when there is one.
      const bool between = evict > 0 || pause_us > 0;
      const timespec pause{pause_us / 1000000, (pause_us % 1000000) * 1000};
      auto sample = [&](int reps) {
        if (!between) {
          const double t0 = thread_cpu();
          for (int r = 0; r < reps; ++r)
            sink += engine::inspect(msg, engine::Envelope{}, rules, limits).trackers.size();
          return thread_cpu() - t0;
        }
        double t = 0;
        for (int r = 0; r < reps; ++r) {
          for (std::size_t i = 0; i < junk.size(); i += stride) ++junk[i];
          if (pause_us > 0) nanosleep(&pause, nullptr);
          const double t0 = thread_cpu();
          sink += engine::inspect(msg, engine::Envelope{}, rules, limits).trackers.size();
          t += thread_cpu() - t0;
        }
        return t;
      };
      // A sample of at least 50 ms; with evictions or pauses, 20 messages (each eviction
      // costs more than a small message, and each message is timed on its own).
      int reps = 1;
      if (between)
        reps = 20;
      else
        for (double t = 0; t < 0.05; reps *= 2) t = sample(reps);
      std::vector<double> per;
      for (int k = 0; k < runs; ++k) per.push_back(sample(reps) / reps);
      asm volatile("" : : "r"(sink), "r"(junk.data()) : "memory");
      std::sort(per.begin(), per.end());
      const double s = per[per.size() / 2];
      std::printf("| %zu KB | %d | %.0f | %.0f | %.0f |\n", msg.size() / 1000, trackers, s * 1e6,
                  1 / s, static_cast<double>(msg.size()) / s / 1e6);
    }
  }
  return 0;
}

}  // namespace
}  // namespace pixelwarden::bench

int main(int argc, char** argv) {
  using namespace pixelwarden;
  std::size_t size = 2u << 20;
  int runs = 3;
  std::string only;
  bool capacity_table = false;
  std::size_t evict = 0;
  std::size_t stride = 64;
  long pause_us = 0;
  std::string rules_path = PIXELWARDEN_SOURCE_DIR "/rules/default.yaml";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--size") == 0)
      size = std::strtoul(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--runs") == 0)
      runs = std::max(1, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--only") == 0)
      only = argv[i + 1];
    else if (std::strcmp(argv[i], "--rules") == 0)
      rules_path = argv[i + 1];
    else if (std::strcmp(argv[i], "--capacity") == 0)
      capacity_table = std::atoi(argv[i + 1]) != 0;
    else if (std::strcmp(argv[i], "--evict") == 0)
      evict = std::strtoul(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--evict-stride") == 0)
      stride = std::max<std::size_t>(1, std::strtoul(argv[i + 1], nullptr, 10));
    else if (std::strcmp(argv[i], "--pause-us") == 0)
      pause_us = std::max(0L, std::strtol(argv[i + 1], nullptr, 10));
  }
  auto loaded = ruleset::load_ruleset(rules_path);
  if (!loaded.ruleset) {
    std::fprintf(stderr, "cannot load %s\n", rules_path.c_str());
    return 1;
  }
  if (capacity_table) return bench::capacity(loaded.ruleset, runs, evict, stride, pause_us, only);
  std::printf("| stage | S | CPU ms at S | 2S | 4S | ratio per doubling (max) | page faults per "
              "run at S, 2S, 4S | target <= 2.2 |\n|---|---|---|---|---|---|---|---|\n");
  int failed = 0;
  for (const auto& st : bench::stages(loaded.ruleset)) {
    if (!only.empty() && std::string(st.name).find(only) == std::string::npos) continue;
    double ms[3] = {0, 0, 0};
    long faults[3] = {0, 0, 0};
    std::size_t sink = 0;
    // The three sizes take turns, run by run, so that a slow stretch of a shared machine
    // falls on all of them alike instead of on whichever size was running then.
    std::vector<std::string> inputs;
    for (int k = 0; k < 3; ++k) {
      inputs.push_back(st.make(size << k));
      sink += st.run(inputs.back());  // warm
    }
    std::vector<double> t[3];
    for (int r = 0; r < runs; ++r) {
      for (int k = 0; k < 3; ++k) {
        const long f0 = bench::thread_faults();
        const double t0 = bench::thread_cpu();
        sink += st.run(inputs[static_cast<std::size_t>(k)]);
        t[k].push_back((bench::thread_cpu() - t0) * 1000);
        faults[k] += bench::thread_faults() - f0;
      }
    }
    for (int k = 0; k < 3; ++k) {
      faults[k] /= runs;
      std::sort(t[k].begin(), t[k].end());
      ms[k] = t[k][t[k].size() / 2];
    }
    asm volatile("" : : "r"(sink) : "memory");
    const double ratio = std::max(ms[1] / std::max(ms[0], 1e-6), ms[2] / std::max(ms[1], 1e-6));
    const bool met = ratio <= 2.2;
    failed += met ? 0 : 1;
    std::printf("| %s | %.2f MB | %.2f | %.2f | %.2f | %.2f | %ld, %ld, %ld | %s |\n", st.name,
                static_cast<double>(size) / 1e6, ms[0], ms[1], ms[2], ratio, faults[0], faults[1],
                faults[2], met ? "met" : "NOT met");
  }
  return failed == 0 ? 0 : 3;
}

// pw_engine_bench: engine::inspect() throughput on one core, against memcpy of the same
// bytes measured in the same run (the physical reference).
//
//   pw_engine_bench [--rules FILE] [--big-rules FILE] [--corpus DIR] [--samples 5]
//                   [--sample-ms 200] [--only SUBSTRING] [--show-verdicts 1]
//
// Each figure (MB per CPU second of the benchmark thread) is the median of --samples timed samples,
// each repeating the whole set until it lasts at least --sample-ms, after one untimed warm-up pass;
// the samples of memcpy, the default and the 1M ruleset are taken in turn. Pin it with `taskset -c
// 0` (tests/bench/run does). The 1M-domain ruleset comes from `pw_bench_message big-rules DIR`.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "corpus.hpp"
#include "engine/inspect.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Samples are timed in this thread's CPU time: on a machine shared with builds, wall
// time would measure the neighbours (a load average of 25 cut wall-clock MB/s by 5x);
// MB per CPU second is the per-core throughput an admin sizes a gateway with.
double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Options {
  std::string rules = PIXELWARDEN_SOURCE_DIR "/rules/default.yaml";
  std::string big_rules;
  std::string corpus = PIXELWARDEN_DATA_DIR "/html-mail";
  int samples = 5;
  double sample_ms = 200;
  std::string only;            // run only the sets whose name contains this
  bool show_verdicts = false;  // print the first message's verdict JSON per set (stderr)
};

struct Set {
  std::string name;
  std::string target;  // what the issue asks of this set, for the table
  std::vector<std::string> messages;
  std::size_t bytes() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.size();
    return n;
  }
};

// A timed workload: one pass over a set, repeated `reps` times per sample.
struct Workload {
  std::function<void()> pass;
  int reps = 1;
  std::vector<double> rates;  // bytes/s, one per sample
  double median() {
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
  }
};

// Warms every workload (one untimed pass), sizes its samples to last --sample-ms, then
// takes the samples round-robin, so that a load change on the machine hits all of them
// alike instead of whichever happened to run at the time.
void measure(std::vector<Workload*> loads, std::size_t bytes, const Options& o) {
  for (Workload* w : loads) {
    w->pass();
    auto t0 = Clock::now();
    w->pass();
    double one = std::chrono::duration<double>(Clock::now() - t0).count();
    w->reps = std::max(1, static_cast<int>(o.sample_ms / 1000.0 / std::max(one, 1e-9)));
  }
  for (int s = 0; s < o.samples; ++s) {
    for (Workload* w : loads) {
      const double t0 = thread_cpu();
      for (int r = 0; r < w->reps; ++r) w->pass();
      double secs = std::max(thread_cpu() - t0, 1e-9);
      w->rates.push_back(static_cast<double>(bytes) * w->reps / secs);
    }
  }
}

Workload memcpy_load(const Set& set, std::vector<char>& dst) {
  std::size_t largest = 0;
  for (const auto& m : set.messages) largest = std::max(largest, m.size());
  dst.assign(largest, 0);
  return {[&set, &dst] {
            for (const auto& m : set.messages) {
              std::memcpy(dst.data(), m.data(), m.size());
              asm volatile("" : : "r"(dst.data()) : "memory");  // keep the copy
            }
          },
          1,
          {}};
}

engine::Envelope bench_envelope() {
  engine::Envelope env;
  env.mail_from = "news@news.example";
  env.rcpt = {"reader@corp.example"};
  env.client_ip = "198.51.100.7";
  env.helo = "mta.news.example";
  return env;
}

// What one ruleset did to a set: tracker decisions per message, share modified.
struct Effect {
  double trackers_per_msg = 0;
  double modified_share = 0;
};

Effect effect(const Set& set, const std::shared_ptr<const ruleset::Ruleset>& rules) {
  std::size_t trackers = 0, modified = 0;
  for (const auto& m : set.messages) {
    engine::Verdict v = engine::inspect(m, bench_envelope(), rules);
    trackers += v.trackers.size();
    modified += v.modified ? 1 : 0;
  }
  auto n = static_cast<double>(set.messages.size());
  return {static_cast<double>(trackers) / n, static_cast<double>(modified) / n};
}

Workload engine_load(const Set& set, const std::shared_ptr<const ruleset::Ruleset>& rules,
                     std::size_t& sink) {
  return {[&set, rules, &sink] {
            const engine::Envelope env = bench_envelope();
            for (const auto& m : set.messages)
              sink += engine::inspect(m, env, rules).trackers.size();
          },
          1,
          {}};
}

// The message sets; only those whose name contains --only are generated.
std::vector<Set> make_sets(const Options& o) {
  std::vector<Set> sets;
  auto want = [&](const char* name) { return std::string(name).find(o.only) != std::string::npos; };
  // The outside corpus is optional (PIXELWARDEN_CORPORA or --corpus): without it the
  // other sets still run.
  if (want("html-mail corpus")) {
    std::error_code ec;
    if (std::filesystem::is_directory(o.corpus, ec)) {
      sets.push_back({"html-mail corpus", "-", load_eml_tree(o.corpus)});
    } else {
      std::fprintf(stderr, "html-mail corpus: %s not found, set left out (--corpus DIR)\n",
                   o.corpus.c_str());
    }
  }
  for (Encoding e : {Encoding::quoted_printable, Encoding::base64}) {
    Set s{
        e == Encoding::base64 ? "newsletter 50KB base64" : "newsletter 50KB QP", ">= 500 MB/s", {}};
    if (!want(s.name.c_str())) continue;
    for (int i = 0; i < 20; ++i) s.messages.push_back(make_newsletter(i, e));
    sets.push_back(std::move(s));
  }
  if (want("newsletter 50KB QP clean")) {
    Set s{"newsletter 50KB QP clean", "-", {}};
    for (int i = 0; i < 20; ++i)
      s.messages.push_back(make_newsletter(i, Encoding::quoted_printable, 50 * 1024, false));
    sets.push_back(std::move(s));
  }
  if (want("10 MB HTML part"))
    sets.push_back({"10 MB HTML part", ">= 300 MB/s", {make_large_html(10u << 20)}});
  if (want("attachments 4x4MB")) {
    Set att{"attachments 4x4MB", ">= 2 GB/s", {}};
    for (int i = 0; i < 4; ++i) att.messages.push_back(make_attachment_message(i, 4u << 20));
    sets.push_back(std::move(att));
  }
  if (want("text, no resources 100KB")) {
    Set text{"text, no resources 100KB", ">= 1 GB/s", {}};
    for (int i = 0; i < 20; ++i) text.messages.push_back(make_text_message(i, 100 * 1024));
    sets.push_back(std::move(text));
  }
  return sets;
}

std::shared_ptr<const ruleset::Ruleset> load(const std::string& path, double& seconds) {
  auto t0 = Clock::now();
  ruleset::LoadResult r = ruleset::load_ruleset(path);
  seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!r.ruleset) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    throw std::runtime_error("cannot load ruleset " + path);
  }
  return r.ruleset;
}

// "met" / "NOT met" for a target ">= N MB/s" or ">= N GB/s"; "" for any other text.
std::string verdict_of(const std::string& target, double rate) {
  double n = 0;
  char unit[8] = {};
  if (std::sscanf(target.c_str(), ">= %lf %2[MG]B/s", &n, unit) != 2) return "";
  const double want = n * (unit[0] == 'G' ? 1e9 : 1e6);
  return rate >= want ? "met" : "NOT met";
}

void print_row(const std::string& set, const std::string& rules, std::size_t msgs, double mb,
               double rate, const Effect& e, double mem, const std::string& target) {
  std::printf("| %-26s | %-7s | %5zu | %8.1f | %9.1f | %10.1f | %9.0f | %7.4f | %5.1f | %4.0f%% | "
              "%-13s | %-7s |\n",
              set.c_str(), rules.c_str(), msgs, mb, rate / 1e6,
              rate / (mb * 1e6) * static_cast<double>(msgs), mem / 1e6, rate / mem,
              e.trackers_per_msg, e.modified_share * 100, target.c_str(),
              verdict_of(target, rate).c_str());
}

int run(const Options& o) {
  double load_default = 0, load_big = 0;
  auto rules = load(o.rules, load_default);
  std::shared_ptr<const ruleset::Ruleset> big;
  if (!o.big_rules.empty()) big = load(o.big_rules, load_big);
  std::printf("ruleset load+compile: default %.3f s", load_default);
  if (big)
    std::printf(", 1M-domain %.3f s (compile_seconds %.3f, list entries %zu; target <= 3 s)",
                load_big, big->sizes().compile_seconds, big->sizes().list_entries);
  std::printf(
      "\n\n| %-26s | %-7s | %5s | %8s | %9s | %10s | %9s | %7s | %5s | %5s | %-13s | %-7s |\n",
      "set", "rules", "msgs", "MB", "MB/s", "msgs/s", "memcpy", "/memcpy", "trk/m", "mod", "target",
      "");
  std::printf("|%s|\n", std::string(149, '-').c_str());
  for (const auto& set : make_sets(o)) {
    if (o.show_verdicts) {
      engine::Envelope env;
      env.mail_from = "news@news.example";
      env.rcpt = {"reader@corp.example"};
      std::fprintf(stderr, "%s: %s\n", set.name.c_str(),
                   engine::to_json(engine::inspect(set.messages.front(), env, rules)).c_str());
    }
    double mb = static_cast<double>(set.bytes()) / 1e6;
    std::vector<char> dst;
    std::size_t sink = 0;
    Workload mem = memcpy_load(set, dst);
    Workload def = engine_load(set, rules, sink);
    std::vector<Workload*> loads = {&mem, &def};
    Workload one_m;
    if (big) {
      one_m = engine_load(set, big, sink);
      loads.push_back(&one_m);
    }
    measure(loads, set.bytes(), o);
    asm volatile("" : : "r"(sink) : "memory");
    const double mem_rate = mem.median(), def_rate = def.median();
    print_row(set.name, "default", set.messages.size(), mb, def_rate, effect(set, rules), mem_rate,
              set.target);
    if (big) {
      const double big_rate = one_m.median();
      print_row(set.name, "1M", set.messages.size(), mb, big_rate, effect(set, big), mem_rate,
                fmt::format("{:+.1f}% vs def", (big_rate / def_rate - 1) * 100));
    }
    std::fflush(stdout);
  }
  std::printf("\nMB = 10^6 bytes of whole messages; memcpy = the same bytes copied, same run;"
              " trk/m = tracker decisions per message; mod = messages modified.\n");
  return 0;
}

}  // namespace
}  // namespace pixelwarden::bench

int main(int argc, char** argv) {
  using namespace pixelwarden::bench;
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--rules")
      o.rules = v;
    else if (a == "--big-rules")
      o.big_rules = v;
    else if (a == "--corpus")
      o.corpus = v;
    else if (a == "--samples")
      o.samples = std::max(1, std::atoi(v.c_str()));
    else if (a == "--sample-ms")
      o.sample_ms = std::atof(v.c_str());
    else if (a == "--only")
      o.only = v;
    else if (a == "--show-verdicts")
      o.show_verdicts = v != "0";
    else {
      std::fprintf(stderr, "pw_engine_bench: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pw_engine_bench: %s\n", e.what());
    return 1;
  }
}

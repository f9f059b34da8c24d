// pw_milter_loadgen: drives a milter like Postfix 3.7 would, over N concurrent
// connections, and reports messages/s and the latency from end of body (EOB sent) to
// the final reply.
//
//   pw_milter_loadgen -s SOCKET -F msg.eml [-c 16] [-m 4000] [-w 2] [-k 1] [-r RATE] [--nodelay]
//
// -c connections, -m timed messages in total, -w untimed warm-up messages per
// connection, -k messages per milter connection (Postfix opens one milter connection
// per SMTP session; smtp-source sends one message per session by default).
// -r paces the timed messages at RATE messages/s in total (open loop: each connection
// starts its messages on a fixed schedule, RATE/c per second, and as soon as it can
// when it falls behind); without -r every connection sends back to back (saturation).
// At saturation, latency is mostly queueing, set by throughput (Little's law); at a
// fixed rate both milters get the same offered load, so the latency difference is what
// the milter adds to a message.
// Output: one line of key=value pairs (parsed by tests/bench/run); latencies p50/p99/p999
// from EOB sent, content_p50/p99 from the first header sent, to the final reply.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "milter_client.hpp"

namespace pixelwarden::bench {
namespace {

struct Options {
  std::string socket;
  std::string file;
  int connections = 16;
  long messages = 4000;
  int warmup = 2;
  int per_connection = 1;
  double rate = 0;  // messages/s in total; 0: back to back
  bool nodelay = false;
};

struct Totals {
  std::mutex mutex;
  std::vector<std::uint64_t> latencies_ns;          // end of body -> final reply
  std::vector<std::uint64_t> content_latencies_ns;  // first header -> final reply
  long errors = 0;
  long late = 0;  // paced messages started more than one interval behind schedule
  long replbody_msgs = 0;
  std::uint64_t replbody_packets = 0;
  std::uint64_t header_edits = 0;
  long final_counts[128] = {};
  std::string first_error;
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: pw_milter_loadgen -s SOCKET -F FILE [-c N] [-m MSGS] [-w WARMUP] "
                       "[-k PER_CONN] [-r RATE] [--nodelay]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "-s")
      o.socket = next();
    else if (a == "-F")
      o.file = next();
    else if (a == "-c")
      o.connections = std::atoi(next().c_str());
    else if (a == "-m")
      o.messages = std::atol(next().c_str());
    else if (a == "-w")
      o.warmup = std::atoi(next().c_str());
    else if (a == "-k")
      o.per_connection = std::max(1, std::atoi(next().c_str()));
    else if (a == "-r")
      o.rate = std::atof(next().c_str());
    else if (a == "--nodelay")
      o.nodelay = true;
    else
      usage();
  }
  if (o.socket.empty() || o.file.empty() || o.connections < 1) usage();
  return o;
}

// One connection's worth of work: `count` messages, reconnecting every
// `per_connection` messages. Returns the outcomes of the timed ones into `totals`.
class Worker {
 public:
  Worker(const Options& o, const MilterMessage& msg, Totals& totals)
      : m_options(o), m_msg(msg), m_totals(totals) {}

  // interval > 0: message i starts no earlier than first + i * interval.
  void run(long count, bool timed, std::atomic<std::uint64_t>& serial,
           std::chrono::steady_clock::time_point first = {},
           std::chrono::nanoseconds interval = std::chrono::nanoseconds(0)) {
    std::vector<std::uint64_t> lat, content_lat;
    lat.reserve(static_cast<std::size_t>(count));
    content_lat.reserve(static_cast<std::size_t>(count));
    long errors = 0, replbody = 0, late = 0;
    auto pace = [&](long i) {
      if (interval.count() <= 0) return;
      const auto due = first + interval * i;
      const auto now = std::chrono::steady_clock::now();
      if (now < due)
        std::this_thread::sleep_until(due);
      else if (now - due > interval)
        ++late;
    };
    std::uint64_t packets = 0, headers = 0;
    long finals[128] = {};
    std::string first_error;
    for (long done = 0; done < count;) {
      pace(done);
      MilterClient client(m_options.socket, m_options.nodelay);
      std::string error;
      if (!client.open(error)) {
        ++errors;
        ++done;
        if (first_error.empty()) first_error = error;
        continue;
      }
      for (int k = 0; k < m_options.per_connection && done < count; ++k, ++done) {
        if (k > 0) {
          pace(done);
          client.abort_message();
        }
        MessageOutcome r = client.send_message(m_msg, serial.fetch_add(1));
        if (!r.ok) {
          ++errors;
          if (first_error.empty()) first_error = r.error;
          break;
        }
        lat.push_back(r.eob_to_final_ns);
        content_lat.push_back(r.content_to_final_ns);
        finals[static_cast<unsigned char>(r.final_reply) & 127]++;
        if (r.replbody_packets > 0) ++replbody;
        packets += r.replbody_packets;
        headers += r.header_edits;
      }
      client.close();
    }
    if (!timed) return;
    std::lock_guard<std::mutex> lock(m_totals.mutex);
    m_totals.latencies_ns.insert(m_totals.latencies_ns.end(), lat.begin(), lat.end());
    m_totals.content_latencies_ns.insert(m_totals.content_latencies_ns.end(), content_lat.begin(),
                                         content_lat.end());
    m_totals.errors += errors;
    m_totals.late += late;
    m_totals.replbody_msgs += replbody;
    m_totals.replbody_packets += packets;
    m_totals.header_edits += headers;
    for (int i = 0; i < 128; ++i) m_totals.final_counts[i] += finals[i];
    if (m_totals.first_error.empty()) m_totals.first_error = first_error;
  }

 private:
  const Options& m_options;
  const MilterMessage& m_msg;
  Totals& m_totals;
};

double percentile_us(std::vector<std::uint64_t>& v, double p) {
  if (v.empty()) return 0;
  std::size_t idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return static_cast<double>(v[idx]) / 1000.0;
}

int run(const Options& o) {
  MilterMessage msg = load_message(o.file, "sender@news.example", "reader@corp.example");
  Totals totals;
  std::atomic<std::uint64_t> serial{1};
  // Warm-up: every connection sends a few untimed messages first.
  {
    std::vector<std::thread> threads;
    for (int c = 0; c < o.connections; ++c)
      threads.emplace_back([&] { Worker(o, msg, totals).run(o.warmup, false, serial); });
    for (auto& t : threads) t.join();
  }
  auto t0 = std::chrono::steady_clock::now();
  // Paced: each connection every c/rate seconds, the connections' phases spread evenly.
  const auto interval = std::chrono::nanoseconds(
      o.rate > 0 ? static_cast<long long>(1e9 * o.connections / o.rate) : 0);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    long share = o.messages / o.connections + (c < o.messages % o.connections ? 1 : 0);
    const auto first = t0 + interval * c / o.connections;
    threads.emplace_back(
        [&, share, first] { Worker(o, msg, totals).run(share, true, serial, first, interval); });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto& lat = totals.latencies_ns;
  std::size_t n = lat.size();
  const long accepts = totals.final_counts[static_cast<int>('a')];
  const long continues = totals.final_counts[static_cast<int>('c')];
  double p50 = percentile_us(lat, 0.50), p99 = percentile_us(lat, 0.99),
         p999 = percentile_us(lat, 0.999);
  double c50 = percentile_us(totals.content_latencies_ns, 0.50),
         c99 = percentile_us(totals.content_latencies_ns, 0.99);
  std::printf("msgs=%zu secs=%.3f rate=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f "
              "content_p50_us=%.1f content_p99_us=%.1f errors=%ld late=%ld "
              "replbody_msgs=%ld replbody_packets=%llu header_edits=%llu accept=%ld continue=%ld "
              "other=%ld body_bytes=%zu\n",
              n, secs, static_cast<double>(n) / secs, p50, p99, p999, c50, c99, totals.errors,
              totals.late, totals.replbody_msgs,
              static_cast<unsigned long long>(totals.replbody_packets),
              static_cast<unsigned long long>(totals.header_edits), accepts, continues,
              static_cast<long>(n) - accepts - continues, msg.body.size());
  if (!totals.first_error.empty())
    std::fprintf(stderr, "first error: %s\n", totals.first_error.c_str());
  return totals.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace pixelwarden::bench

int main(int argc, char** argv) {
  try {
    return pixelwarden::bench::run(pixelwarden::bench::parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pw_milter_loadgen: %s\n", e.what());
    return 1;
  }
}

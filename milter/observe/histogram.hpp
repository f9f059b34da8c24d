#pragma once
// AtomicHistogram: a label-less Prometheus histogram whose observe() is lock-free.
//
// prometheus::Histogram::Observe locks a mutex per call; the mail path must take no
// lock, so this one keeps one relaxed atomic per bucket (non-cumulative) plus an atomic
// sum. collect() builds the cumulative buckets; `_count` is the sum of the buckets read
// in that same pass, so count and buckets always agree within one scrape (the sum may
// lag by the observations in flight, which Prometheus tolerates).
//
// Non-goals: labels, removal. The daemon appends collect() to the registry's families.

#include <prometheus/metric_family.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pixelwarden::observe {

class AtomicHistogram {
 public:
  // bounds: strictly increasing upper bounds; +Inf is implicit.
  AtomicHistogram(std::string name, std::string help, std::vector<double> bounds);

  void observe(double value);
  prometheus::MetricFamily collect() const;

 private:
  std::string m_name;
  std::string m_help;
  std::vector<double> m_bounds;
  std::unique_ptr<std::atomic<std::uint64_t>[]> m_counts;  // m_bounds.size() + 1 (+Inf)
  std::atomic<double> m_sum{0.0};
};

}  // namespace pixelwarden::observe

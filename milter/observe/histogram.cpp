#include "observe/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace pixelwarden::observe {

AtomicHistogram::AtomicHistogram(std::string name, std::string help, std::vector<double> bounds)
    : m_name(std::move(name)), m_help(std::move(help)), m_bounds(std::move(bounds)),
      m_counts(std::make_unique<std::atomic<std::uint64_t>[]>(m_bounds.size() + 1)) {
  if (!std::is_sorted(m_bounds.begin(), m_bounds.end()) ||
      std::adjacent_find(m_bounds.begin(), m_bounds.end()) != m_bounds.end()) {
    throw std::invalid_argument("histogram bounds must be strictly increasing: " + m_name);
  }
  for (std::size_t i = 0; i <= m_bounds.size(); ++i) m_counts[i].store(0);
}

void AtomicHistogram::observe(double value) {
  if (std::isnan(value)) return;
  // Prometheus buckets are `le`: the first bound >= value.
  auto index = static_cast<std::size_t>(std::lower_bound(m_bounds.begin(), m_bounds.end(), value) -
                                        m_bounds.begin());
  m_counts[index].fetch_add(1, std::memory_order_relaxed);
  double sum = m_sum.load(std::memory_order_relaxed);
  while (!m_sum.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
}

prometheus::MetricFamily AtomicHistogram::collect() const {
  prometheus::MetricFamily family;
  family.name = m_name;
  family.help = m_help;
  family.type = prometheus::MetricType::Histogram;
  prometheus::ClientMetric metric;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= m_bounds.size(); ++i) {
    cumulative += m_counts[i].load(std::memory_order_relaxed);
    prometheus::ClientMetric::Bucket bucket;
    bucket.cumulative_count = cumulative;
    bucket.upper_bound =
        i < m_bounds.size() ? m_bounds[i] : std::numeric_limits<double>::infinity();
    metric.histogram.bucket.push_back(bucket);
  }
  metric.histogram.sample_count = cumulative;
  metric.histogram.sample_sum = m_sum.load(std::memory_order_relaxed);
  family.metric.push_back(std::move(metric));
  return family;
}

}  // namespace pixelwarden::observe

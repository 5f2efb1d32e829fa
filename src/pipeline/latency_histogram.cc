#include "pipeline/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace rkyolo::pipeline::detail {

int LatencyHistogram::bin_of(double ms) {
  if (!(ms > kMinMs)) return 0;  // NaN and negatives too
  const double bin = std::log2(ms / kMinMs) * kBinsPerOctave;
  return bin >= kBins - 1 ? kBins - 1 : static_cast<int>(bin);
}

double LatencyHistogram::value_of(int bin) {
  return kMinMs * std::exp2((bin + 0.5) / kBinsPerOctave);
}

void LatencyHistogram::record(double ms) {
  ++bins_[static_cast<std::size_t>(bin_of(ms))];
  ++count_;
  max_ms_ = std::max(max_ms_, ms);
}

void LatencyHistogram::reset() {
  bins_.fill(0);
  count_ = 0;
  max_ms_ = 0;
}

double LatencyHistogram::quantile(double q) const {
  // The smallest bin whose cumulative count reaches q of the total
  // (nearest-rank), never above the exact maximum.
  const auto rank = static_cast<std::int64_t>(std::ceil(q * static_cast<double>(count_)));
  std::int64_t seen = 0;
  for (int bin = 0; bin < kBins; ++bin) {
    seen += bins_[static_cast<std::size_t>(bin)];
    if (seen >= std::max<std::int64_t>(rank, 1)) return std::min(value_of(bin), max_ms_);
  }
  return max_ms_;
}

Latency LatencyHistogram::summary() const {
  Latency latency;
  latency.count = count_;
  if (count_ == 0) return latency;
  latency.p50_ms = quantile(0.50);
  latency.p99_ms = quantile(0.99);
  latency.max_ms = max_ms_;
  return latency;
}

}  // namespace rkyolo::pipeline::detail

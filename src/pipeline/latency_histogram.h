// A fixed log-scale latency histogram: bounded memory for runs of any
// length, quantiles within half a bin (about 1.1%) of the exact ones.
#pragma once

#include <array>
#include <cstdint>

#include "rkyolo/pipeline.h"

namespace rkyolo::pipeline::detail {

class LatencyHistogram {
 public:
  static constexpr double kMinMs = 1e-3;     // bin 0 holds everything below a microsecond
  static constexpr int kBinsPerOctave = 32;  // bins 2^(1/32) = 2.2% wide
  static constexpr int kOctaves = 28;        // up to 2^28 us, about 4.5 minutes
  static constexpr int kBins = kBinsPerOctave * kOctaves;

  void record(double ms);
  Latency summary() const;
  void reset();
  std::int64_t count() const { return count_; }

  // The bin of `ms`, and the value a quantile falling in bin `bin` reports
  // (the bin's geometric centre); exposed for the tests.
  static int bin_of(double ms);
  static double value_of(int bin);

 private:
  double quantile(double q) const;

  std::array<std::int64_t, kBins> bins_{};
  std::int64_t count_ = 0;
  double max_ms_ = 0;
};

}  // namespace rkyolo::pipeline::detail

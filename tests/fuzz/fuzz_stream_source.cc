// libFuzzer harness: classify_source and parse_stream_list over arbitrary
// bytes. Checks the invariants the CLI relies on, beyond not crashing:
// every parsed entry is a video source with a printable, trimmed location,
// and classifying a location again gives the same kind.
//
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_stream_source.cc src/core/stream_source.cc src/core/status.cc -o fuzz_stream_source
//   ./fuzz_stream_source tests/fuzz/corpus/stream_source
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "rkyolo/stream_source.h"

namespace {
void check(bool condition) {
  if (!condition) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const rkyolo::SourceSpec spec = rkyolo::classify_source(text);
  if (spec.kind == rkyolo::SourceKind::kCamera)
    check(spec.location.rfind("/dev/", 0) == 0);
  else
    check(spec.location == text);

  std::vector<rkyolo::SourceSpec> sources;
  const rkyolo::Status status = rkyolo::parse_stream_list(text, "fuzz.streams", &sources);
  check(status.ok() == !sources.empty());
  check(status.ok() || !status.message().empty());
  for (const rkyolo::SourceSpec& s : sources) {
    check(s.kind != rkyolo::SourceKind::kOther && s.kind != rkyolo::SourceKind::kStreamList);
    check(!s.location.empty());
    for (char c : s.location) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    check(s.location.front() != ' ' && s.location.back() != ' ');
    check(rkyolo::classify_source(s.location).kind == s.kind);
  }
  return 0;
}

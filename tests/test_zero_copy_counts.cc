// Counts what one frame costs in zero-copy mode against the standard mode:
// heap allocations (operator new), large memcpy calls anywhere in the
// process (memcpy is interposed) and bytes moved through the runtime's copy
// API (the emulator's counters). The emulator replays its last outputs so
// only rkyolo's own per-frame work is measured.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <opencv2/imgcodecs.hpp>

#include "rkyolo/model.h"
#include "support/counting_allocator.h"
#include "support/test_env.h"

namespace {
std::atomic<long> g_large_copies{0};
constexpr std::size_t kLargeCopy = 64 * 1024;  // frame-sized data, not rows or headers
}  // namespace

// Exported (see CMakeLists: --export-dynamic-symbol=memcpy), so calls from
// the dlopen'ed runtime land here too.
extern "C" void* memcpy(void* dst, const void* src, std::size_t n) {
  if (n >= kLargeCopy && rkyolo::test::g_counting_allocations.load(std::memory_order_relaxed))
    g_large_copies.fetch_add(1);
  return memmove(dst, src, n);
}

namespace rkyolo {
namespace {

struct Frame {
  long allocations = 0, large_copies = 0;
  double bytes_through_copy_api = 0;
};

Frame measure(RknnIo io) {
  register_builtin_backends();
  DetectorOptions o;
  o.model_path = test::binary_dir() + "/test-models/shapes-rk3588.rknn";
  o.backend = "rknn";
  o.backend_options.rknn.library = test::binary_dir() + "/emulator/librknnrt.so";
  o.backend_options.rknn.io = io;
  std::unique_ptr<Session> d;
  const Status s = test::load_session(o, &d);
  EXPECT_TRUE(s.ok()) << s;
  if (!d) return {};
  auto* stats =
      reinterpret_cast<void (*)(std::uint64_t*, std::uint64_t*, std::uint64_t*)>(dlsym(RTLD_DEFAULT, "rknn_emu_stats"));
  if (stats == nullptr) {
    void* h = dlopen(o.backend_options.rknn.library.c_str(), RTLD_NOW | RTLD_NOLOAD);
    stats = reinterpret_cast<decltype(stats)>(dlsym(h, "rknn_emu_stats"));
  }
  EXPECT_NE(stats, nullptr);
  const cv::Mat img = cv::imread(test::source_dir() + "/samples/scene1.jpg", cv::IMREAD_COLOR);
  const ImageView view{img.data, img.cols, img.rows, img.step[0], PixelFormat::kBgr8};
  DetectionResult r;
  EXPECT_TRUE(d->detect(view, &r).ok());  // warm-up: caches sized, outputs computed once
  EXPECT_FALSE(r.detections.empty());
  constexpr int kFrames = 20;
  std::uint64_t in0 = 0, out0 = 0, in1 = 0, out1 = 0;
  stats(&in0, &out0, nullptr);
  g_large_copies = 0;
  Frame f;
  {
    test::AllocationCounter counter;
    for (int i = 0; i < kFrames; ++i) d->detect(view, &r).ignore();
    f.allocations = counter.count();
  }
  stats(&in1, &out1, nullptr);
  f.large_copies = g_large_copies.load();
  f.bytes_through_copy_api = static_cast<double>((in1 - in0) + (out1 - out0)) / kFrames;
  EXPECT_FALSE(r.detections.empty());
  return f;
}

TEST(ZeroCopyCounts, NoAllocationNoCopyPerFrame) {
  setenv("RKNN_EMU_REPLAY", "1", 1);
  const Frame zc = measure(RknnIo::kZeroCopy);
  const Frame std_mode = measure(RknnIo::kStandard);
  unsetenv("RKNN_EMU_REPLAY");
  std::printf(
      "per frame: zero-copy %ld allocations, %ld large memcpy, %.0f bytes through the copy API; "
      "standard %ld allocations, %ld large memcpy, %.0f bytes through the copy API\n",
      zc.allocations, zc.large_copies, zc.bytes_through_copy_api, std_mode.allocations, std_mode.large_copies,
      std_mode.bytes_through_copy_api);
  EXPECT_EQ(zc.allocations, 0);
  EXPECT_EQ(zc.large_copies, 0);
  EXPECT_EQ(zc.bytes_through_copy_api, 0.0);
  // The standard path moves the input (640x640x3) and every output per frame.
  EXPECT_GE(std_mode.bytes_through_copy_api, 640.0 * 640 * 3);
  EXPECT_EQ(std_mode.allocations, 0);  // copies, but into buffers allocated once
}

}  // namespace
}  // namespace rkyolo

// The pipeline's parts that need no model (these also run on the aarch64
// cross build): frames as image views, the frame pool's policies, the
// latency histogram and the statistics' JSON.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "pipeline/frame_pool.h"
#include "pipeline/latency_histogram.h"
#include "rkyolo/pipeline.h"

namespace rkyolo {
namespace {

TEST(PipelineCore, FramesAreViewedWithoutACopy) {
  static const std::uint8_t pixels[64 * 4] = {};
  VideoFrame frame;
  frame.format = FrameFormat::kYuv420p;
  frame.width = 8;
  frame.height = 4;
  frame.plane_count = 3;
  frame.planes[0] = pixels;
  frame.planes[1] = pixels + 64;
  frame.planes[2] = pixels + 128;
  frame.strides[0] = 16;
  frame.strides[1] = frame.strides[2] = 8;
  frame.full_range = true;
  frame.matrix = YuvMatrix::kBt709;
  ImageView view = image_view_of(frame);
  EXPECT_EQ(view.format, PixelFormat::kYuv420p);
  EXPECT_EQ(view.data, pixels);
  EXPECT_EQ(view.stride_bytes, 16u);
  EXPECT_EQ(view.chroma[0], pixels + 64);
  EXPECT_EQ(view.chroma[1], pixels + 128);
  EXPECT_EQ(view.chroma_stride[1], 8u);
  EXPECT_TRUE(view.full_range);
  EXPECT_EQ(view.matrix, YuvMatrix::kBt709);

  frame.format = FrameFormat::kNv12;
  frame.plane_count = 2;
  view = image_view_of(frame);
  EXPECT_EQ(view.format, PixelFormat::kNv12);
  EXPECT_EQ(view.chroma[0], pixels + 64);
  EXPECT_EQ(view.chroma[1], nullptr);

  frame.format = FrameFormat::kRgb8;
  frame.plane_count = 1;
  view = image_view_of(frame);
  EXPECT_EQ(view.format, PixelFormat::kRgb8);
  EXPECT_EQ(view.width, 8);

  frame.planes[0] = nullptr;  // a DMA-buf frame: no CPU pixels
  EXPECT_TRUE(image_view_of(frame).empty());
}

TEST(PipelineCore, FramePoolDropsTheOldestForLiveSourcesAndLeasesReturnSlots) {
  auto pool = detail::FramePool::create(2);
  for (int i = 0; i < 3; ++i) {
    const int slot = pool->acquire(/*drop_oldest=*/true);  // the third takes frame 0's slot
    ASSERT_GE(slot, 0);
    pool->frame(slot).index = i;
    pool->push_frame(slot);
  }
  EXPECT_EQ(pool->stats().dropped, 1);
  FrameLease a, b;
  const auto soon = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  ASSERT_EQ(pool->pop(a, soon).event, ReadEvent::kFrame);
  ASSERT_EQ(pool->pop(b, soon).event, ReadEvent::kFrame);
  EXPECT_EQ(a->index, 1);
  EXPECT_EQ(b->index, 2);
  a.reset();  // back to the pool: a file source can take it without waiting
  EXPECT_GE(pool->acquire(/*drop_oldest=*/false), 0);
  pool->push_end(Status());
  FrameLease c;
  EXPECT_EQ(pool->pop(c, soon).event, ReadEvent::kEnd);
  EXPECT_EQ(pool->pop(c, std::chrono::steady_clock::now()).event, ReadEvent::kEnd);
}

// A live source's state changes are read in their place among the frames,
// and neither dropped frames nor a flood of errors push them out.
TEST(PipelineCore, FramePoolStateChangesKeepTheirPlaceAndAreNeverDropped) {
  auto pool = detail::FramePool::create(2);
  const auto push = [&](int index) {
    const int slot = pool->acquire(/*drop_oldest=*/true);
    ASSERT_GE(slot, 0);
    pool->frame(slot).index = index;
    pool->push_frame(slot);
  };
  push(0);
  pool->push_state(SourceState::kReconnecting, io_error("'cam' was lost."));
  push(1);
  push(2);  // takes frame 0's slot: the state change after it stays
  EXPECT_EQ(pool->stats().dropped, 1);
  const auto soon = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  FrameLease lease;
  ReadResult r = pool->pop(lease, soon);
  ASSERT_EQ(r.event, ReadEvent::kStateChanged);
  EXPECT_EQ(r.state, SourceState::kReconnecting);
  EXPECT_EQ(r.status.message(), "'cam' was lost.");
  EXPECT_FALSE(lease);
  ASSERT_EQ(pool->pop(lease, soon).event, ReadEvent::kFrame);
  EXPECT_EQ(lease->index, 1);
  lease.reset();

  // More errors than the ring holds, between two state changes: errors and
  // frames make room, never a state change.
  pool->push_state(SourceState::kReconnecting, io_error("'cam' was lost again."));
  for (int i = 0; i < 40; ++i) pool->push_error(invalid_image("corrupt."), /*drop_oldest=*/true);
  pool->push_state(SourceState::kOnline, Status());
  pool->push_end(Status());
  std::string events;  // R reconnecting, O online, E error, F frame
  while ((r = pool->pop(lease, soon)).event != ReadEvent::kEnd) {
    ASSERT_NE(r.event, ReadEvent::kTimeout);
    if (r.event == ReadEvent::kStateChanged) events += r.state == SourceState::kReconnecting ? 'R' : 'O';
    if (r.event == ReadEvent::kFrameError) events += 'E';
    if (r.event == ReadEvent::kFrame) events += 'F';
    lease.reset();
  }
  // Frame 2 and the oldest errors made room; the ring (2 frames + 16) is full.
  EXPECT_EQ(events, "R" + std::string(16, 'E') + "O");
  EXPECT_EQ(source_state_name(SourceState::kReconnecting), "reconnecting");
}

TEST(PipelineCore, LatencyHistogramQuantilesAreWithinHalfABin) {
  pipeline::detail::LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.record(0.05 * i);  // 0.05 .. 50 ms
  const pipeline::Latency l = h.summary();
  EXPECT_EQ(l.count, 1000);
  EXPECT_EQ(l.max_ms, 50.0);
  const double half_bin = std::exp2(0.5 / pipeline::detail::LatencyHistogram::kBinsPerOctave) - 1;  // 1.1%
  EXPECT_NEAR(l.p50_ms, 25.0, 25.0 * half_bin * 1.01);
  EXPECT_NEAR(l.p99_ms, 49.5, 49.5 * half_bin * 1.01);
  EXPECT_EQ(pipeline::detail::LatencyHistogram::bin_of(-1.0), 0);
  EXPECT_EQ(pipeline::detail::LatencyHistogram::bin_of(NAN), 0);
  EXPECT_EQ(pipeline::detail::LatencyHistogram::bin_of(1e12), pipeline::detail::LatencyHistogram::kBins - 1);
  EXPECT_EQ(pipeline::detail::LatencyHistogram().summary().p99_ms, 0.0);
  pipeline::detail::LatencyHistogram one;
  one.record(7.0);
  EXPECT_EQ(one.summary().p50_ms, one.summary().p99_ms);
  EXPECT_LE(one.summary().p99_ms, 7.0);
}

TEST(PipelineCore, StatsJsonEscapesNamesAndWritesEveryField) {
  pipeline::PipelineStats stats;
  stats.wall_s = 2;
  stats.cpu_s = 0.5;
  pipeline::StreamStats s;
  s.stream = 0;
  s.source = "cam \"1\"\\\n\x01";
  s.status = pipeline::StreamStatus::kReconnecting;
  s.decoded = 10;
  s.processed = 7;
  s.dropped = 3;
  s.fps_in = 5;
  s.fps_out = 3.5;
  s.age = {7, 12.5, 40, 41};
  s.window.duration_s = 0.5;
  s.window.decoded = 4;
  s.window.processed = 3;
  s.window.dropped = 1;
  s.window.fps_in = 8;
  s.window.fps_out = 6;
  s.window.age = {3, 10, 20, 21};
  stats.streams.push_back(s);
  pipeline::WorkerStats w;
  w.placement = "NPU core 0";
  w.frames = 7;
  w.busy_fraction = 0.25;
  w.inference.max_ms = INFINITY;  // never written as a bare inf
  stats.workers.push_back(w);
  EXPECT_EQ(pipeline::stats_json(stats),
            "{\"wall_s\":2,\"cpu_s\":0.5,\"streams\":[{\"stream\":0,\"source\":\"cam \\\"1\\\"\\\\\\n\\u0001\","
            "\"status\":\"reconnecting\",\"decoded\":10,\"processed\":7,\"dropped\":3,\"dropped_in_source\":0,"
            "\"skipped\":0,\"failed\":0,\"reconnects\":0,\"fps_in\":5,\"fps_out\":3.5,"
            "\"age_ms\":{\"count\":7,\"p50\":12.5,\"p99\":40,\"max\":41},"
            "\"inference_ms\":{\"count\":0,\"p50\":0,\"p99\":0,\"max\":0},"
            "\"window\":{\"duration_s\":0.5,\"decoded\":4,\"processed\":3,\"dropped\":1,\"failed\":0,"
            "\"fps_in\":8,\"fps_out\":6,\"age_ms\":{\"count\":3,\"p50\":10,\"p99\":20,\"max\":21},"
            "\"inference_ms\":{\"count\":0,\"p50\":0,\"p99\":0,\"max\":0}}}],"
            "\"workers\":[{\"placement\":\"NPU core 0\",\"frames\":7,\"busy_fraction\":0.25,"
            "\"inference_ms\":{\"count\":0,\"p50\":0,\"p99\":0,\"max\":null}}]}");
  EXPECT_EQ(pipeline::stats_json(pipeline::PipelineStats{}),
            "{\"wall_s\":0,\"cpu_s\":0,\"streams\":[],\"workers\":[]}");
}

}  // namespace
}  // namespace rkyolo

// A frame source for tests and benchmarks of the pipeline: frame i shows
// template i mod n (pixels owned by the caller, never copied). A producer
// thread fills a FramePool like a decoder: files wait for a free frame, live
// sources take the oldest queued one (counted as dropped by the source) and
// come at their own pace. Corrupt frames, frames without pixels, lost
// connections and a failing end are injected by index.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pipeline/frame_pool.h"
#include "rkyolo/frame.h"

namespace rkyolo::test {

class SyntheticSource final : public FrameSource {
 public:
  struct Options {
    int frames = 20;
    bool live = false;
    std::chrono::milliseconds period{0};  // time between frames (live sources)
    std::vector<int> corrupt;             // these frames are decode errors
    std::vector<int> without_pixels;      // these frames have no pixels: Session::detect fails
    std::vector<int> lost_before;         // the connection is lost before these frames (kReconnecting,
                                          // then kOnline just before the frame, as VideoSource does)
    Status end;                           // how the source ends after its frames
    int pool_frames = 8;
  };

  SyntheticSource(const std::vector<VideoFrame>* templates, Options options)
      : templates_(templates), options_(std::move(options)), pool_(detail::FramePool::create(options_.pool_frames)) {
    info_.location = "synthetic";
    info_.live = options_.live;
    info_.width = (*templates_)[0].width;
    info_.height = (*templates_)[0].height;
    info_.fps = 25;
    thread_ = std::thread([this] { produce(); });
  }
  ~SyntheticSource() override {
    pool_->stop();
    thread_.join();
  }

  const FrameSourceInfo& info() const override { return info_; }
  FrameSourceStats stats() const override { return pool_->stats(); }
  ReadResult read(FrameLease& frame, Clock::time_point deadline) override {
    frame.reset();
    return pool_->pop(frame, deadline);
  }
  void stop() override { pool_->stop(); }

 private:
  static bool has(const std::vector<int>& list, int i) { return std::find(list.begin(), list.end(), i) != list.end(); }

  void produce() {
    for (int i = 0; i < options_.frames && !pool_->stopped(); ++i) {
      if (has(options_.lost_before, i)) {
        pool_->push_state(SourceState::kReconnecting,
                          io_error("synthetic lost its connection before frame " + std::to_string(i) + "."));
        if (!pool_->sleep_unless_stopped(options_.period + std::chrono::milliseconds(5))) break;
        pool_->counters().reconnects.fetch_add(1);
        pool_->push_state(SourceState::kOnline, Status());
      }
      pool_->counters().decoded.fetch_add(1);
      if (has(options_.corrupt, i)) {
        pool_->push_error(invalid_image("frame " + std::to_string(i) + " is corrupt."), options_.live);
      } else {
        const int slot = pool_->acquire(options_.live);
        if (slot < 0) break;
        VideoFrame& frame = pool_->frame(slot);
        frame = (*templates_)[static_cast<std::size_t>(i) % templates_->size()];
        frame.index = i;
        frame.pts_ms = i * 40;
        frame.capture_time = std::chrono::system_clock::now();
        if (has(options_.without_pixels, i)) frame.planes[0] = nullptr;
        pool_->push_frame(slot);
      }
      if (options_.period.count() > 0 && !pool_->sleep_unless_stopped(options_.period)) break;
    }
    pool_->push_end(options_.end);
  }

  const std::vector<VideoFrame>* templates_;
  Options options_;
  FrameSourceInfo info_;
  std::shared_ptr<detail::FramePool> pool_;
  std::thread thread_;
};

}  // namespace rkyolo::test

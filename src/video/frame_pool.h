// The fixed frames of one video source and the queue of decoded ones.
//
// The decoding thread acquires a free slot, moves the decoder's AVFrame into
// it (a reference move: the pixels stay in FFmpeg's own buffer pool, which
// recycles them) and pushes it; the reader pops it into a FrameLease, whose
// reset returns the slot. Events (frames, per-frame errors) sit in a ring
// sized once, so nothing here allocates after construction.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "rkyolo/video.h"

struct AVFrame;

namespace rkyolo::detail {

struct SourceCounters {
  std::atomic<std::int64_t> decoded{0}, delivered{0}, skipped{0}, dropped{0}, errors{0}, timeouts{0}, reconnects{0};
};

class FramePool : public std::enable_shared_from_this<FramePool> {
 public:
  // Returns nullptr when FFmpeg cannot allocate the frames.
  static std::shared_ptr<FramePool> create(int frames);
  ~FramePool();
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  // Decoding side. acquire() waits for a free slot; with `drop_oldest` (live
  // sources) it takes the slot of the oldest queued frame instead of waiting,
  // counting it as dropped. Returns -1 once stopped.
  int acquire(bool drop_oldest);
  AVFrame* av_frame(int slot) { return slots_[slot].av; }
  VideoFrame& frame(int slot) { return slots_[slot].frame; }
  void push_frame(int slot);
  // A per-frame error; waits for room in the queue unless `drop_oldest`.
  void push_error(Status status, bool drop_oldest);
  // No more events after the queued ones; `status` ok for a normal end.
  void push_end(Status status);
  // Waits up to `delay`; false when stopped meanwhile.
  bool sleep_unless_stopped(std::chrono::milliseconds delay);

  // Reading side.
  ReadResult pop(FrameLease& lease, std::chrono::steady_clock::time_point deadline);
  void release(int slot);

  void stop();
  bool stopped() const { return stopped_.load(); }
  SourceCounters& counters() { return counters_; }

 private:
  struct Slot {
    AVFrame* av = nullptr;
    VideoFrame frame;
  };
  struct Event {
    int slot = -1;  // -1: an error event
    Status status;
  };
  FramePool() = default;
  bool ring_full() const { return count_ == ring_.size(); }
  void push_locked(Event event);
  Event pop_locked();
  bool drop_oldest_frame_locked();  // true when one was dropped (its slot freed)
  void free_slot_locked(int slot, bool dropped);

  std::vector<Slot> slots_;
  std::vector<int> free_;  // stack of free slots, capacity reserved
  std::vector<Event> ring_;
  std::size_t head_ = 0, count_ = 0;
  bool ended_ = false;
  Status end_status_;
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  SourceCounters counters_;
};

}  // namespace rkyolo::detail

// The fixed frames of one frame source and the queue of decoded ones.
//
// The producing thread acquires a free slot, fills its VideoFrame (pointing
// at pixels the producer owns per slot: rkyolo_video moves the decoder's
// AVFrame into its slot, so the pixels stay in FFmpeg's own buffer pool)
// and pushes it; the reader pops it into a FrameLease, whose reset returns
// the slot (and calls unref() for the producer's per-slot resources).
// Events (frames, per-frame errors, state changes) sit in a ring sized once, so nothing
// here allocates after construction.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "rkyolo/frame.h"

namespace rkyolo::detail {

struct SourceCounters {
  std::atomic<std::int64_t> decoded{0}, delivered{0}, skipped{0}, dropped{0}, errors{0}, timeouts{0}, reconnects{0};
};

class FramePool : public std::enable_shared_from_this<FramePool> {
 public:
  static std::shared_ptr<FramePool> create(int frames);
  virtual ~FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  // Decoding side. acquire() waits for a free slot; with `drop_oldest` (live
  // sources) it takes the slot of the oldest queued frame instead of waiting,
  // counting it as dropped. Returns -1 once stopped.
  int acquire(bool drop_oldest);
  VideoFrame& frame(int slot) { return frames_[static_cast<std::size_t>(slot)]; }
  void push_frame(int slot);
  // A per-frame error; waits for room in the queue unless `drop_oldest`.
  void push_error(Status status, bool drop_oldest);
  // A live source's state change (read() returns it as kStateChanged in its
  // place among the frames); makes room by dropping the oldest frame.
  void push_state(SourceState state, Status cause);
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
  const SourceCounters& counters() const { return counters_; }
  FrameSourceStats stats() const;
  int size() const { return static_cast<int>(frames_.size()); }

 protected:
  explicit FramePool(int frames);
  // A slot's frame is done with (released or dropped): the producer frees
  // what the slot held. May run under the pool's lock: it must not call
  // back into the pool.
  virtual void unref(int slot) { (void)slot; }

 private:
  static constexpr int kErrorSlot = -1, kStateSlot = -2;
  struct Event {
    int slot = kErrorSlot;  // a frame's slot, or kErrorSlot / kStateSlot
    Status status;
    SourceState state = SourceState::kOnline;
  };
  bool ring_full() const { return count_ == ring_.size(); }
  // Waits for room in the ring; with `drop_oldest`, drops the oldest frame
  // (else the oldest error) instead. False once stopped with the ring full.
  bool make_room_locked(std::unique_lock<std::mutex>& lock, bool drop_oldest);
  void push_locked(Event event);
  Event pop_locked();
  bool drop_oldest_frame_locked();  // true when one was dropped (its slot freed)
  void free_slot_locked(int slot, bool dropped);

  std::vector<VideoFrame> frames_;
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

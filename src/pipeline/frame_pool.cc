#include "pipeline/frame_pool.h"

namespace rkyolo {

FrameLease::FrameLease(FrameLease&& other) noexcept
    : pool_(std::move(other.pool_)), frame_(other.frame_), slot_(other.slot_) {
  other.frame_ = nullptr;
  other.slot_ = -1;
}

FrameLease& FrameLease::operator=(FrameLease&& other) noexcept {
  if (this != &other) {
    reset();
    pool_ = std::move(other.pool_);
    frame_ = other.frame_;
    slot_ = other.slot_;
    other.frame_ = nullptr;
    other.slot_ = -1;
  }
  return *this;
}

void FrameLease::reset() {
  if (pool_ && slot_ >= 0) pool_->release(slot_);
  pool_.reset();
  frame_ = nullptr;
  slot_ = -1;
}

namespace detail {
namespace {
constexpr std::size_t kErrorEvents = 16;  // room for per-frame errors beside the frames
}

FramePool::FramePool(int frames)
    : frames_(static_cast<std::size_t>(frames)), ring_(static_cast<std::size_t>(frames) + kErrorEvents) {
  free_.reserve(frames_.size());
  for (int i = frames - 1; i >= 0; --i) free_.push_back(i);
}

std::shared_ptr<FramePool> FramePool::create(int frames) {
  return std::shared_ptr<FramePool>(new FramePool(frames));
}

FrameSourceStats FramePool::stats() const {
  const SourceCounters& c = counters_;
  return {c.decoded.load(), c.delivered.load(), c.skipped.load(),   c.dropped.load(),
          c.errors.load(),  c.timeouts.load(),  c.reconnects.load()};
}

int FramePool::acquire(bool drop_oldest) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopped_) return -1;
    if (free_.empty() && drop_oldest) drop_oldest_frame_locked();
    if (!free_.empty()) break;
    changed_.wait(lock);
  }
  const int slot = free_.back();
  free_.pop_back();
  return slot;
}

void FramePool::push_frame(int slot) {
  std::lock_guard lock(mutex_);
  push_locked(Event{slot, Status()});  // frames never fill the ring: it has a place for every slot
}

void FramePool::push_error(Status status, bool drop_oldest) {
  counters_.errors.fetch_add(1, std::memory_order_relaxed);
  std::unique_lock lock(mutex_);
  if (make_room_locked(lock, drop_oldest)) push_locked(Event{kErrorSlot, std::move(status)});
}

void FramePool::push_state(SourceState state, Status cause) {
  std::unique_lock lock(mutex_);
  if (make_room_locked(lock, /*drop_oldest=*/true)) push_locked(Event{kStateSlot, std::move(cause), state});
}

bool FramePool::make_room_locked(std::unique_lock<std::mutex>& lock, bool drop_oldest) {
  while (ring_full() && !stopped_) {
    if (!drop_oldest) {
      changed_.wait(lock);
      continue;
    }
    if (drop_oldest_frame_locked()) continue;
    // Only errors and state changes queued: the oldest error goes (a state
    // change never does: the reader would see the source in the wrong state).
    bool dropped = false;
    for (std::size_t i = 0; i < count_ && !dropped; ++i) {
      if (ring_[(head_ + i) % ring_.size()].slot != kErrorSlot) continue;
      for (std::size_t j = i; j > 0; --j)
        ring_[(head_ + j) % ring_.size()] = std::move(ring_[(head_ + j - 1) % ring_.size()]);
      head_ = (head_ + 1) % ring_.size();
      --count_;
      dropped = true;
    }
    if (!dropped) changed_.wait(lock);
  }
  return !ring_full();
}

void FramePool::push_end(Status status) {
  std::lock_guard lock(mutex_);
  ended_ = true;
  end_status_ = std::move(status);
  changed_.notify_all();
}

bool FramePool::sleep_unless_stopped(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, delay, [this] { return stopped_.load(); });
}

ReadResult FramePool::pop(FrameLease& lease, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_until(lock, deadline, [this] { return count_ > 0 || ended_; }))
    return {ReadEvent::kTimeout, Status()};
  if (count_ == 0) return {ReadEvent::kEnd, end_status_};
  Event event = pop_locked();
  if (event.slot == kStateSlot) return {ReadEvent::kStateChanged, std::move(event.status), event.state};
  if (event.slot < 0) return {ReadEvent::kFrameError, std::move(event.status)};
  lease.pool_ = shared_from_this();
  lease.slot_ = event.slot;
  lease.frame_ = &frames_[static_cast<std::size_t>(event.slot)];
  counters_.delivered.fetch_add(1, std::memory_order_relaxed);
  return {ReadEvent::kFrame, Status()};
}

void FramePool::release(int slot) {
  unref(slot);
  std::lock_guard lock(mutex_);
  free_.push_back(slot);
  changed_.notify_all();
}

void FramePool::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  changed_.notify_all();
}

void FramePool::push_locked(Event event) {
  ring_[(head_ + count_) % ring_.size()] = std::move(event);
  ++count_;
  changed_.notify_all();
}

FramePool::Event FramePool::pop_locked() {
  Event event = std::move(ring_[head_]);
  head_ = (head_ + 1) % ring_.size();
  --count_;
  changed_.notify_all();
  return event;
}

bool FramePool::drop_oldest_frame_locked() {
  for (std::size_t i = 0; i < count_; ++i) {
    const std::size_t at = (head_ + i) % ring_.size();
    if (ring_[at].slot < 0) continue;
    const int slot = ring_[at].slot;
    for (std::size_t j = i; j > 0; --j)  // close the gap: earlier events move up by one
      ring_[(head_ + j) % ring_.size()] = std::move(ring_[(head_ + j - 1) % ring_.size()]);
    head_ = (head_ + 1) % ring_.size();
    --count_;
    free_slot_locked(slot, /*dropped=*/true);
    return true;
  }
  return false;
}

void FramePool::free_slot_locked(int slot, bool dropped) {
  unref(slot);
  free_.push_back(slot);
  if (dropped) counters_.dropped.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace detail
}  // namespace rkyolo

#include "rkyolo/stream_tracking.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace rkyolo {

namespace {

// Where and when a frame was: the stream's frame index and time.
struct FrameStamp {
  std::int64_t frame = 0, pts_ms = FrameTag::kNoPts;
};

// A confirmed track's first and last frames as the stream numbers them.
struct Seen {
  int track_id = 0;
  FrameStamp first, last;
};

// A track is confirmed at most one frame after it is born (ByteTrack drops
// an unconfirmed track its next frame does not match): a few recent frames'
// stamps are all a new event needs.
constexpr int kRecentFrames = 4;

}  // namespace

struct StreamTracking::Impl {
  std::unique_ptr<Tracker> tracker;
  std::unique_ptr<TrackEvents> events;
  TrackerFrame frame;
  std::vector<TrackEvent> emitted;
  std::vector<Seen> seen;                        // sorted by track_id (ids only grow)
  std::array<FrameStamp, kRecentFrames> recent;  // by tracker frame % kRecentFrames
  std::int64_t processed = 0;
  int max_track_id = 0;

  Seen* find(int track_id) {
    auto it =
        std::lower_bound(seen.begin(), seen.end(), track_id, [](const Seen& s, int id) { return s.track_id < id; });
    return it != seen.end() && it->track_id == track_id ? &*it : nullptr;
  }

  FrameStamp stamp_of(int tracker_frame) const {
    return recent[static_cast<std::size_t>(tracker_frame) % kRecentFrames];
  }

  // Tracker frames -> the stream's frames, first/last times from `seen`.
  void restamp(const FrameStamp& now) {
    for (const TrackedObject& t : frame.tracks) {
      Seen* s = find(t.track_id);
      if (s == nullptr) {
        Seen fresh;
        fresh.track_id = t.track_id;
        fresh.first = stamp_of(t.first_frame);
        auto it = std::lower_bound(seen.begin(), seen.end(), t.track_id,
                                   [](const Seen& a, int id) { return a.track_id < id; });
        s = &*seen.insert(it, fresh);
      }
      s->last = now;
    }
    for (TrackEvent& e : emitted) {
      const Seen* s = find(e.track_id);
      if (s == nullptr) continue;
      e.first_frame = static_cast<int>(s->first.frame);
      e.last_frame = static_cast<int>(s->last.frame);
      e.first_pts_ms = s->first.pts_ms;
      e.last_pts_ms = s->last.pts_ms;
      e.frame = static_cast<int>(now.frame);
    }
    for (const TrackedObject& t : frame.removed)
      if (Seen* s = find(t.track_id)) seen.erase(seen.begin() + (s - seen.data()));
  }
};

StreamTracking::StreamTracking(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamTracking::~StreamTracking() = default;

Status StreamTracking::create(const StreamTrackingOptions& options, std::unique_ptr<StreamTracking>* out) {
  auto impl = std::make_unique<Impl>();
  RKYOLO_RETURN_IF_ERROR(Tracker::create(options.tracker, &impl->tracker));
  RKYOLO_RETURN_IF_ERROR(TrackEvents::create(options.zones, options.events, &impl->events));
  out->reset(new StreamTracking(std::move(impl)));
  return Status::ok_status();
}

void StreamTracking::process(DetectionResult* result) {
  Impl& m = *impl_;
  const FrameStamp now{result->tag.frame >= 0 ? result->tag.frame : m.processed, result->tag.pts_ms};
  ++m.processed;
  m.recent[static_cast<std::size_t>(m.processed) % kRecentFrames] = now;  // tracker frames count from 1
  std::vector<Detection>& dets = result->detections;
  for (Detection& d : dets) d.track_id = -1;
  m.tracker->update(dets, &m.frame);
  for (const TrackedObject& t : m.frame.tracks) {
    if (t.detection >= 0 && t.detection < static_cast<int>(dets.size())) dets[t.detection].track_id = t.track_id;
    m.max_track_id = std::max(m.max_track_id, t.track_id);
  }
  dets.erase(std::remove_if(dets.begin(), dets.end(), [](const Detection& d) { return d.track_id < 0; }), dets.end());
  m.events->update(m.frame, &m.emitted);
  m.restamp(now);
}

void StreamTracking::finish() {
  Impl& m = *impl_;
  m.tracker->finish(&m.frame);
  m.events->update(m.frame, &m.emitted);
  m.restamp(m.recent[static_cast<std::size_t>(m.processed) % kRecentFrames]);
  m.processed = 0;
}

const std::vector<TrackEvent>& StreamTracking::events() const {
  return impl_->emitted;
}
const TrackerFrame& StreamTracking::tracker_frame() const {
  return impl_->frame;
}
const std::vector<LineCount>& StreamTracking::line_counts() const {
  return impl_->events->line_counts();
}
const std::vector<ZoneCount>& StreamTracking::zone_counts() const {
  return impl_->events->zone_counts();
}
const ZoneConfig& StreamTracking::zones() const {
  return impl_->events->config();
}
int StreamTracking::tracks_confirmed() const {
  return impl_->max_track_id;
}

}  // namespace rkyolo

// rkyolo: tracking of one video stream's detection results, frame by frame:
// ByteTrack assigns each detection its track id, and the events (new /
// update / end), zone occupancy and line counts follow from the tracks.
//
// What the pipeline's tracking stage runs per stream, in stream order, before
// the sinks see the frame. Standard library only; no allocation per frame
// once warm.
#pragma once

#include <memory>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/status.h"
#include "rkyolo/track_events.h"
#include "rkyolo/tracker.h"

namespace rkyolo {

struct StreamTrackingOptions {
  TrackerOptions tracker;  // frame_rate: the stream's
  EventOptions events;
  ZoneConfig zones;
};

class StreamTracking {
 public:
  static Status create(const StreamTrackingOptions& options, std::unique_ptr<StreamTracking>* out);
  ~StreamTracking();
  StreamTracking(const StreamTracking&) = delete;
  StreamTracking& operator=(const StreamTracking&) = delete;

  // One frame: every detection (down to the tracker's low_threshold) goes to
  // the tracker; the ones a confirmed track matched keep their box and get
  // its track_id, the others are removed (order kept: highest score first).
  // events() then holds this frame's events, their frames given as the
  // stream's (result->tag.frame; the count of process() calls from 0 when
  // the tag has none) with presentation times (tag.pts_ms).
  void process(DetectionResult* result);
  // End of the stream: an end event for every confirmed track still alive.
  void finish();

  const std::vector<TrackEvent>& events() const;
  const TrackerFrame& tracker_frame() const;
  // Per line of the zones config, crossings so far; per zone, tracks inside now.
  const std::vector<LineCount>& line_counts() const;
  const std::vector<ZoneCount>& zone_counts() const;
  const ZoneConfig& zones() const;
  // Confirmed tracks so far (ids are 1..count).
  int tracks_confirmed() const;

 private:
  struct Impl;
  explicit StreamTracking(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo

// rkyolo: multi-object tracking with ByteTrack (Zhang et al., ECCV 2022).
//
// One Tracker per video stream. Feed it each frame's detections (all of them,
// down to low_threshold: ByteTrack recovers occluded objects from low-score
// boxes) and it returns the confirmed tracks of that frame with stable ids.
// Standard library only; no allocation per frame once its buffers have grown
// to the stream's largest frame.
#pragma once

#include <memory>
#include <ostream>
#include <span>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/status.h"

namespace rkyolo {

// ByteTrack's parameters; defaults are those of the reference implementation
// (track_thresh 0.5, det_thresh = track_thresh + 0.1, match_thresh 0.8,
// track_buffer 30 at 30 fps).
struct TrackerOptions {
  // Detections scoring >= high_threshold enter the first association.
  float high_threshold = 0.5f;
  // Detections with low_threshold < score < high_threshold enter only the
  // second association, against tracks the first one left unmatched.
  float low_threshold = 0.1f;
  // An unmatched high-score detection starts a track only from this score.
  float new_track_threshold = 0.6f;
  // First association (and confirming new tracks): the smallest IoU, times
  // the detection's score when fuse_score is on, for a pair to be matched.
  // ByteTrack's match_thresh 0.8 is a cost 1 - 0.2.
  float match_iou_threshold = 0.2f;
  // Second association (low-score detections): the smallest plain IoU.
  float low_match_iou_threshold = 0.5f;
  // Matching a just-born (unconfirmed) track: the smallest fused IoU.
  float unconfirmed_match_iou_threshold = 0.3f;
  bool fuse_score = true;
  // Frames a lost track is kept for re-identification, at 30 fps; scaled by
  // the stream's frame rate: kept for int(track_buffer * frame_rate / 30).
  int track_buffer = 30;
  double frame_rate = 30.0;
};

// Checks value ranges; the message names the bad parameter.
Status validate(const TrackerOptions& options);

// A track as the tracker reports it.
struct TrackedObject {
  int track_id = 0;      // 1, 2, 3... in order of confirmation, never reused
  int class_id = 0;      // of the latest high-score detection matched
  float score = 0;       // of the detection matched in this frame
  float best_score = 0;  // highest score matched so far
  Box box;               // the Kalman filter's corrected box
  int detection = -1;    // index of the matched detection in this frame's input, -1 if none
  int first_frame = 0;   // frame the track was born (frames count from 1)
  int last_frame = 0;    // last frame a detection was matched
};

struct TrackerFrame {
  int frame = 0;                       // 1 for the first update()
  std::vector<TrackedObject> tracks;   // confirmed tracks matched in this frame
  std::vector<TrackedObject> removed;  // confirmed tracks removed in this frame (lost too long)
};

class Tracker {
 public:
  static Status create(const TrackerOptions& options, std::unique_ptr<Tracker>* out);
  ~Tracker();
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  // Advances one frame. `out` is reused across calls (grow-only).
  void update(std::span<const Detection> detections, TrackerFrame* out);
  // Ends the stream: every confirmed track still alive goes to out->removed
  // (frame stays that of the last update) and the tracker starts afresh.
  void finish(TrackerFrame* out);

  // Grows every buffer for this many tracks and detections up front.
  void reserve(int tracks, int detections);

  const TrackerOptions& options() const;
  // int(track_buffer * frame_rate / 30): frames a lost track survives.
  int max_frames_lost() const;

 private:
  struct Impl;
  explicit Tracker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

std::ostream& operator<<(std::ostream& os, const TrackedObject& track);

}  // namespace rkyolo

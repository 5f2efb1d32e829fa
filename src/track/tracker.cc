// ByteTrack (Zhang et al., "ByteTrack: Multi-Object Tracking by Associating
// Every Detection Box", ECCV 2022), following the reference implementation's
// BYTETracker.update step by step.
#include "rkyolo/tracker.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "track/assignment.h"
#include "track/kalman.h"

namespace rkyolo {
namespace {

using track::KalmanFilter;
using track::KalmanState;
using track::Measurement;

// Tracked and lost tracks overlapping this much are one object seen twice
// (ByteTrack's remove_duplicate_stracks: IoU distance < 0.15).
constexpr float kDuplicateIou = 0.85f;

enum class TrackState { kTracked, kLost, kRemoved };

struct Track {
  KalmanState kalman;
  TrackState state = TrackState::kTracked;
  bool confirmed = false;
  int id = 0;  // 0 until confirmed
  int class_id = 0;
  float score = 0;
  float best_score = 0;
  int first_frame = 0;
  int last_frame = 0;
  int detection = -1;
  Box last_box;  // the corrected box at the last match
};

Measurement to_measurement(const Box& b) {
  const double w = b.x2 - b.x1, h = b.y2 - b.y1;
  return {b.x1 + w / 2, b.y1 + h / 2, w / h, h};
}

Box to_box(const KalmanState& s) {
  const double h = s.mean[3], w = s.mean[2] * h;
  const double x1 = s.mean[0] - w / 2, y1 = s.mean[1] - h / 2;
  return {static_cast<float>(x1), static_cast<float>(y1), static_cast<float>(x1 + w), static_cast<float>(y1 + h)};
}

// A cheap test before the IoU: most pairs of a busy frame do not touch.
bool overlaps(const Box& a, const Box& b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

bool usable(const Detection& d) {
  return d.box.x2 > d.box.x1 && d.box.y2 > d.box.y1 && std::isfinite(d.box.x1) && std::isfinite(d.box.y1) &&
         std::isfinite(d.box.x2) && std::isfinite(d.box.y2) && std::isfinite(d.score);
}

TrackedObject report(const Track& t, const Box& box) {
  TrackedObject o;
  o.track_id = t.id;
  o.class_id = t.class_id;
  o.score = t.score;
  o.best_score = t.best_score;
  o.box = box;
  o.detection = t.detection;
  o.first_frame = t.first_frame;
  o.last_frame = t.last_frame;
  return o;
}

bool in_unit_range(float v) {
  return v >= 0.0f && v <= 1.0f;
}

}  // namespace

Status validate(const TrackerOptions& o) {
  struct Named {
    const char* name;
    float value;
  };
  for (const Named& n :
       {Named{"high_threshold", o.high_threshold}, Named{"low_threshold", o.low_threshold},
        Named{"new_track_threshold", o.new_track_threshold}, Named{"match_iou_threshold", o.match_iou_threshold},
        Named{"low_match_iou_threshold", o.low_match_iou_threshold},
        Named{"unconfirmed_match_iou_threshold", o.unconfirmed_match_iou_threshold}})
    if (!in_unit_range(n.value))
      return invalid_argument(MessageId::kTrackerThresholdRange,
                              {{"name", n.name}, {"value", std::to_string(n.value)}});
  if (o.low_threshold > o.high_threshold)
    return invalid_argument(MessageId::kTrackerLowAboveHigh,
                            {{"low", std::to_string(o.low_threshold)}, {"high", std::to_string(o.high_threshold)}});
  if (o.track_buffer < 0) return invalid_argument(MessageId::kTrackerBuffer, {{"value", o.track_buffer}});
  if (!(o.frame_rate > 0) || !std::isfinite(o.frame_rate))
    return invalid_argument(MessageId::kTrackerFrameRate, {{"value", std::to_string(o.frame_rate)}});
  return Status::ok_status();
}

struct Tracker::Impl {
  TrackerOptions options;
  int max_frames_lost = 0;
  int frame = 0;
  int next_id = 1;
  std::vector<Track> tracks;
  // Per-frame scratch, grow-only.
  std::vector<int> high, low, remaining, pool, unconfirmed, unmatched_tracks, stage_tracks;
  std::vector<Box> track_boxes;
  std::vector<float> cost;
  std::vector<int> row_to_col, col_to_row;
  track::AssignmentSolver solver;

  void update(std::span<const Detection> dets, TrackerFrame* out);
  // Matches tracks (indices into `tracks`) to detections (indices into
  // `dets`); unmatched ones go to the two output lists.
  void associate(std::span<const Detection> dets, const std::vector<int>& track_ids, const std::vector<int>& det_ids,
                 bool use_predicted_box, bool fuse, bool high_score, float min_iou,
                 std::vector<int>* unmatched_track_ids, std::vector<int>* unmatched_det_ids);
  void apply(Track& t, std::span<const Detection> dets, int d, bool high_score);
  void start_track(const Detection& d, int index);
  void remove_duplicates(TrackerFrame* out);
  void remove(Track& t, TrackerFrame* out);
};

void Tracker::Impl::apply(Track& t, std::span<const Detection> dets, int d, bool high_score) {
  const Detection& det = dets[d];
  KalmanFilter::update(&t.kalman, to_measurement(det.box));
  t.state = TrackState::kTracked;
  t.last_frame = frame;
  t.score = det.score;
  t.best_score = std::max(t.best_score, det.score);
  if (high_score) t.class_id = det.class_id;
  t.detection = d;
  t.last_box = to_box(t.kalman);
}

void Tracker::Impl::start_track(const Detection& d, int index) {
  Track t;
  t.kalman = KalmanFilter::initiate(to_measurement(d.box));
  t.confirmed = frame == 1;  // ByteTrack confirms tracks of the first frame at once
  if (t.confirmed) t.id = next_id++;
  t.class_id = d.class_id;
  t.score = t.best_score = d.score;
  t.first_frame = t.last_frame = frame;
  t.detection = index;
  t.last_box = d.box;
  tracks.push_back(t);
}

void Tracker::Impl::remove(Track& t, TrackerFrame* out) {
  t.state = TrackState::kRemoved;
  if (t.confirmed) out->removed.push_back(report(t, t.last_box));
}

void Tracker::Impl::associate(std::span<const Detection> dets, const std::vector<int>& track_ids,
                              const std::vector<int>& det_ids, bool use_predicted_box, bool fuse, bool high_score,
                              float min_iou, std::vector<int>* unmatched_track_ids,
                              std::vector<int>* unmatched_det_ids) {
  const int rows = static_cast<int>(track_ids.size()), cols = static_cast<int>(det_ids.size());
  track_boxes.resize(rows);
  for (int r = 0; r < rows; ++r) {
    const Track& t = tracks[track_ids[r]];
    track_boxes[r] = use_predicted_box ? to_box(t.kalman) : t.last_box;
  }
  cost.resize(static_cast<std::size_t>(rows) * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const Detection& d = dets[det_ids[c]];
      const float overlap =
          overlaps(track_boxes[r], d.box) ? iou(track_boxes[r], d.box) * (fuse ? d.score : 1.0f) : 0.0f;
      cost[static_cast<std::size_t>(r) * cols + c] = 1.0f - overlap;
    }
  // Pairs with cost < 1 - min_iou, i.e. overlap > min_iou, may match.
  solver.solve(cost.data(), rows, cols, 1.0f - min_iou, &row_to_col, &col_to_row);
  unmatched_track_ids->clear();
  for (int r = 0; r < rows; ++r) {
    if (row_to_col[r] < 0) {
      unmatched_track_ids->push_back(track_ids[r]);
      continue;
    }
    apply(tracks[track_ids[r]], dets, det_ids[row_to_col[r]], high_score);
  }
  if (unmatched_det_ids == nullptr) return;
  unmatched_det_ids->clear();
  for (int c = 0; c < cols; ++c)
    if (col_to_row[c] < 0) unmatched_det_ids->push_back(det_ids[c]);
}

void Tracker::Impl::remove_duplicates(TrackerFrame* out) {
  stage_tracks.clear();  // free again by now: the lost tracks
  for (int i = 0; i < static_cast<int>(tracks.size()); ++i)
    if (tracks[i].state == TrackState::kLost) stage_tracks.push_back(i);
  if (stage_tracks.empty()) return;
  for (Track& a : tracks) {
    if (a.state != TrackState::kTracked) continue;
    const Box box_a = to_box(a.kalman);
    for (int j : stage_tracks) {
      Track& b = tracks[j];
      if (b.state != TrackState::kLost || !overlaps(box_a, to_box(b.kalman))) continue;
      if (iou(box_a, to_box(b.kalman)) <= kDuplicateIou) continue;
      // The younger one is the duplicate.
      if (frame - a.first_frame > frame - b.first_frame) {
        remove(b, out);
      } else {
        remove(a, out);
        break;
      }
    }
  }
}

void Tracker::Impl::update(std::span<const Detection> dets, TrackerFrame* out) {
  ++frame;
  out->frame = frame;
  out->tracks.clear();
  out->removed.clear();
  for (Track& t : tracks) t.detection = -1;

  high.clear();
  low.clear();
  for (int i = 0; i < static_cast<int>(dets.size()); ++i) {
    if (!usable(dets[i])) continue;
    if (dets[i].score >= options.high_threshold)
      high.push_back(i);
    else if (dets[i].score > options.low_threshold)
      low.push_back(i);
  }
  pool.clear();
  unconfirmed.clear();
  for (int i = 0; i < static_cast<int>(tracks.size()); ++i) {
    Track& t = tracks[i];
    if (t.state == TrackState::kTracked && !t.confirmed) {
      unconfirmed.push_back(i);
      continue;
    }
    if (t.state != TrackState::kTracked) t.kalman.mean[7] = 0;  // a lost track's height stops changing
    KalmanFilter::predict(&t.kalman);
    pool.push_back(i);
  }

  // 1. High-score detections against tracked and lost tracks.
  associate(dets, pool, high, true, options.fuse_score, true, options.match_iou_threshold, &unmatched_tracks,
            &remaining);
  // 2. Low-score detections against the tracks still unmatched and not lost.
  stage_tracks.clear();
  for (int i : unmatched_tracks)
    if (tracks[i].state == TrackState::kTracked) stage_tracks.push_back(i);
  associate(dets, stage_tracks, low, true, false, false, options.low_match_iou_threshold, &unmatched_tracks, nullptr);
  for (int i : unmatched_tracks) tracks[i].state = TrackState::kLost;
  // 3. Tracks born last frame against the high-score detections left.
  associate(dets, unconfirmed, remaining, false, options.fuse_score, true, options.unconfirmed_match_iou_threshold,
            &unmatched_tracks, &high);
  for (int i : unconfirmed) {
    Track& t = tracks[i];
    if (t.state != TrackState::kTracked || t.last_frame != frame) continue;
    t.confirmed = true;
    t.id = next_id++;
  }
  for (int i : unmatched_tracks) remove(tracks[i], out);
  // 4. New tracks from confident unmatched detections.
  for (int d : high)
    if (dets[d].score >= options.new_track_threshold) start_track(dets[d], d);
  // 5. Lost for too long: removed.
  for (Track& t : tracks)
    if (t.state == TrackState::kLost && frame - t.last_frame > max_frames_lost) remove(t, out);
  remove_duplicates(out);

  for (const Track& t : tracks)
    if (t.state == TrackState::kTracked && t.confirmed) out->tracks.push_back(report(t, t.last_box));
  std::erase_if(tracks, [](const Track& t) { return t.state == TrackState::kRemoved; });
}

Tracker::Tracker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tracker::~Tracker() = default;

Status Tracker::create(const TrackerOptions& options, std::unique_ptr<Tracker>* out) {
  RKYOLO_RETURN_IF_ERROR(validate(options));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->max_frames_lost = static_cast<int>(options.frame_rate / 30.0 * options.track_buffer);
  out->reset(new Tracker(std::move(impl)));
  return Status::ok_status();
}

void Tracker::update(std::span<const Detection> detections, TrackerFrame* out) {
  impl_->update(detections, out);
}

void Tracker::finish(TrackerFrame* out) {
  out->tracks.clear();
  out->removed.clear();
  for (Track& t : impl_->tracks) impl_->remove(t, out);
  impl_->tracks.clear();
  impl_->frame = 0;
}

void Tracker::reserve(int tracks, int detections) {
  Impl& m = *impl_;
  const std::size_t n = static_cast<std::size_t>(std::max(tracks, 0));
  const std::size_t d = static_cast<std::size_t>(std::max(detections, 0));
  // A frame may add one track per detection before the removed ones go.
  m.tracks.reserve(n + d);
  for (auto* v : {&m.pool, &m.unconfirmed, &m.unmatched_tracks, &m.stage_tracks}) v->reserve(n + d);
  for (auto* v : {&m.high, &m.low, &m.remaining}) v->reserve(d);
  m.track_boxes.reserve(n + d);
  m.cost.reserve((n + d) * d);
  m.row_to_col.reserve(n + d);
  m.col_to_row.reserve(d);
  m.solver.reserve(static_cast<int>(n + d), static_cast<int>(d));
}

const TrackerOptions& Tracker::options() const {
  return impl_->options;
}
int Tracker::max_frames_lost() const {
  return impl_->max_frames_lost;
}

std::ostream& operator<<(std::ostream& os, const TrackedObject& t) {
  return os << "{track " << t.track_id << ", class " << t.class_id << ", score " << t.score << ", best " << t.best_score
            << ", " << t.box << ", frames " << t.first_frame << ".." << t.last_frame << "}";
}

}  // namespace rkyolo

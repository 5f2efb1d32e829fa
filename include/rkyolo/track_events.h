// rkyolo: events per tracked object (Frigate-like new / update / end), zones
// (polygons) and counting lines, built on the Tracker's output.
//
// One TrackEvents per stream, fed every TrackerFrame in order. Standard
// library only; no allocation per frame once warm.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/detection.h"
#include "rkyolo/status.h"
#include "rkyolo/tracker.h"

namespace rkyolo {

struct Point {
  float x = 0, y = 0;
};

// A polygon in frame pixels (at least 3 points; any winding; self-crossing
// polygons follow the even-odd rule).
struct Zone {
  std::string name;
  std::vector<Point> polygon;
};

// A counting line from `from` to `to`, in frame pixels. A track crosses it
// "in" when its reference point moves from the left of from -> to to its
// right, as seen on the image (y pointing down): for a horizontal line drawn
// left to right, "in" is moving down. Crossings past either end do not count.
struct CountLine {
  std::string name;
  Point from, to;
};

struct ZoneConfig {
  std::vector<Zone> zones;       // at most kMaxZones
  std::vector<CountLine> lines;  // at most kMaxLines
};

inline constexpr int kMaxZones = 64;
inline constexpr int kMaxLines = 32;

// Checks counts, point counts, finite coordinates, non-empty unique names and
// lines of non-zero length; the message names the zone or line.
Status validate(const ZoneConfig& config);

// The zones file (JSON), documented in the README:
//   {"zones": [{"name": "driveway", "points": [[x, y], [x, y], [x, y], ...]}, ...],
//    "lines": [{"name": "door", "from": [x, y], "to": [x, y]}, ...]}
// Both keys are optional; unknown keys are errors (they are usually typos).
Status parse_zones_json(std::string_view text, ZoneConfig* out);
Status load_zones_file(const std::string& path, ZoneConfig* out);

// Geometry (exposed for tests and for drawing).
// The point a track is placed by in zones and on lines: its box's bottom centre.
Point reference_point(const Box& box);
// Even-odd rule; points exactly on an edge may fall either way.
bool point_in_polygon(Point p, std::span<const Point> polygon);
// +1 right of from -> to (on the image), -1 left, 0 on the line.
int line_side(const CountLine& line, Point p);

enum class EventType { kNew, kUpdate, kEnd };

// Why an update event was sent (bits of TrackEvent::changes).
enum EventChange : unsigned {
  kChangeClass = 1u << 0,        // the track's class changed
  kChangeScore = 1u << 1,        // best score rose by at least EventOptions::score_step
  kChangeEnteredZone = 1u << 2,  // see TrackEvent::entered
  kChangeLeftZone = 1u << 3,     // see TrackEvent::left
};

struct TrackEvent {
  EventType type = EventType::kNew;
  unsigned changes = 0;  // EventChange bits, update events only
  int track_id = 0;
  int class_id = 0;
  float score = 0;       // of the latest detection matched
  float best_score = 0;  // highest so far
  // Frames count from 1 at the tracker's first update; StreamTracking turns
  // them into the stream's frame indices (FrameTag::frame) and adds times.
  int first_frame = 0;                                                           // first seen
  int last_frame = 0;                                                            // last seen (a detection matched)
  int frame = 0;                                                                 // the frame this event was produced at
  std::int64_t first_pts_ms = FrameTag::kNoPts, last_pts_ms = FrameTag::kNoPts;  // StreamTracking only
  Box box;                                                                       // the track's box at last_frame
  std::uint64_t zones = 0;         // bit z: inside zone z now (at last_frame for end events)
  std::uint64_t entered = 0;       // zones entered in this frame
  std::uint64_t left = 0;          // zones left in this frame
  std::uint64_t ever_entered = 0;  // every zone entered so far (Frigate's entered_zones)
};

struct EventOptions {
  // An update for a better score only when the best score has risen by this
  // much since the last event sent for the track (no update per frame).
  float score_step = 0.05f;
};

struct LineCount {
  int in = 0;
  int out = 0;
};

// Per zone: confirmed tracks inside it in the latest frame, the most there
// were in any frame so far, and how many tracks entered it (a track that
// starts inside counts as an entry; re-entering counts again).
struct ZoneCount {
  int now = 0;
  int peak = 0;
  int entries = 0;
};

class TrackEvents {
 public:
  static Status create(const ZoneConfig& config, const EventOptions& options, std::unique_ptr<TrackEvents>* out);
  ~TrackEvents();
  TrackEvents(const TrackEvents&) = delete;
  TrackEvents& operator=(const TrackEvents&) = delete;

  // The events of one tracker frame (cleared first): new tracks, changes,
  // removed tracks, in that order. Updates zone occupancy and line counts.
  void update(const TrackerFrame& frame, std::vector<TrackEvent>* events);

  // Per line, crossings so far.
  const std::vector<LineCount>& line_counts() const;
  // Per zone: occupancy now, its peak, entries so far.
  const std::vector<ZoneCount>& zone_counts() const;
  const ZoneConfig& config() const;
  void reserve(int tracks);

 private:
  struct Impl;
  explicit TrackEvents(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

std::string_view event_type_name(EventType type);  // "new", "update", "end"
std::ostream& operator<<(std::ostream& os, const TrackEvent& event);

}  // namespace rkyolo

// Events per tracked object, zone membership and line counts.
#include "rkyolo/track_events.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace rkyolo {
namespace {

struct ObjectState {
  int track_id = 0;
  int class_id = 0;
  float reported_best = 0;  // best score at the last event sent
  std::uint64_t zones = 0;
  std::uint64_t ever_entered = 0;
  Point point;                              // reference point at the last frame seen
  std::array<std::int8_t, kMaxLines> side;  // last non-zero side per line (0: never off the line)
};

TrackEvent make_event(EventType type, const TrackedObject& t, int frame, const ObjectState& s) {
  TrackEvent e;
  e.type = type;
  e.track_id = t.track_id;
  e.class_id = t.class_id;
  e.score = t.score;
  e.best_score = t.best_score;
  e.first_frame = t.first_frame;
  e.last_frame = t.last_frame;
  e.frame = frame;
  e.box = t.box;
  e.zones = s.zones;
  e.ever_entered = s.ever_entered;
  return e;
}

// Where along from -> to the motion p -> q meets the line (0 and 1 are the
// ends); p and q are on different sides, or p is on the line.
double crossing_position(const CountLine& line, Point p, Point q) {
  const double ax = line.from.x, ay = line.from.y;
  const double dx = static_cast<double>(line.to.x) - ax, dy = static_cast<double>(line.to.y) - ay;
  const double dp = dx * (p.y - ay) - dy * (p.x - ax);
  const double dq = dx * (q.y - ay) - dy * (q.x - ax);
  const double t = dp == dq ? 0.0 : dp / (dp - dq);
  const double x = p.x + t * (static_cast<double>(q.x) - p.x), y = p.y + t * (static_cast<double>(q.y) - p.y);
  return ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
}

}  // namespace

struct TrackEvents::Impl {
  ZoneConfig config;
  EventOptions options;
  std::vector<ObjectState> states;  // sorted by track_id (ids only grow, so new ones append)
  std::vector<LineCount> counts;
  std::vector<ZoneCount> occupancy;

  std::uint64_t zones_of(Point p) const {
    std::uint64_t mask = 0;
    for (std::size_t z = 0; z < config.zones.size(); ++z)
      if (point_in_polygon(p, config.zones[z].polygon)) mask |= std::uint64_t{1} << z;
    return mask;
  }

  ObjectState* find(int track_id) {
    auto it = std::lower_bound(states.begin(), states.end(), track_id,
                               [](const ObjectState& s, int id) { return s.track_id < id; });
    return it != states.end() && it->track_id == track_id ? &*it : nullptr;
  }

  void start(const TrackedObject& t, int frame, std::vector<TrackEvent>* events) {
    ObjectState s;
    s.track_id = t.track_id;
    s.class_id = t.class_id;
    s.reported_best = t.best_score;
    s.point = reference_point(t.box);
    s.zones = s.ever_entered = zones_of(s.point);
    for (std::size_t l = 0; l < config.lines.size(); ++l)
      s.side[l] = static_cast<std::int8_t>(line_side(config.lines[l], s.point));
    // Keep the order by id even if a caller feeds ids out of order.
    auto it = std::lower_bound(states.begin(), states.end(), s.track_id,
                               [](const ObjectState& a, int id) { return a.track_id < id; });
    states.insert(it, s);
    TrackEvent e = make_event(EventType::kNew, t, frame, s);
    e.entered = s.zones;
    events->push_back(e);
  }

  void count_lines(ObjectState& s, Point now) {
    for (std::size_t l = 0; l < config.lines.size(); ++l) {
      const int side = line_side(config.lines[l], now);
      if (side == 0) continue;
      if (s.side[l] != 0 && side != s.side[l]) {
        const double u = crossing_position(config.lines[l], s.point, now);
        if (u >= 0.0 && u <= 1.0) {
          if (side > 0)
            ++counts[l].in;
          else
            ++counts[l].out;
        }
      }
      s.side[l] = static_cast<std::int8_t>(side);
    }
  }

  void follow(ObjectState& s, const TrackedObject& t, int frame, std::vector<TrackEvent>* events) {
    unsigned changes = 0;
    if (t.class_id != s.class_id) changes |= kChangeClass;
    if (t.best_score >= s.reported_best + options.score_step) changes |= kChangeScore;
    const Point now = reference_point(t.box);
    const std::uint64_t zones = zones_of(now);
    const std::uint64_t entered = zones & ~s.zones, left = s.zones & ~zones;
    if (entered) changes |= kChangeEnteredZone;
    if (left) changes |= kChangeLeftZone;
    count_lines(s, now);
    s.point = now;
    s.class_id = t.class_id;
    s.zones = zones;
    s.ever_entered |= zones;
    if (changes == 0) return;
    s.reported_best = t.best_score;
    TrackEvent e = make_event(EventType::kUpdate, t, frame, s);
    e.changes = changes;
    e.entered = entered;
    e.left = left;
    events->push_back(e);
  }

  void count_zones(std::uint64_t before, std::uint64_t now) {
    for (std::size_t z = 0; z < occupancy.size(); ++z) {
      if (now >> z & 1) ++occupancy[z].now;
      if ((now & ~before) >> z & 1) ++occupancy[z].entries;
    }
  }

  void update(const TrackerFrame& frame, std::vector<TrackEvent>* events) {
    events->clear();
    for (ZoneCount& z : occupancy) z.now = 0;
    for (const TrackedObject& t : frame.tracks) {
      ObjectState* s = find(t.track_id);
      std::uint64_t before = 0;
      if (s == nullptr) {
        start(t, frame.frame, events);
        s = find(t.track_id);
      } else {
        before = s->zones;
        follow(*s, t, frame.frame, events);
      }
      count_zones(before, s->zones);
    }
    for (ZoneCount& z : occupancy) z.peak = std::max(z.peak, z.now);
    for (const TrackedObject& t : frame.removed) {
      ObjectState* s = find(t.track_id);
      if (s == nullptr) continue;  // never reported as tracked: no new, so no end
      TrackEvent e = make_event(EventType::kEnd, t, frame.frame, *s);
      events->push_back(e);
      states.erase(states.begin() + (s - states.data()));
    }
  }
};

TrackEvents::TrackEvents(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrackEvents::~TrackEvents() = default;

Status TrackEvents::create(const ZoneConfig& config, const EventOptions& options, std::unique_ptr<TrackEvents>* out) {
  RKYOLO_RETURN_IF_ERROR(validate(config));
  if (!(options.score_step >= 0.0f)) return invalid_argument(MessageId::kEventsScoreStep);
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->options = options;
  impl->counts.assign(config.lines.size(), LineCount{});
  impl->occupancy.assign(config.zones.size(), ZoneCount{});
  out->reset(new TrackEvents(std::move(impl)));
  return Status::ok_status();
}

void TrackEvents::update(const TrackerFrame& frame, std::vector<TrackEvent>* events) {
  impl_->update(frame, events);
}
const std::vector<LineCount>& TrackEvents::line_counts() const {
  return impl_->counts;
}
const std::vector<ZoneCount>& TrackEvents::zone_counts() const {
  return impl_->occupancy;
}
const ZoneConfig& TrackEvents::config() const {
  return impl_->config;
}
void TrackEvents::reserve(int tracks) {
  impl_->states.reserve(static_cast<std::size_t>(std::max(tracks, 0)));
}

std::string_view event_type_name(EventType type) {
  switch (type) {
    case EventType::kNew: return "new";
    case EventType::kUpdate: return "update";
    case EventType::kEnd: return "end";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const TrackEvent& e) {
  return os << "{" << event_type_name(e.type) << " track " << e.track_id << " class " << e.class_id << " frame "
            << e.frame << " changes " << e.changes << " zones " << e.zones << " " << e.box << "}";
}

}  // namespace rkyolo

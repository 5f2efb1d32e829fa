// Zones and counting lines: geometry and validation.
#include <cmath>
#include <string>

#include "rkyolo/track_events.h"

namespace rkyolo {
namespace {

bool finite(Point p) {
  return std::isfinite(p.x) && std::isfinite(p.y);
}

// z of (b - a) x (p - a), in double so integer pixel coordinates are exact.
double cross(Point a, Point b, Point p) {
  return (static_cast<double>(b.x) - a.x) * (static_cast<double>(p.y) - a.y) -
         (static_cast<double>(b.y) - a.y) * (static_cast<double>(p.x) - a.x);
}

}  // namespace

Point reference_point(const Box& box) {
  return {(box.x1 + box.x2) / 2, box.y2};
}

bool point_in_polygon(Point p, std::span<const Point> polygon) {
  // Ray casting to +x: count edges crossing the horizontal through p.
  bool inside = false;
  const std::size_t n = polygon.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Point a = polygon[i], b = polygon[j];
    if ((a.y > p.y) == (b.y > p.y)) continue;
    const double x =
        a.x + (static_cast<double>(p.y) - a.y) * (static_cast<double>(b.x) - a.x) / (static_cast<double>(b.y) - a.y);
    if (p.x < x) inside = !inside;
  }
  return inside;
}

int line_side(const CountLine& line, Point p) {
  // With y down, a positive cross product is the right-hand side of from -> to.
  const double c = cross(line.from, line.to, p);
  return c > 0 ? 1 : (c < 0 ? -1 : 0);
}

Status validate(const ZoneConfig& config) {
  if (config.zones.size() > static_cast<std::size_t>(kMaxZones))
    return invalid_argument(MessageId::kZonesTooManyZones, {{"count", config.zones.size()}, {"max", kMaxZones}});
  if (config.lines.size() > static_cast<std::size_t>(kMaxLines))
    return invalid_argument(MessageId::kZonesTooManyLines, {{"count", config.lines.size()}, {"max", kMaxLines}});
  for (std::size_t i = 0; i < config.zones.size(); ++i) {
    const Zone& z = config.zones[i];
    const Message what(MessageId::kZonesNamedZone, {{"index", i}, {"name", z.name}});
    if (z.name.empty()) return invalid_argument(MessageId::kZonesZoneNoName, {{"index", i}});
    for (std::size_t k = 0; k < i; ++k)
      if (config.zones[k].name == z.name) return invalid_argument(MessageId::kZonesNameTwice, {{"what", what}});
    if (z.polygon.size() < 3)
      return invalid_argument(MessageId::kZonesFewPoints, {{"what", what}, {"count", z.polygon.size()}});
    for (const Point& p : z.polygon)
      if (!finite(p)) return invalid_argument(MessageId::kZonesPointNotFinite, {{"what", what}});
  }
  for (std::size_t i = 0; i < config.lines.size(); ++i) {
    const CountLine& l = config.lines[i];
    const Message what(MessageId::kZonesNamedLine, {{"index", i}, {"name", l.name}});
    if (l.name.empty()) return invalid_argument(MessageId::kZonesLineNoName, {{"index", i}});
    for (std::size_t k = 0; k < i; ++k)
      if (config.lines[k].name == l.name) return invalid_argument(MessageId::kZonesNameTwice, {{"what", what}});
    if (!finite(l.from) || !finite(l.to)) return invalid_argument(MessageId::kZonesPointNotFinite, {{"what", what}});
    if (l.from.x == l.to.x && l.from.y == l.to.y) return invalid_argument(MessageId::kZonesSameEnds, {{"what", what}});
  }
  return Status::ok_status();
}

}  // namespace rkyolo

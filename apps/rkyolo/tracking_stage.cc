#include "rkyolo/tracking_stage.h"

#include <cmath>

#include "core/limits.h"
#include "rkyolo/options.h"

namespace rkyolo::cli {

TrackingStage::TrackingStage(StreamTrackingOptions options, std::vector<ZoneConfig> zones, EventsFn on_events)
    : options_(std::move(options)), zones_(std::move(zones)), on_events_(std::move(on_events)) {}

StreamTracking* TrackingStage::tracking_of(const pipeline::StreamInfo& stream) {
  const std::size_t i = static_cast<std::size_t>(stream.stream);
  if (i >= streams_.size()) streams_.resize(i + 1);
  if (streams_[i] == nullptr) {
    StreamTrackingOptions o = options_;
    const double fps = stream.source_info.fps;
    o.tracker.frame_rate = fps > 0 && std::isfinite(fps) ? fps : 30.0;
    if (i < zones_.size()) o.zones = zones_[i];
    // Options and zones were checked when read; a failure here is a bug,
    // named once, and the stream goes on untracked.
    const Status s = StreamTracking::create(o, &streams_[i]);
    if (!s.ok()) print_error("tracking of stream " + std::to_string(stream.stream) + ": " + localized(s));
  }
  return streams_[i].get();
}

void TrackingStage::process(const pipeline::StreamInfo& stream, DetectionResult* result) {
  StreamTracking* t = tracking_of(stream);
  if (t == nullptr) return;
  t->process(result);
  for (const Detection& d : result->detections) {
    if (d.class_id < 0 || d.class_id >= core::kMaxClasses) continue;
    const std::size_t c = static_cast<std::size_t>(d.class_id);
    if (c >= labels_.size()) labels_.resize(c + 1);
    labels_[c] = d.label;
  }
  if (!t->events().empty() && on_events_) on_events_(stream, *t);
}

void TrackingStage::end_stream(const pipeline::StreamInfo& stream) {
  const std::size_t i = static_cast<std::size_t>(stream.stream);
  if (i >= streams_.size() || streams_[i] == nullptr) return;
  streams_[i]->finish();
  if (!streams_[i]->events().empty() && on_events_) on_events_(stream, *streams_[i]);
}

const StreamTracking* TrackingStage::stream(int index) const {
  const std::size_t i = static_cast<std::size_t>(index);
  return index >= 0 && i < streams_.size() ? streams_[i].get() : nullptr;
}

std::string TrackingStage::label_of(int class_id) const {
  const std::size_t c = static_cast<std::size_t>(class_id);
  if (class_id >= 0 && c < labels_.size() && !labels_[c].empty()) return std::string(labels_[c]);
  return "class " + std::to_string(class_id);
}

const ZoneConfig& TrackingStage::zones(int index) const {
  static const ZoneConfig kNone;
  const std::size_t i = static_cast<std::size_t>(index);
  return index >= 0 && i < zones_.size() ? zones_[i] : kNone;
}

}  // namespace rkyolo::cli

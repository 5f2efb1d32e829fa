// rkyolo CLI: the tracking stage of `rkyolo track` in the pipeline.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/pipeline.h"
#include "rkyolo/stream_tracking.h"

namespace rkyolo::cli {

// The tracking stage of `rkyolo track`: one StreamTracking per stream,
// created on the stream's first frame with its frame rate (30 when the
// source does not say). Runs on the pipeline's sink thread, before the sinks.
class TrackingStage : public pipeline::FrameStage {
 public:
  // Called after a frame that produced events, and at a stream's end (its
  // end events).
  using EventsFn = std::function<void(const pipeline::StreamInfo&, const StreamTracking&)>;
  // `zones`: one config per stream, in --source order.
  TrackingStage(StreamTrackingOptions options, std::vector<ZoneConfig> zones, EventsFn on_events);
  void process(const pipeline::StreamInfo& stream, DetectionResult* result) override;
  void end_stream(const pipeline::StreamInfo& stream) override;
  // The stream's tracking; null before its first frame.
  const StreamTracking* stream(int index) const;
  const ZoneConfig& zones(int index) const;
  // The label of a class, as the model named it in the detections seen so
  // far ("class N" for one never seen).
  std::string label_of(int class_id) const;

 private:
  StreamTracking* tracking_of(const pipeline::StreamInfo& stream);

  StreamTrackingOptions options_;
  std::vector<ZoneConfig> zones_;
  EventsFn on_events_;
  std::vector<std::unique_ptr<StreamTracking>> streams_;
  std::vector<std::string_view> labels_;  // by class id; they point into the Model's table
};

}  // namespace rkyolo::cli

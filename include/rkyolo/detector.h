// rkyolo: the Detector = model + backend + options; detect(image) -> boxes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rkyolo/backend.h"
#include "rkyolo/detection.h"
#include "rkyolo/image.h"
#include "rkyolo/layout.h"
#include "rkyolo/detector_options.h"
#include "rkyolo/status.h"

namespace rkyolo {


class Detector {
 public:
  // Loads the model on the chosen backend and prepares every buffer.
  static Status create(const DetectorOptions& options, std::unique_ptr<Detector>* out);
  // Same, with a backend the caller created.
  static Status create(const DetectorOptions& options, std::unique_ptr<Backend> backend,
                       std::unique_ptr<Detector>* out);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Detects objects. `result` is reused across calls: once warmed up, no
  // memory is allocated per frame. Not thread-safe: use one clone per thread.
  Status detect(const ImageView& image, DetectionResult* result);

  // A detector sharing the model with its own backend context (e.g. another
  // NPU core), for parallel workers.
  Status clone(int worker_index, std::unique_ptr<Detector>* out) const;

  // Changes thresholds without reloading.
  Status set_thresholds(float conf, float iou, int max_det);

  const YoloLayout& layout() const;
  const Backend& backend() const;
  const std::vector<std::string>& labels() const;
  const DetectorOptions& options() const;
  // The sentence saying which backend was chosen and why.
  const std::string& backend_choice() const;

 private:
  struct Impl;
  explicit Detector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo

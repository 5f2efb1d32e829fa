// rkyolo: a loaded Model (immutable, shared by every worker) and the
// per-worker Sessions that run it.
//
// In the spirit of ncnn's Net/Extractor and TensorRT-YOLO's clone(): the
// Model holds what is decided once at load (weights through the backend,
// the output layout, labels, metadata, the I/O mode, load-time warnings,
// said once) and is safe to share between threads. A Session owns one
// execution context (one NPU core, one CPU thread budget), the letterbox
// and decode buffers, and runs one frame at a time. Labels live in the
// Model: a Detection's label stays valid while the Model lives, whichever
// Session produced it.
//
//   std::shared_ptr<const rkyolo::Model> model;
//   RKYOLO_RETURN_IF_ERROR(rkyolo::Model::load(options, &model));
//   std::vector<std::unique_ptr<rkyolo::Session>> workers;
//   for (const rkyolo::Placement& p : model->placements()) {   // one per NPU core
//     workers.emplace_back();
//     RKYOLO_RETURN_IF_ERROR(model->create_session(p, &workers.back()));
//   }
//   // thread i: workers[i]->detect(image, &result);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rkyolo/backend.h"
#include "rkyolo/detection.h"
#include "rkyolo/detector_options.h"
#include "rkyolo/image.h"
#include "rkyolo/layout.h"
#include "rkyolo/status.h"

namespace rkyolo {

class Session;

class Model : public std::enable_shared_from_this<Model> {
 public:
  // Loads the model on the backend the options name ("auto": the best
  // usable one), detects the layout, resolves labels and says every
  // load-time warning once.
  static Status load(const DetectorOptions& options, std::shared_ptr<const Model>* out);
  // Same, with a backend the caller created (tests, custom backends).
  static Status load(const DetectorOptions& options, std::unique_ptr<Backend> backend,
                     std::shared_ptr<const Model>* out);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Where sessions can run: one entry per NPU core the runtime accepts (or
  // the cores --npu-cores named), one CPU placement with the thread budget.
  // Never empty.
  const std::vector<Placement>& placements() const;

  // A new worker at `placement` (one of placements(), or any placement the
  // backend accepts). Thread-safe; sessions are independent of each other.
  Status create_session(const Placement& placement, std::unique_ptr<Session>* out) const;
  // At placements()[0].
  Status create_session(std::unique_ptr<Session>* out) const;

  const DetectorOptions& options() const;
  const YoloLayout& layout() const;
  // One name per class (metadata, --labels, or "class N"); stable for the
  // Model's lifetime.
  const std::vector<std::string>& labels() const;
  const ModelInfo& info() const;
  const BackendCaps& caps() const;
  // Runtime, versions, I/O mode and cores, typed (what `info`, the
  // benchmark and logs print).
  const RuntimeInfo& runtime() const;
  // The sentence saying which backend was chosen and why.
  const std::string& backend_choice() const;
  // Warnings said at load (also logged once), the backend's included;
  // empty when the log level hides warnings.
  const std::vector<std::string>& warnings() const;
  // The same warnings with their identities, to translate by id.
  const std::vector<Message>& warning_messages() const;
  // The loaded backend every session is cloned from (idle, never run): for
  // describe() and anything else a caller wants to read before a session.
  const Backend& backend() const;

  struct Impl;

 private:
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Session {
 public:
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Detects objects in one image. `result` is reused across calls: once
  // warm (one call per source size), nothing is allocated per frame.
  // result->tag is left as the caller set it. Not thread-safe: one Session
  // per thread.
  Status detect(const ImageView& image, DetectionResult* result);

  // Changes thresholds of this session without reloading.
  Status set_thresholds(float conf, float iou, int max_det);

  const Model& model() const { return *model_; }
  const std::shared_ptr<const Model>& shared_model() const { return model_; }
  const Placement& placement() const;
  const Backend& backend() const;

  struct Impl;

 private:
  friend class Model;
  Session(std::shared_ptr<const Model> model, std::unique_ptr<Impl> impl);
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo

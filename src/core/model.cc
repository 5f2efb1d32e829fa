#include "rkyolo/model.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <sstream>

#include "core/decode.h"
#include "core/letterbox.h"
#include "core/log_capture.h"
#include "core/nms.h"
#include "rkyolo/log.h"

namespace rkyolo {

namespace {
using Clock = std::chrono::steady_clock;
double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// A combined output quantized to int8 shares one scale between pixel
// coordinates (hundreds) and scores (0..1): scores then move in steps far
// too coarse to pass any threshold. Say so once, at load.
void warn_about_quantized_scores(const YoloLayout& layout, const std::vector<TensorInfo>& outputs) {
  const bool combined = layout.family == YoloFamily::kYolov5Combined || layout.family == YoloFamily::kYolov8Combined ||
                        layout.family == YoloFamily::kEndToEnd;
  if (!combined) return;
  const TensorInfo& t = outputs[layout.combined_output];
  constexpr float kCoarsestUsableScoreStep = 1.0f / 64.0f;
  if (t.dtype != DType::kFloat32 && t.quant.scale > kCoarsestUsableScoreStep) {
    if (!log_enabled(LogLevel::kWarning)) return;
    std::ostringstream scale;
    scale << t.quant.scale;
    log_message(LogLevel::kWarning,
                Message(MessageId::kModelCoarseScores,
                        {{"name", t.name}, {"dtype", std::string(dtype_name(t.dtype))}, {"scale", scale.str()}}));
  }
}

// One name per class: --labels, else the model's names, else "class N".
std::vector<std::string> resolve_labels(const DetectorOptions& options, const YoloLayout& layout) {
  const int nc = layout.num_classes;
  std::vector<std::string> labels = options.labels.empty() ? layout.names : options.labels;
  if (!options.labels.empty() && static_cast<int>(labels.size()) != nc) {
    log_message(LogLevel::kWarning,
                Message(MessageId::kModelLabelsCount, {{"labels", labels.size()}, {"classes", nc}}));
  }
  labels.resize(std::max<std::size_t>(labels.size(), static_cast<std::size_t>(nc)));
  for (int c = 0; c < nc; ++c)
    if (labels[c].empty()) labels[c] = "class " + std::to_string(c);
  return labels;
}

Message model_name(const DetectorOptions& options, const ModelInfo& info) {
  return Message(MessageId::kModelContext, {{"path", info.path.empty() ? options.model_path : info.path}});
}

}  // namespace

// ------------------------------------------------------------- Model ----

struct Model::Impl {
  DetectorOptions options;
  // Loaded once, never run: sessions are clones of it.
  std::unique_ptr<Backend> prototype;
  std::mutex clone_mutex;
  std::string backend_choice;
  YoloLayout layout;
  std::vector<std::string> labels;
  std::vector<Placement> placements;
  RuntimeInfo runtime;
  std::vector<Message> warning_messages;
  std::vector<std::string> warnings;  // their English

  void render_warnings() {
    warnings.clear();
    for (const Message& m : warning_messages) warnings.push_back(m.render());
  }
};

// What a Session owns: one execution context and its buffers.
struct Session::Impl {
  Placement placement;
  std::unique_ptr<Backend> backend;
  float conf_threshold = 0;
  float iou_threshold = 0;
  int max_det = 0;
  core::Letterboxer letterbox;
  core::Decoder decoder;
  core::Nms nms;
  std::vector<core::Candidate> candidates;
  std::vector<int> keep;
};

Status validate(const DetectorOptions& o) {
  if (!(o.conf_threshold >= 0.0f && o.conf_threshold <= 1.0f))
    return invalid_argument(MessageId::kModelConfRange, {{"value", std::to_string(o.conf_threshold)}});
  if (!(o.iou_threshold >= 0.0f && o.iou_threshold <= 1.0f))
    return invalid_argument(MessageId::kModelIouRange, {{"value", std::to_string(o.iou_threshold)}});
  if (o.max_det < 0) return invalid_argument(MessageId::kModelMaxDetNegative, {{"value", o.max_det}});
  if (o.max_nms < 1) return invalid_argument(MessageId::kModelMaxNms);
  for (int c : o.classes)
    if (c < 0) return invalid_argument(MessageId::kModelClassNegative, {{"value", c}});
  if (o.backend.empty()) return invalid_argument(MessageId::kModelBackendEmpty);
  return Status();
}

namespace {

// Prepares a session's buffers for `backend`: the same checks whether it is
// the Model's prototype (at load) or a clone (each session).
Status prepare(const DetectorOptions& options, const YoloLayout& layout, Backend& backend, Session::Impl* s) {
  const BackendCaps& caps = backend.caps();
  const ModelInfo& info = backend.model_info();
  const Message model = model_name(options, info);
  RKYOLO_RETURN_IF_ERROR(s->decoder.configure(layout, info.outputs).with_context(model));
  core::DecodeOptions dopt;
  dopt.conf_threshold = options.conf_threshold;
  dopt.classes = options.classes;
  RKYOLO_RETURN_IF_ERROR(s->decoder.set_options(dopt));
  const core::LetterboxTarget target = core::LetterboxTarget::from_caps(caps.input);
  RKYOLO_RETURN_IF_ERROR(s->letterbox.configure(target).with_context(model));
  if (caps.input.size_bytes != 0 && caps.input.size_bytes < target.required_bytes())
    return internal_error(MessageId::kModelInputBuffer,
                          {{"size", caps.input.size_bytes}, {"needed", target.required_bytes()}});
  const std::size_t n = s->decoder.max_candidates();
  s->candidates.reserve(n);
  s->nms.reserve(n);
  s->keep.reserve(std::min<std::size_t>(n, static_cast<std::size_t>(options.max_det)));
  s->conf_threshold = options.conf_threshold;
  s->iou_threshold = options.iou_threshold;
  s->max_det = options.max_det;
  return Status();
}

}  // namespace

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

Status Model::load(const DetectorOptions& options, std::shared_ptr<const Model>* out) {
  RKYOLO_RETURN_IF_ERROR(validate(options));
  BackendOptions bo = options.backend_options;
  bo.model_path = options.model_path;
  std::unique_ptr<Backend> backend;
  std::string choice;
  std::vector<Message> warnings;
  {
    const core::ScopedWarningCapture capture(&warnings);
    RKYOLO_RETURN_IF_ERROR(create_backend(options.backend, bo, &backend, &choice));
  }
  std::shared_ptr<const Model> model;
  RKYOLO_RETURN_IF_ERROR(load(options, std::move(backend), &model));
  Impl& impl = *model->impl_;
  impl.backend_choice = choice;
  impl.warning_messages.insert(impl.warning_messages.begin(), warnings.begin(), warnings.end());
  impl.render_warnings();
  *out = std::move(model);
  return Status();
}

Status Model::load(const DetectorOptions& options, std::unique_ptr<Backend> backend,
                   std::shared_ptr<const Model>* out) {
  RKYOLO_RETURN_IF_ERROR(validate(options));
  if (!backend) return invalid_argument(MessageId::kModelNoBackend);
  auto impl = std::make_unique<Impl>();
  const core::ScopedWarningCapture capture(&impl->warning_messages);
  impl->options = options;
  impl->backend_choice = "backend '" + backend->caps().name + "'";
  const BackendCaps& caps = backend->caps();
  const ModelInfo& info = backend->model_info();
  RKYOLO_RETURN_IF_ERROR(detect_layout(info.outputs, caps.input.width, caps.input.height, info.metadata,
                                       options.layout_hints, &impl->layout)
                             .with_context(model_name(options, info)));
  impl->labels = resolve_labels(options, impl->layout);
  {
    // Everything a session will need must work with the prototype: errors
    // belong to the load, not to the first session.
    Session::Impl check;
    RKYOLO_RETURN_IF_ERROR(prepare(options, impl->layout, *backend, &check));
  }
  warn_about_quantized_scores(impl->layout, info.outputs);
  impl->placements = backend->placements();
  if (impl->placements.empty()) return internal_error(MessageId::kModelNoPlacement, {{"backend", caps.name}});
  impl->runtime = backend->runtime_info();
  impl->prototype = std::move(backend);
  impl->render_warnings();
  out->reset(new Model(std::move(impl)));
  return Status();
}

const std::vector<Placement>& Model::placements() const {
  return impl_->placements;
}

Status Model::create_session(const Placement& placement, std::unique_ptr<Session>* out) const {
  auto s = std::make_unique<Session::Impl>();
  s->placement = placement;
  {
    std::lock_guard<std::mutex> lock(impl_->clone_mutex);
    RKYOLO_RETURN_IF_ERROR(impl_->prototype->clone(placement, &s->backend));
  }
  RKYOLO_RETURN_IF_ERROR(prepare(impl_->options, impl_->layout, *s->backend, s.get()));
  if (s->backend->input_buffer() == nullptr) return internal_error(MessageId::kModelNoInputBuffer);
  out->reset(new Session(shared_from_this(), std::move(s)));
  return Status();
}

Status Model::create_session(std::unique_ptr<Session>* out) const {
  return create_session(impl_->placements[0], out);
}

const DetectorOptions& Model::options() const {
  return impl_->options;
}
const YoloLayout& Model::layout() const {
  return impl_->layout;
}
const std::vector<std::string>& Model::labels() const {
  return impl_->labels;
}
const ModelInfo& Model::info() const {
  return impl_->prototype->model_info();
}
const BackendCaps& Model::caps() const {
  return impl_->prototype->caps();
}
const RuntimeInfo& Model::runtime() const {
  return impl_->runtime;
}
const std::string& Model::backend_choice() const {
  return impl_->backend_choice;
}
const std::vector<std::string>& Model::warnings() const {
  return impl_->warnings;
}
const std::vector<Message>& Model::warning_messages() const {
  return impl_->warning_messages;
}
const Backend& Model::backend() const {
  return *impl_->prototype;
}

// ----------------------------------------------------------- Session ----

Session::Session(std::shared_ptr<const Model> model, std::unique_ptr<Impl> impl)
    : model_(std::move(model)), impl_(std::move(impl)) {}
Session::~Session() = default;

Status Session::detect(const ImageView& image, DetectionResult* result) {
  Impl& d = *impl_;
  const Model& m = *model_;
  if (image.empty()) return invalid_image(MessageId::kImageEmpty);
  result->image_width = image.width;
  result->image_height = image.height;
  result->detections.clear();
  const auto t0 = Clock::now();
  RKYOLO_RETURN_IF_ERROR(d.letterbox.run(image, d.backend->input_buffer()));
  const auto t1 = Clock::now();
  RKYOLO_RETURN_IF_ERROR(d.backend->run());
  const auto t2 = Clock::now();
  RKYOLO_RETURN_IF_ERROR(d.decoder.decode(d.backend->outputs(), &d.candidates));
  core::NmsOptions nopt;
  // One-to-one heads need no NMS: an IoU threshold above 1 keeps every box,
  // so only the score order and max_det (the top-k) remain.
  nopt.iou_threshold = m.layout().nms_free ? 2.0f : d.iou_threshold;
  nopt.agnostic = m.options().agnostic_nms;
  nopt.max_det = d.max_det;
  nopt.max_nms = m.options().max_nms;
  d.nms.run(d.candidates, nopt, &d.keep);

  const core::LetterboxGeometry& g = d.letterbox.geometry();
  const std::vector<std::string>& labels = m.labels();
  const float w = static_cast<float>(image.width), h = static_cast<float>(image.height);
  if (result->detections.capacity() < d.keep.size())
    result->detections.reserve(std::max<std::size_t>(d.keep.size(), 64));
  for (int k : d.keep) {
    const core::Candidate& c = d.candidates[k];
    Detection det;
    det.class_id = c.class_id;
    det.label = labels[c.class_id];
    det.score = c.score;
    det.box.x1 = std::clamp(g.to_source_x(c.box.x1), 0.0f, w);
    det.box.y1 = std::clamp(g.to_source_y(c.box.y1), 0.0f, h);
    det.box.x2 = std::clamp(g.to_source_x(c.box.x2), 0.0f, w);
    det.box.y2 = std::clamp(g.to_source_y(c.box.y2), 0.0f, h);
    if (!(det.box.x2 > det.box.x1 && det.box.y2 > det.box.y1)) continue;  // entirely in the padding
    result->detections.push_back(det);
  }
  const auto t3 = Clock::now();
  result->timing.preprocess_ms = ms_between(t0, t1);
  result->timing.inference_ms = ms_between(t1, t2);
  result->timing.postprocess_ms = ms_between(t2, t3);
  return Status();
}

Status Session::set_thresholds(float conf, float iou_threshold, int max_det) {
  DetectorOptions o = model_->options();
  o.conf_threshold = conf;
  o.iou_threshold = iou_threshold;
  o.max_det = max_det;
  RKYOLO_RETURN_IF_ERROR(validate(o));
  core::DecodeOptions dopt;
  dopt.conf_threshold = conf;
  dopt.classes = o.classes;
  RKYOLO_RETURN_IF_ERROR(impl_->decoder.set_options(dopt));
  impl_->conf_threshold = conf;
  impl_->iou_threshold = iou_threshold;
  impl_->max_det = max_det;
  return Status();
}

const Placement& Session::placement() const {
  return impl_->placement;
}
const Backend& Session::backend() const {
  return *impl_->backend;
}

}  // namespace rkyolo

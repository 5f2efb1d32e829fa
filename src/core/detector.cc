#include "rkyolo/detector.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/decode.h"
#include "core/letterbox.h"
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
    RKYOLO_LOG(kWarning) << "output '" << t.name << "' holds box coordinates and scores in one " << dtype_name(t.dtype)
                         << " tensor (scale " << t.quant.scale
                         << "): scores are quantized in steps too coarse to detect anything reliably; export the "
                            "model with split heads per stride (the Rockchip layout) for int8 NPUs";
  }
}

}  // namespace

struct Detector::Impl {
  DetectorOptions options;
  std::unique_ptr<Backend> backend;
  std::string backend_choice;
  YoloLayout layout;
  std::vector<std::string> labels;
  core::Letterboxer letterbox;
  core::Decoder decoder;
  core::Nms nms;
  std::vector<core::Candidate> candidates;
  std::vector<int> keep;
};

Status validate(const DetectorOptions& o) {
  if (!(o.conf_threshold >= 0.0f && o.conf_threshold <= 1.0f))
    return invalid_argument("the confidence threshold must be between 0 and 1 (got " + std::to_string(o.conf_threshold) + ")");
  if (!(o.iou_threshold >= 0.0f && o.iou_threshold <= 1.0f))
    return invalid_argument("the IoU threshold must be between 0 and 1 (got " + std::to_string(o.iou_threshold) + ")");
  if (o.max_det < 0) return invalid_argument("max_det must not be negative (got " + std::to_string(o.max_det) + ")");
  if (o.max_nms < 1) return invalid_argument("max_nms must be at least 1");
  for (int c : o.classes)
    if (c < 0) return invalid_argument("class ids must not be negative (got " + std::to_string(c) + ")");
  if (o.backend.empty()) return invalid_argument("the backend name is empty");
  return Status();
}

Detector::Detector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Detector::~Detector() = default;

Status Detector::create(const DetectorOptions& options, std::unique_ptr<Detector>* out) {
  RKYOLO_RETURN_IF_ERROR(validate(options));
  BackendOptions bo = options.backend_options;
  bo.model_path = options.model_path;
  std::unique_ptr<Backend> backend;
  std::string choice;
  RKYOLO_RETURN_IF_ERROR(create_backend(options.backend, bo, &backend, &choice));
  RKYOLO_RETURN_IF_ERROR(create(options, std::move(backend), out));
  (*out)->impl_->backend_choice = choice;
  return Status();
}

Status Detector::create(const DetectorOptions& options, std::unique_ptr<Backend> backend,
                        std::unique_ptr<Detector>* out) {
  RKYOLO_RETURN_IF_ERROR(validate(options));
  if (!backend) return invalid_argument("no backend given");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->backend = std::move(backend);
  impl->backend_choice = "backend '" + impl->backend->caps().name + "'";
  const BackendCaps& caps = impl->backend->caps();
  const ModelInfo& info = impl->backend->model_info();
  const std::string model = "model '" + (info.path.empty() ? options.model_path : info.path) + "'";

  RKYOLO_RETURN_IF_ERROR(detect_layout(info.outputs, caps.input.width, caps.input.height, info.metadata,
                                       options.layout_hints, &impl->layout)
                             .with_context(model));
  const int nc = impl->layout.num_classes;
  if (!options.labels.empty()) {
    impl->labels = options.labels;
    if (static_cast<int>(impl->labels.size()) != nc) {
      RKYOLO_LOG(kWarning) << "the labels list has " << impl->labels.size() << " names but the model has " << nc
                           << " classes";
    }
  } else {
    impl->labels = impl->layout.names;
  }
  impl->labels.resize(std::max<std::size_t>(impl->labels.size(), nc));
  for (int c = 0; c < nc; ++c)
    if (impl->labels[c].empty()) impl->labels[c] = "class " + std::to_string(c);

  RKYOLO_RETURN_IF_ERROR(impl->decoder.configure(impl->layout, info.outputs).with_context(model));
  warn_about_quantized_scores(impl->layout, info.outputs);
  core::DecodeOptions dopt;
  dopt.conf_threshold = options.conf_threshold;
  dopt.classes = options.classes;
  RKYOLO_RETURN_IF_ERROR(impl->decoder.set_options(dopt));

  const core::LetterboxTarget target = core::LetterboxTarget::from_caps(caps.input);
  RKYOLO_RETURN_IF_ERROR(impl->letterbox.configure(target).with_context(model));
  if (caps.input.size_bytes != 0 && caps.input.size_bytes < target.required_bytes())
    return internal_error("backend input buffer holds " + std::to_string(caps.input.size_bytes) + " bytes but " +
                          std::to_string(target.required_bytes()) + " are needed");
  if (impl->backend->input_buffer() == nullptr) return internal_error("backend has no input buffer");

  const std::size_t n = impl->decoder.max_candidates();
  impl->candidates.reserve(n);
  impl->nms.reserve(n);
  impl->keep.reserve(std::min<std::size_t>(n, static_cast<std::size_t>(options.max_det)));
  out->reset(new Detector(std::move(impl)));
  return Status();
}

Status Detector::detect(const ImageView& image, DetectionResult* result) {
  Impl& d = *impl_;
  if (image.empty()) return invalid_image("the image is empty");
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
  nopt.iou_threshold = d.layout.nms_free ? 2.0f : d.options.iou_threshold;
  nopt.agnostic = d.options.agnostic_nms;
  nopt.max_det = d.options.max_det;
  nopt.max_nms = d.options.max_nms;
  d.nms.run(d.candidates, nopt, &d.keep);

  const core::LetterboxGeometry& g = d.letterbox.geometry();
  const float w = static_cast<float>(image.width), h = static_cast<float>(image.height);
  if (result->detections.capacity() < d.keep.size()) result->detections.reserve(std::max<std::size_t>(d.keep.size(), 64));
  for (int k : d.keep) {
    const core::Candidate& c = d.candidates[k];
    Detection det;
    det.class_id = c.class_id;
    det.label = d.labels[c.class_id];
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

Status Detector::clone(int worker_index, std::unique_ptr<Detector>* out) const {
  std::unique_ptr<Backend> backend;
  RKYOLO_RETURN_IF_ERROR(impl_->backend->clone(worker_index, &backend));
  RKYOLO_RETURN_IF_ERROR(create(impl_->options, std::move(backend), out));
  (*out)->impl_->backend_choice = impl_->backend_choice;
  return Status();
}

Status Detector::set_thresholds(float conf, float iou_threshold, int max_det) {
  DetectorOptions o = impl_->options;
  o.conf_threshold = conf;
  o.iou_threshold = iou_threshold;
  o.max_det = max_det;
  RKYOLO_RETURN_IF_ERROR(validate(o));
  core::DecodeOptions dopt;
  dopt.conf_threshold = conf;
  dopt.classes = o.classes;
  RKYOLO_RETURN_IF_ERROR(impl_->decoder.set_options(dopt));
  impl_->options = o;
  return Status();
}

const YoloLayout& Detector::layout() const { return impl_->layout; }
const Backend& Detector::backend() const { return *impl_->backend; }
const std::vector<std::string>& Detector::labels() const { return impl_->labels; }
const DetectorOptions& Detector::options() const { return impl_->options; }
const std::string& Detector::backend_choice() const { return impl_->backend_choice; }

}  // namespace rkyolo

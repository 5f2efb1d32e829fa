#include "backends/cpu/cpu_backend.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <utility>

#include "core/onnx_reader.h"
#include "core/onnx_rewrite.h"
#include "rkyolo/log.h"

namespace rkyolo {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                                                 [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

// OpenCV's importer reports "Node [Add@ai.onnx]:(onnx_node!/model.22/Add)
// parse error: ... error: (-215:Assertion failed) X in function 'f'" over
// several lines: keep the node, the operator and the failed check.
std::string opencv_node_error(const std::string& err) {
  const std::size_t node = err.find("Node [");
  if (node == std::string::npos) return first_line(err);
  const std::size_t op_end = err.find('@', node), name = err.find("onnx_node!", node);
  const std::size_t name_end = name == std::string::npos ? name : err.find(')', name);
  if (op_end == std::string::npos || name_end == std::string::npos) return first_line(err.substr(node));
  const std::string op = err.substr(node + 6, op_end - node - 6);
  const std::string node_name = err.substr(name + 10, name_end - name - 10);
  std::string why;
  if (std::size_t e = err.rfind("error: "); e != std::string::npos && e > name_end) why = first_line(err.substr(e + 7));
  return "node '" + node_name + "' (" + op + ") is not supported" + (why.empty() ? "" : ": " + why);
}

constexpr int kMinInputSize = 32;

// Immutable state shared by clones: the file bytes and what they describe.
struct SharedModel {
  std::vector<std::uint8_t> bytes;
  core::OnnxModelInfo onnx;         // of the bytes OpenCV loads (after rewrites)
  core::OnnxImportReport rewrites;  // what import changed; empty: the file as is
  ModelInfo info;
  BackendCaps caps;
  std::vector<cv::String> output_names;
};

Status load_net(const SharedModel& m, cv::dnn::Net* net) {
  try {
    *net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size());
  } catch (const cv::Exception& e) {
    if (m.rewrites.rewrites.empty())
      return unsupported_model(MessageId::kCpuLoadNoRewrite,
                               {{"version", CV_VERSION}, {"path", m.info.path}, {"detail", opencv_node_error(e.err)}});
    return unsupported_model(MessageId::kCpuLoadAfterRewrites, {{"version", CV_VERSION},
                                                                {"path", m.info.path},
                                                                {"detail", opencv_node_error(e.err)},
                                                                {"rewrites", join(m.rewrites.rewrites)}});
  } catch (const std::exception& e) {
    return unsupported_model(MessageId::kCpuLoadFailed, {{"path", m.info.path}, {"detail", e.what()}});
  }
  if (net->empty()) return unsupported_model(MessageId::kCpuEmptyNetwork, {{"path", m.info.path}});
  net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return Status();
}

class CpuBackend final : public Backend {
 public:
  CpuBackend(std::shared_ptr<const SharedModel> model, cv::dnn::Net net)
      : model_(std::move(model)), net_(std::move(net)) {
    views_.resize(model_->info.outputs.size());
  }

  const BackendCaps& caps() const override { return model_->caps; }
  const ModelInfo& model_info() const override { return model_->info; }
  // Allocated on first use (then stable): a Model's prototype, which never
  // runs, holds none.
  std::uint8_t* input_buffer() override {
    if (blob_.empty()) {
      const InputCaps& in = model_->caps.input;
      const int shape[4] = {1, 3, in.height, in.width};
      blob_.create(4, shape, CV_32F);
      blob_.setTo(0);
    }
    return blob_.data;
  }

  Status run() override {
    input_buffer();
    if (net_.empty()) RKYOLO_RETURN_IF_ERROR(load_net(*model_, &net_));  // it went to a clone
    ran_ = true;
    try {
      net_.setInput(blob_);
      net_.forward(outs_, model_->output_names);
    } catch (const cv::Exception& e) {
      return backend_error(MessageId::kCpuRunFailed, {{"path", model_->info.path}, {"detail", first_line(e.err)}});
    }
    if (outs_.size() != views_.size())
      return backend_error(MessageId::kCpuOutputCount, {{"count", outs_.size()}, {"expected", views_.size()}});
    for (std::size_t i = 0; i < outs_.size(); ++i) {
      const TensorInfo& t = model_->info.outputs[i];
      if (outs_[i].type() != CV_32F || static_cast<std::int64_t>(outs_[i].total()) != t.element_count() ||
          !outs_[i].isContinuous())
        return backend_error(MessageId::kCpuOutputSize,
                             {{"name", t.name}, {"count", outs_[i].total()}, {"shape", shape_string(t.dims)}});
      views_[i] = TensorView{outs_[i].data, &t};
    }
    return Status();
  }

  const std::vector<TensorView>& outputs() const override { return views_; }

  // One placement: OpenCV's thread pool, which is process-wide, so every
  // session shares the same budget.
  std::vector<Placement> placements() const override {
    Placement p;
    p.device = Placement::Device::kCpu;
    p.threads = cv::getNumThreads();
    return {p};
  }

  Status clone(const Placement& placement, std::unique_ptr<Backend>* out) const override {
    if (placement.device != Placement::Device::kCpu)
      return invalid_argument(MessageId::kCpuSessionPlacement, {{"placement", to_string(placement)}});
    // A backend that never ran (a Model's prototype) hands its network,
    // warmed up at load, to its first clone: one session costs one network.
    cv::dnn::Net net;
    {
      std::lock_guard<std::mutex> lock(lend_mutex_);
      if (!ran_ && !net_.empty()) net = std::exchange(net_, cv::dnn::Net());
    }
    const bool warm = !net.empty();
    if (!warm) RKYOLO_RETURN_IF_ERROR(load_net(*model_, &net));
    auto clone = std::make_unique<CpuBackend>(model_, std::move(net));
    // A new network runs once on the blank input now: OpenCV allocates its
    // buffers here, not on the session's first frame.
    if (!warm) RKYOLO_RETURN_IF_ERROR(clone->run());
    *out = std::move(clone);
    return Status();
  }

  RuntimeInfo runtime_info() const override {
    RuntimeInfo r;
    r.backend = "cpu";
    r.runtime = "OpenCV " CV_VERSION " DNN";
    r.runtime_version = CV_VERSION;
    r.io_mode = RuntimeInfo::IoMode::kCopy;
    r.io_detail = "copy: the letterbox writes a float32 NCHW blob that OpenCV DNN reads";
    r.threads = cv::getNumThreads();
    return r;
  }

  std::vector<std::pair<std::string, std::string>> describe() const override {
    std::vector<std::pair<std::string, std::string>> d;
    d.emplace_back("onnx producer", model_->onnx.producer.empty() ? "unknown" : model_->onnx.producer);
    std::string opsets;
    for (const auto& [domain, version] : model_->onnx.opsets)
      opsets += (opsets.empty() ? "" : ", ") + (domain.empty() ? std::string("ai.onnx") : domain) + " " +
                std::to_string(version);
    d.emplace_back("onnx ir / opset", std::to_string(model_->onnx.ir_version) + " / " + opsets);
    d.emplace_back("graph nodes", std::to_string(model_->onnx.node_count));
    if (model_->rewrites.rewrites.empty()) d.emplace_back("import rewrites", "none (the file runs as it is)");
    for (const auto& r : model_->rewrites.rewrites) d.emplace_back("import rewrite", r);
    return d;
  }

 private:
  std::shared_ptr<const SharedModel> model_;
  mutable std::mutex lend_mutex_;
  mutable cv::dnn::Net net_;  // empty once lent to a clone; loaded again if this backend runs
  bool ran_ = false;
  cv::Mat blob_;
  std::vector<cv::Mat> outs_;
  std::vector<TensorView> views_;
};

int cpu_score(const BackendOptions& options, Message* reason) {
  if (ends_with(options.model_path, ".rknn")) {
    *reason = Message(MessageId::kCpuRunsOnnxOnly);
    return 0;
  }
  *reason = Message(MessageId::kCpuOpenCvDnn, {{"version", CV_VERSION}});
  return 10;
}

}  // namespace

Status create_cpu_backend(const BackendOptions& options, std::unique_ptr<Backend>* out) {
  auto m = std::make_shared<SharedModel>();
  const std::string& path = options.model_path;
  RKYOLO_RETURN_IF_ERROR(core::read_file_bytes(path, &m->bytes));
  {
    // Validate, then rewrite in memory what OpenCV 4.6 cannot run; the
    // bytes OpenCV loads are the rewritten model, the file stays as it is.
    core::OnnxModel graph;
    RKYOLO_RETURN_IF_ERROR(core::import_onnx_for_opencv(&m->bytes, path, &graph, &m->rewrites));
  }
  RKYOLO_RETURN_IF_ERROR(core::parse_onnx(m->bytes.data(), m->bytes.size(), path, &m->onnx));
  for (const auto& r : m->rewrites.rewrites) RKYOLO_LOG(kInfo) << "'" << path << "': " << r;
  m->info.path = path;
  m->info.format = "onnx";
  m->info.inputs = m->onnx.inputs;
  m->info.outputs = m->onnx.outputs;
  m->info.metadata = m->onnx.metadata;
  if (m->info.inputs.size() != 1)
    return unsupported_model(MessageId::kCpuInputCount, {{"path", path}, {"count", m->info.inputs.size()}});
  TensorInfo& in = m->info.inputs[0];
  if (in.dims.size() != 4 || (in.dims[1] != 3 && in.dims[1] >= 0))
    return unsupported_model(MessageId::kCpuInputShape,
                             {{"path", path}, {"name", in.name}, {"shape", shape_string(in.dims)}});
  if (in.dtype != DType::kFloat32)
    return unsupported_model(MessageId::kCpuInputDtype,
                             {{"path", path}, {"name", in.name}, {"dtype", dtype_name(in.dtype)}});
  const int imgsz = options.cpu.input_size;
  if (imgsz < kMinInputSize)
    return invalid_argument(MessageId::kCpuInputSizeSmall, {{"min", kMinInputSize}, {"value", imgsz}});
  in.dims[0] = 1;
  in.dims[1] = 3;
  if (in.dims[2] <= 0 || in.dims[3] <= 0) {
    RKYOLO_LOG(kInfo) << "model '" << path << "' has a dynamic input size; using " << imgsz << "x" << imgsz;
    if (in.dims[2] <= 0) in.dims[2] = imgsz;
    if (in.dims[3] <= 0) in.dims[3] = imgsz;
  }
  RKYOLO_RETURN_IF_ERROR(core::check_input_size(in.dims[3], in.dims[2], "model '" + path + "'"));
  in.layout = TensorLayout::kNCHW;
  in.size_bytes = static_cast<std::size_t>(in.element_count()) * 4;

  BackendCaps& caps = m->caps;
  caps.name = "cpu";
  caps.device = "CPU (OpenCV " CV_VERSION " DNN)";
  caps.concurrent_runs = true;
  caps.zero_copy_outputs = false;
  InputCaps& ic = caps.input;
  ic.width = static_cast<int>(in.dims[3]);
  ic.height = static_cast<int>(in.dims[2]);
  ic.channels = 3;
  ic.layout = TensorLayout::kNCHW;
  ic.dtype = DType::kFloat32;
  ic.color = PixelFormat::kRgb8;
  for (int c = 0; c < 3; ++c) ic.mean[c] = 0, ic.std[c] = 255;
  ic.row_stride_pixels = ic.width;
  ic.size_bytes = in.size_bytes;
  ic.zero_copy = false;

  if (options.cpu.threads < 0)
    return invalid_argument(MessageId::kCpuThreadsNegative, {{"value", options.cpu.threads}});
  if (options.cpu.threads > 0) cv::setNumThreads(options.cpu.threads);

  cv::dnn::Net net;
  RKYOLO_RETURN_IF_ERROR(load_net(*m, &net));
  for (const auto& o : m->info.outputs) m->output_names.push_back(o.name);

  // One warm-up run on a blank image: OpenCV allocates its buffers here (not
  // on the first frame) and we learn the real output shapes.
  const int shape[4] = {1, 3, ic.height, ic.width};
  cv::Mat blank(4, shape, CV_32F, cv::Scalar(114.0f / 255.0f));
  std::vector<cv::Mat> outs;
  try {
    net.setInput(blank);
    net.forward(outs, m->output_names);
  } catch (const cv::Exception& e) {
    return unsupported_model(MessageId::kCpuCannotRunAt, {{"version", CV_VERSION},
                                                          {"path", path},
                                                          {"width", ic.width},
                                                          {"height", ic.height},
                                                          {"detail", first_line(e.err)}});
  }
  if (outs.size() != m->info.outputs.size())
    return unsupported_model(MessageId::kCpuProducedOutputs,
                             {{"count", outs.size()}, {"path", path}, {"declared", m->info.outputs.size()}});
  for (std::size_t i = 0; i < outs.size(); ++i) {
    TensorInfo& t = m->info.outputs[i];
    std::vector<std::int64_t> actual;
    for (int d = 0; d < outs[i].dims; ++d) actual.push_back(outs[i].size[d]);
    if (t.dims != actual) {
      RKYOLO_LOG(kDebug) << "output '" << t.name << "' declared " << shape_string(t.dims) << ", OpenCV produces "
                         << shape_string(actual);
      t.dims = actual;
    }
    t.dtype = DType::kFloat32;
    t.layout = actual.size() == 4 ? TensorLayout::kNCHW : TensorLayout::kFlat;
    t.size_bytes = static_cast<std::size_t>(t.element_count()) * 4;
  }
  std::shared_ptr<const SharedModel> shared = std::move(m);
  out->reset(new CpuBackend(shared, std::move(net)));
  return Status();
}

void register_cpu_backend() {
  BackendFactory f;
  f.name = "cpu";
  f.score = &cpu_score;
  f.create = &create_cpu_backend;
  register_backend(f);
}

}  // namespace rkyolo

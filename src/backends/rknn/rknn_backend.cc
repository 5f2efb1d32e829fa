#include "backends/rknn/rknn_backend.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "backends/rknn/rknn_runtime.h"
#include "core/metadata.h"
#include "core/onnx_reader.h"
#include "rkyolo/log.h"

namespace rkyolo {

namespace rknn {
namespace {

const char* type_name(int t) {
  switch (t) {
    case RKNN_TENSOR_FLOAT32: return "FP32";
    case RKNN_TENSOR_FLOAT16: return "FP16";
    case RKNN_TENSOR_INT8: return "INT8";
    case RKNN_TENSOR_UINT8: return "UINT8";
    case RKNN_TENSOR_INT16: return "INT16";
    case RKNN_TENSOR_INT32: return "INT32";
    default: return "OTHER";
  }
}

const char* fmt_name(int f) {
  switch (f) {
    case RKNN_TENSOR_NCHW: return "NCHW";
    case RKNN_TENSOR_NHWC: return "NHWC";
    case RKNN_TENSOR_NC1HWC2: return "NC1HWC2";
    default: return "UNDEFINED";
  }
}

const char* qnt_name(int q) {
  switch (q) {
    case RKNN_TENSOR_QNT_NONE: return "NONE";
    case RKNN_TENSOR_QNT_DFP: return "DFP";
    case RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC: return "AFFINE";
    default: return "?";
  }
}

std::string dims_string(const rknn_tensor_attr& a) {
  std::string d = "[";
  for (uint32_t i = 0; i < a.n_dims && i < RKNN_MAX_DIMS; ++i) d += (i ? ", " : "") + std::to_string(a.dims[i]);
  return d + "]";
}

std::string attr_string(const rknn_tensor_attr& a) {
  std::ostringstream os;
  os << a.name << " dims " << dims_string(a) << ' ' << fmt_name(a.fmt) << ' ' << type_name(a.type) << ' ' << qnt_name(a.qnt_type) << " zp " << a.zp
     << " scale " << a.scale << " w_stride " << a.w_stride << " size " << a.size << " size_with_stride "
     << a.size_with_stride;
  return os.str();
}

enum class IoMode { kZeroCopy, kStandard };
enum class InputStrategy { kUint8, kInt8 };  // the NPU normalizes / the CPU quantizes

// What every context of one model shares.
struct SharedModel {
  std::shared_ptr<Runtime> runtime;
  std::string path;
  std::vector<std::uint8_t> bytes;  // kept for runtimes without rknn_dup_context
  RknnOptions options;
  std::uint32_t init_flags = 0;
  // Where sessions can run, decided at load from the options and the cores
  // the runtime accepts.
  std::vector<Placement> placements;
  int npu_cores = 0;
  std::string api_version = "unknown", drv_version = "unknown";
  rknn_tensor_attr in_attr{}, in_native{};
  bool have_native = true;
  std::vector<rknn_tensor_attr> out_attrs, out_native;
  std::map<std::string, std::string> metadata;
  TensorInfo input_info;
  // The I/O mode, decided once by the first context and applied by clones.
  struct Decision {
    bool decided = false;
    bool zero_copy = false;
    std::string fallback;  // why zero-copy was not possible
  };
  std::shared_ptr<Decision> decision = std::make_shared<Decision>();
};

constexpr std::uint32_t kFlushFlags = RKNN_FLAG_DISABLE_FLUSH_INPUT_MEM_CACHE | RKNN_FLAG_DISABLE_FLUSH_OUTPUT_MEM_CACHE;

// rknn_init failed: the call, the code, its sentence and the versions (a model
// built by a newer toolkit than the runtime is the most common cause).
std::string init_failure(const SharedModel& s, int rc) {
  std::string msg = "cannot load '" + s.path + "' on the NPU: " + describe_error("rknn_init", rc);
  if (rc == RKNN_ERR_FAIL)
    msg += " (a model built by a newer RKNN toolkit than this runtime also fails this way: update librknnrt.so or rebuild the model)";
  return msg + "; runtime " + s.runtime->embedded_version() + ", driver " + Runtime::driver_version();
}

// Whether the CPU may quantize pixels for this int8 input with the configured
// mean/std: a model converted with mean M and std S and calibrated on images
// maps pixel 0 near -128 and 255 near 127. Other mean/std (the defaults 0 /
// 255 for a model converted with ImageNet's, say) would feed wrong values
// silently, so they are refused with the figures.
bool int8_input_fits(const rknn_tensor_attr& a, const RknnOptions& st, std::string* why) {
  constexpr float kSlack = 16.f;  // int8 levels: calibration need not span exactly 0..255
  if (a.type != RKNN_TENSOR_INT8 || a.qnt_type != RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC) {
    *why = std::string("the model input is ") + type_name(a.type) + ", not int8";
    return false;
  }
  if (!(a.scale > 0)) {
    *why = "the int8 input has no usable scale";
    return false;
  }
  for (int c = 0; c < 3; ++c) {
    const float lo = (0.f - st.mean[c]) / st.std[c] / a.scale + static_cast<float>(a.zp);
    const float hi = (255.f - st.mean[c]) / st.std[c] / a.scale + static_cast<float>(a.zp);
    if (lo > -128.f + kSlack || lo < -128.f - 4 * kSlack || hi < 127.f - kSlack || hi > 127.f + 4 * kSlack) {
      std::ostringstream o;
      o << "the model's int8 input quantization (scale " << a.scale << ", zero-point " << a.zp << ") does not fit mean "
        << st.mean[c] << " / std " << st.std[c] << " on channel " << c << " (pixel 0 -> " << lo << ", 255 -> " << hi
        << " instead of about -128 and 127); pass the mean/std the model was converted with (--rknn-mean, --rknn-std)";
      *why = o.str();
      return false;
    }
  }
  return true;
}

// Whether a native output attribute can be decoded in place: its storage must
// agree with the logical shape (else the padded data would be read as data).
bool native_output_ok(const rknn_tensor_attr& logical, const rknn_tensor_attr& native, std::string* why) {
  bool ok;
  if (logical.n_dims == 4) {
    const bool nhwc = logical.fmt == RKNN_TENSOR_NHWC;
    const uint32_t c = nhwc ? logical.dims[3] : logical.dims[1];
    const uint32_t h = nhwc ? logical.dims[1] : logical.dims[2];
    const uint32_t w = nhwc ? logical.dims[2] : logical.dims[3];
    switch (native.fmt) {
      case RKNN_TENSOR_NC1HWC2:
        ok = native.n_dims == 5 && native.dims[2] == h && native.dims[3] == w && native.dims[4] > 0 &&
             native.dims[1] * native.dims[4] >= c && (native.dims[1] - 1) * native.dims[4] < c;
        break;
      case RKNN_TENSOR_NHWC:
        ok = native.n_dims == 4 && native.dims[1] == h && native.dims[2] == w && native.dims[3] == c;
        break;
      default:
        ok = native.n_dims == 4 && native.dims[1] == c && native.dims[2] == h && native.dims[3] == w;
        break;
    }
  } else {
    const uint32_t bytes = native.size_with_stride != 0 ? native.size_with_stride : native.size;
    ok = native.fmt != RKNN_TENSOR_NC1HWC2 && native.n_elems == logical.n_elems && bytes == logical.n_elems;
  }
  if (ok) return true;
  *why = std::string("output '") + logical.name + "' is stored natively as " + fmt_name(native.fmt) + " " +
         dims_string(native) + ", which does not match its logical shape " + dims_string(logical);
  return false;
}

TensorInfo tensor_info(const rknn_tensor_attr& logical, const rknn_tensor_attr& stored) {
  TensorInfo t;
  t.name = logical.name;
  const bool quantized = stored.qnt_type == RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
  t.quant.quantized = quantized;
  t.quant.scale = stored.scale;
  t.quant.zero_point = stored.zp;
  switch (stored.type) {
    case RKNN_TENSOR_INT8: t.dtype = DType::kInt8; break;
    case RKNN_TENSOR_UINT8: t.dtype = DType::kUint8; break;
    case RKNN_TENSOR_FLOAT32: t.dtype = DType::kFloat32; break;
    case RKNN_TENSOR_FLOAT16: t.dtype = DType::kFloat16; break;
    default: t.dtype = DType::kUnknown; break;
  }
  // Logical dims: N, C, H, W for 4-D tensors whatever the storage.
  if (logical.n_dims == 4 && logical.fmt == RKNN_TENSOR_NHWC)
    t.dims = {logical.dims[0], logical.dims[3], logical.dims[1], logical.dims[2]};
  else
    for (uint32_t i = 0; i < logical.n_dims && i < RKNN_MAX_DIMS; ++i) t.dims.push_back(logical.dims[i]);
  if (t.dims.size() == 4) {
    switch (stored.fmt) {
      case RKNN_TENSOR_NC1HWC2:
        t.layout = TensorLayout::kNC1HWC2;
        t.c2 = stored.n_dims == 5 ? static_cast<int>(stored.dims[4]) : 0;
        break;
      case RKNN_TENSOR_NHWC: t.layout = TensorLayout::kNHWC; break;
      default: t.layout = TensorLayout::kNCHW; break;
    }
    t.w_stride = static_cast<int>(stored.w_stride);
  } else {
    t.layout = TensorLayout::kFlat;
  }
  t.size_bytes = stored.size_with_stride != 0 ? stored.size_with_stride : stored.size;
  return t;
}

// A core mask the runtime refused: the mask, the cores and the runtime's code.
Status core_mask_rejected(const Placement& placement, int rc) {
  std::ostringstream mask;
  mask << std::hex << placement.core_mask;
  return backend_error("NPU core mask 0x" + mask.str() + " (" + to_string(placement) + ") was rejected: " +
                       describe_error("rknn_set_core_mask", rc) + " (this chip may have fewer cores)");
}

constexpr int kMaxNpuCores = 3;  // RK3588; RK3576 has 2, the others 1

Placement npu_placement(std::uint32_t mask) {
  Placement p;
  p.device = Placement::Device::kNpu;
  p.core_mask = mask;
  return p;
}

// Where sessions run: one placement per core given, one spanning every core
// for all_cores_in_one, else one per single-core mask the runtime accepts
// (probed on `ctx`, which is left on the automatic choice). A chip whose
// runtime takes no mask (one core, or no rknn_set_core_mask) gets one
// placement the runtime fills itself.
Status plan_placements(const Functions& fn, rknn_context ctx, const std::string& library, SharedModel* s) {
  const RknnOptions& o = s->options;
  int accepted[kMaxNpuCores] = {};
  s->npu_cores = 0;
  if (fn.set_core_mask != nullptr) {
    for (int i = 0; i < kMaxNpuCores; ++i) {
      accepted[i] = fn.set_core_mask(ctx, static_cast<rknn_core_mask>(1 << i));
      if (accepted[i] == RKNN_SUCC) ++s->npu_cores;
    }
    fn.set_core_mask(ctx, RKNN_NPU_CORE_AUTO);
  }
  s->npu_cores = std::max(s->npu_cores, 1);
  s->placements.clear();
  if ((o.all_cores_in_one || !o.cores.empty()) && fn.set_core_mask == nullptr)
    return backend_unavailable("NPU cores were requested but '" + library + "' has no rknn_set_core_mask");
  if (o.all_cores_in_one) {
    Placement all = npu_placement(RKNN_NPU_CORE_0_1_2);
    int rc = fn.set_core_mask(ctx, RKNN_NPU_CORE_0_1_2);
    if (rc != RKNN_SUCC && fn.set_core_mask(ctx, RKNN_NPU_CORE_ALL) == RKNN_SUCC) {  // two-core chips: all it has
      all.core_mask = RKNN_NPU_CORE_ALL;
      rc = RKNN_SUCC;
    }
    fn.set_core_mask(ctx, RKNN_NPU_CORE_AUTO);
    if (rc != RKNN_SUCC) return core_mask_rejected(all, rc);
    s->placements.push_back(all);
    return Status();
  }
  for (int core : o.cores) {
    if (core < 0 || core >= kMaxNpuCores)
      return invalid_argument("NPU core " + std::to_string(core) + " does not exist (cores are 0 to " +
                              std::to_string(kMaxNpuCores - 1) + ")");
    const Placement p = npu_placement(1U << core);
    if (accepted[core] != RKNN_SUCC) return core_mask_rejected(p, accepted[core]);
    s->placements.push_back(p);
  }
  if (!s->placements.empty()) return Status();
  for (int i = 0; i < kMaxNpuCores; ++i)
    if (fn.set_core_mask != nullptr && accepted[i] == RKNN_SUCC) s->placements.push_back(npu_placement(1U << i));
  if (s->placements.empty()) s->placements.push_back(npu_placement(RKNN_NPU_CORE_AUTO));
  return Status();
}

class RknnBackend final : public Backend {
 public:
  RknnBackend(std::shared_ptr<const SharedModel> shared, ContextOwner ctx, const Placement& placement,
              std::shared_ptr<const ContextOwner> source = nullptr)
      : shared_(std::move(shared)), source_(std::move(source)),
        ctx_(std::make_shared<ContextOwner>(std::move(ctx))), placement_(placement) {}

  // Core mask, then zero-copy with graceful degradation, or standard.
  Status configure() {
    const SharedModel& s = *shared_;
    const Functions& fn = s.runtime->fn();
    RKYOLO_RETURN_IF_ERROR(apply_core_mask());
    info_.path = s.path;
    info_.format = "rknn";
    info_.inputs = {s.input_info};
    info_.metadata = s.metadata;
    caps_.name = "rknn";
    caps_.concurrent_runs = true;
    // Decided once, by the first context: clones follow it without probing
    // again (one warning, and every worker in the same mode).
    SharedModel::Decision& decision = *s.decision;
    const bool can_copy = s.runtime->has_copy_api();
    if (s.options.io == RknnIo::kStandard && !can_copy)
      return backend_error("standard I/O was requested but '" + s.runtime->path() +
                           "' has no copy API (rknn_inputs_set, rknn_outputs_get): it runs zero-copy only, like "
                           "RV1103/RV1106's librknnmrt.so");
    std::string why;
    if (s.options.io != RknnIo::kStandard && (!decision.decided || decision.zero_copy)) {
      if (setup_zero_copy(&why)) {
        mode_ = IoMode::kZeroCopy;
      } else {
        release_zero_copy();
        if (s.options.io == RknnIo::kZeroCopy)
          return backend_error("zero-copy I/O was requested but is not possible with '" + s.path + "': " + why);
        if (!can_copy)
          return backend_error("zero-copy I/O is not possible with '" + s.path + "' (" + why + "), and '" +
                               s.runtime->path() + "' has no copy API (rknn_inputs_set, rknn_outputs_get) to fall back to");
        fallback_ = why;
        // A fresh context: nothing of the failed zero-copy set-up may linger
        // (the API forbids mixing zero-copy and copy I/O on a tensor), and no
        // cache-flush flags, since standard I/O has no memory to sync.
        rknn_context fresh = 0;
        const int rc = fn.init(&fresh, const_cast<std::uint8_t*>(s.bytes.data()), static_cast<uint32_t>(s.bytes.size()),
                               s.init_flags & ~kFlushFlags, nullptr);
        if (rc != RKNN_SUCC) return backend_error(init_failure(s, rc));
        ctx_ = std::make_shared<ContextOwner>(s.runtime, fresh);
        source_.reset();
        RKYOLO_RETURN_IF_ERROR(apply_core_mask());
        RKYOLO_LOG(kWarning) << "zero-copy I/O is not available (" << why << ", runtime " << s.api_version
                             << "); using the standard copy path with identical results";
      }
    } else {
      fallback_ = decision.fallback;
    }
    if (mode_ == IoMode::kStandard) setup_standard();
    if (!decision.decided) {
      decision.decided = true;
      decision.zero_copy = mode_ == IoMode::kZeroCopy;
      decision.fallback = fallback_;
    }
    caps_.device = std::string("Rockchip NPU (") + s.drv_version + ")";
    views_.resize(info_.outputs.size());
    for (std::size_t i = 0; i < views_.size(); ++i)
      views_[i] = TensorView{mode_ == IoMode::kZeroCopy ? static_cast<const void*>(out_mems_[i].data())
                                                        : static_cast<const void*>(host_outputs_[i].data()),
                             &info_.outputs[i]};
    return Status();
  }

  const BackendCaps& caps() const override { return caps_; }
  const ModelInfo& model_info() const override { return info_; }
  std::uint8_t* input_buffer() override {
    return mode_ == IoMode::kZeroCopy ? in_mem_.data() : host_input_.data();
  }

  Status run() override {
    const Functions& fn = shared_->runtime->fn();
    const rknn_context ctx = ctx_->get();
    int rc;
    if (mode_ == IoMode::kZeroCopy) {  // the NPU reads and writes our memory in place
      if (manual_sync_ && (rc = fn.mem_sync(ctx, in_mem_.get(), RKNN_MEMORY_SYNC_TO_DEVICE)) != RKNN_SUCC)
        return run_error("rknn_mem_sync", rc);
      if ((rc = fn.run(ctx, nullptr)) != RKNN_SUCC) return run_error("rknn_run", rc);
      if (manual_sync_)
        for (auto& m : out_mems_)
          if ((rc = fn.mem_sync(ctx, m.get(), RKNN_MEMORY_SYNC_FROM_DEVICE)) != RKNN_SUCC) return run_error("rknn_mem_sync", rc);
      return Status();
    }
    rknn_input in{};
    in.index = 0;
    in.buf = host_input_.data();
    in.size = static_cast<uint32_t>(host_input_.size());
    in.pass_through = strategy_ == InputStrategy::kInt8 ? 1 : 0;
    in.type = strategy_ == InputStrategy::kInt8 ? RKNN_TENSOR_INT8 : RKNN_TENSOR_UINT8;
    in.fmt = RKNN_TENSOR_NHWC;
    if ((rc = fn.inputs_set(ctx, 1, &in)) != RKNN_SUCC) return run_error("rknn_inputs_set", rc);
    if ((rc = fn.run(ctx, nullptr)) != RKNN_SUCC) return run_error("rknn_run", rc);
    if ((rc = fetched_->fetch()) != RKNN_SUCC) return run_error("rknn_outputs_get", rc);
    return Status();
  }

  const std::vector<TensorView>& outputs() const override { return views_; }

  std::vector<Placement> placements() const override { return shared_->placements; }

  Status clone(const Placement& placement, std::unique_ptr<Backend>* out) const override {
    if (placement.device != Placement::Device::kNpu)
      return invalid_argument("the RKNN backend cannot run a session at " + to_string(placement));
    const Functions& fn = shared_->runtime->fn();
    rknn_context copy = 0;
    int rc;
    std::shared_ptr<const ContextOwner> source;
    if (fn.dup_context != nullptr) {
      rknn_context src = ctx_->get();
      rc = fn.dup_context(&src, &copy);
      if (rc != RKNN_SUCC) return backend_error("'" + shared_->path + "': " + describe_error("rknn_dup_context", rc));
      source = ctx_;  // the copy shares the source's weights: keep it alive
    } else {  // old runtime: a second context from the same bytes
      const std::uint32_t flags = mode_ == IoMode::kZeroCopy ? shared_->init_flags : shared_->init_flags & ~kFlushFlags;
      rc = fn.init(&copy, const_cast<std::uint8_t*>(shared_->bytes.data()), static_cast<uint32_t>(shared_->bytes.size()),
                   flags, nullptr);
      if (rc != RKNN_SUCC) return backend_error(init_failure(*shared_, rc));
    }
    auto b = std::make_unique<RknnBackend>(shared_, ContextOwner(shared_->runtime, copy), placement, std::move(source));
    RKYOLO_RETURN_IF_ERROR(b->configure());
    *out = std::move(b);
    return Status();
  }

  RuntimeInfo runtime_info() const override {
    const SharedModel& s = *shared_;
    RuntimeInfo r;
    r.backend = "rknn";
    const std::string& lib = s.runtime->path();
    r.runtime = s.api_version;  // how the runtime names itself: "2.3.2 (429f97ae6b@2023-11-28T08:48:39)"
    r.runtime_version = s.api_version.substr(0, s.api_version.find(' '));
    r.driver_version = s.drv_version;
    r.library_path = lib;
    r.io_mode = mode_ == IoMode::kZeroCopy ? RuntimeInfo::IoMode::kZeroCopy : RuntimeInfo::IoMode::kCopy;
    r.io_detail = io_sentence();
    r.npu_cores = s.npu_cores;
    return r;
  }

  std::vector<std::pair<std::string, std::string>> describe() const override {
    const SharedModel& s = *shared_;
    std::vector<std::pair<std::string, std::string>> d;
    if (s.runtime->uses_legacy_destroy_spelling()) d.emplace_back("symbols", "1.2.0 API: rknn_destory_mem");
    d.emplace_back("input #0", attr_string(s.in_attr));
    if (s.have_native) d.emplace_back("  native", attr_string(s.in_native));
    for (std::size_t i = 0; i < s.out_attrs.size(); ++i) {
      d.emplace_back("output #" + std::to_string(i), attr_string(s.out_attrs[i]));
      if (s.have_native) d.emplace_back("  native", attr_string(s.out_native[i]));
    }
    return d;
  }

 private:
  std::string io_sentence() const {
    if (mode_ == IoMode::kZeroCopy)
      return std::string("zero-copy: input ") +
             (strategy_ == InputStrategy::kUint8 ? "UINT8 NHWC, the NPU normalizes and quantizes"
                                                 : "INT8 pre-quantized by the CPU (pass_through)") +
             "; outputs decoded in place in NPU memory" + (manual_sync_ ? "; manual cache sync" : "");
    return std::string("standard: rknn_inputs_set + rknn_outputs_get") +
           (fallback_.empty() ? "" : " (zero-copy failed: " + fallback_ + ")");
  }

  Status run_error(const char* call, int rc) const {
    return backend_error(describe_error(call, rc) + " (model '" + shared_->path + "')");
  }

  // The placement's cores; mask 0 leaves the choice to the runtime. The
  // masks in placements() were all accepted at load; another is checked here.
  Status apply_core_mask() {
    if (placement_.core_mask == 0) return Status();
    const SharedModel& s = *shared_;
    const Functions& fn = s.runtime->fn();
    if (fn.set_core_mask == nullptr)
      return backend_unavailable(to_string(placement_) + " was requested but '" + s.runtime->path() +
                                 "' has no rknn_set_core_mask");
    const int rc = fn.set_core_mask(ctx_->get(), static_cast<rknn_core_mask>(placement_.core_mask));
    if (rc != RKNN_SUCC) return core_mask_rejected(placement_, rc);
    return Status();
  }

  bool setup_zero_copy(std::string* why) {
    const SharedModel& s = *shared_;
    const Functions& fn = s.runtime->fn();
    if (!s.runtime->has_zero_copy()) {
      *why = "the runtime lacks rknn_create_mem/rknn_set_io_mem";
      return false;
    }
    if (!s.have_native) {
      *why = "the runtime cannot report native tensor attributes";
      return false;
    }
    const rknn_tensor_attr& nat = s.in_native;
    const int c = static_cast<int>(nat.dims[3]);
    const int w = static_cast<int>(nat.dims[2]);
    const bool int8_model = nat.type == RKNN_TENSOR_INT8 && nat.qnt_type == RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
    // (a) the NPU normalizes uint8 itself: int8 model, 1/3/4 channels, aligned width (w_stride == width);
    // (b) otherwise the CPU writes int8 bit patterns with w_stride rows.
    const bool npu_can_convert = int8_model && (c == 1 || c == 3 || c == 4) && (nat.w_stride == 0 || static_cast<int>(nat.w_stride) == w);
    if (s.options.input == RknnInput::kUint8)
      strategy_ = InputStrategy::kUint8;
    else if (s.options.input == RknnInput::kInt8)
      strategy_ = InputStrategy::kInt8;
    else
      strategy_ = npu_can_convert ? InputStrategy::kUint8 : InputStrategy::kInt8;
    if (strategy_ == InputStrategy::kInt8 && !int8_input_fits(nat, s.options, why)) return false;
    for (std::size_t i = 0; i < s.out_native.size(); ++i)
      if (!native_output_ok(s.out_attrs[i], s.out_native[i], why)) return false;
    const int row = nat.w_stride != 0 ? static_cast<int>(nat.w_stride) : w;
    const uint32_t in_bytes = nat.size_with_stride != 0 ? nat.size_with_stride
                                                        : static_cast<uint32_t>(nat.dims[1]) * static_cast<uint32_t>(row * c);
    rknn_tensor_mem* m = fn.create_mem(ctx_->get(), in_bytes);
    if (m == nullptr) {
      *why = "rknn_create_mem(" + std::to_string(in_bytes) + " bytes) for the input returned NULL";
      return false;
    }
    in_mem_ = MemOwner(s.runtime, ctx_->get(), m);
    rknn_tensor_attr attr = nat;
    attr.type = strategy_ == InputStrategy::kUint8 ? RKNN_TENSOR_UINT8 : RKNN_TENSOR_INT8;
    attr.fmt = RKNN_TENSOR_NHWC;
    attr.pass_through = strategy_ == InputStrategy::kUint8 ? 0 : 1;
    int rc = fn.set_io_mem(ctx_->get(), m, &attr);
    if (rc != RKNN_SUCC) {
      *why = describe_error("rknn_set_io_mem (input)", rc);
      return false;
    }
    info_.outputs.clear();
    for (std::size_t i = 0; i < s.out_native.size(); ++i) {
      rknn_tensor_attr oa = s.out_native[i];
      if (oa.type != RKNN_TENSOR_INT8 || oa.qnt_type != RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC) {
        *why = std::string("output '") + oa.name + "' is " + type_name(oa.type) + "; in-place decoding needs int8 outputs";
        return false;
      }
      const uint32_t bytes = oa.size_with_stride != 0 ? oa.size_with_stride : oa.size;
      rknn_tensor_mem* om = fn.create_mem(ctx_->get(), bytes);
      if (om == nullptr) {
        *why = "rknn_create_mem(" + std::to_string(bytes) + " bytes) for output '" + std::string(oa.name) + "' returned NULL";
        return false;
      }
      out_mems_.emplace_back(s.runtime, ctx_->get(), om);
      if ((rc = fn.set_io_mem(ctx_->get(), om, &oa)) != RKNN_SUCC) {
        *why = describe_error("rknn_set_io_mem (output)", rc);
        return false;
      }
      info_.outputs.push_back(tensor_info(s.out_attrs[i], oa));
      info_.outputs.back().size_bytes = bytes;
    }
    manual_sync_ = s.options.cache == RknnCache::kManual && fn.mem_sync != nullptr;
    InputCaps& in = caps_.input;
    in.width = w;
    in.height = static_cast<int>(nat.dims[1]);
    in.channels = c;
    in.layout = TensorLayout::kNHWC;
    in.dtype = strategy_ == InputStrategy::kUint8 ? DType::kUint8 : DType::kInt8;
    in.color = PixelFormat::kRgb8;
    in.quant = QuantParams{true, nat.scale, nat.zp};
    for (int k = 0; k < 3; ++k) in.mean[k] = s.options.mean[k], in.std[k] = s.options.std[k];
    in.row_stride_pixels = row;
    in.size_bytes = in_bytes;
    in.zero_copy = true;
    caps_.zero_copy_outputs = true;
    return true;
  }

  void release_zero_copy() {
    out_mems_.clear();  // MemOwner destroys each
    in_mem_.reset();
    info_.outputs.clear();
    caps_.zero_copy_outputs = false;
  }

  void setup_standard() {
    const SharedModel& s = *shared_;
    mode_ = IoMode::kStandard;
    manual_sync_ = false;
    const rknn_tensor_attr& a = s.in_attr;
    const bool nhwc = a.fmt == RKNN_TENSOR_NHWC;
    const int h = static_cast<int>(nhwc ? a.dims[1] : a.dims[2]);
    const int w = static_cast<int>(nhwc ? a.dims[2] : a.dims[3]);
    const int c = static_cast<int>(nhwc ? a.dims[3] : a.dims[1]);
    // UINT8 with pass_through = 0: the runtime normalizes and quantizes. INT8
    // (asked for with rknn_input=int8) is pass_through = 1, the native layout:
    // rows every w_stride pixels.
    strategy_ = InputStrategy::kUint8;
    int row = w;
    if (s.options.input == RknnInput::kInt8) {
      std::string why;
      const rknn_tensor_attr& nat = s.have_native ? s.in_native : s.in_attr;
      if (int8_input_fits(nat, s.options, &why)) {
        strategy_ = InputStrategy::kInt8;
        row = s.have_native && nat.w_stride != 0 ? static_cast<int>(nat.w_stride) : w;
      } else if (!shared_->decision->decided) {
        RKYOLO_LOG(kWarning) << "rknn_input=int8 is not possible (" << why << "); feeding uint8 for the runtime to convert";
      }
    }
    host_input_.assign(static_cast<std::size_t>(h) * row * c, 0);
    InputCaps& in = caps_.input;
    in.width = w;
    in.height = h;
    in.channels = c;
    in.layout = TensorLayout::kNHWC;
    in.dtype = strategy_ == InputStrategy::kUint8 ? DType::kUint8 : DType::kInt8;
    in.color = PixelFormat::kRgb8;
    in.quant = strategy_ == InputStrategy::kInt8 && s.have_native ? QuantParams{true, s.in_native.scale, s.in_native.zp}
                                                                  : QuantParams{true, a.scale, a.zp};
    for (int k = 0; k < 3; ++k) in.mean[k] = s.options.mean[k], in.std[k] = s.options.std[k];
    in.row_stride_pixels = row;
    in.size_bytes = host_input_.size();
    in.zero_copy = false;
    fetched_ = std::make_unique<OutputsOwner>(s.runtime, ctx_->get(), s.out_attrs.size());
    host_outputs_.assign(s.out_attrs.size(), {});
    info_.outputs.clear();
    for (std::size_t i = 0; i < s.out_attrs.size(); ++i) {
      rknn_tensor_attr oa = s.out_attrs[i];
      const bool quantized = oa.type == RKNN_TENSOR_INT8 && oa.qnt_type == RKNN_TENSOR_QNT_AFFINE_ASYMMETRIC;
      rknn_output& o = fetched_->data()[i];
      o = rknn_output{};
      o.want_float = quantized ? 0 : 1;  // int8 stays int8: decoded in the quantized domain
      o.is_prealloc = 1;
      o.index = static_cast<uint32_t>(i);
      host_outputs_[i].assign(static_cast<std::size_t>(oa.n_elems) * (quantized ? 1 : 4), 0);
      o.buf = host_outputs_[i].data();
      o.size = static_cast<uint32_t>(host_outputs_[i].size());
      if (!quantized) {
        oa.type = RKNN_TENSOR_FLOAT32;
        oa.qnt_type = RKNN_TENSOR_QNT_NONE;
      }
      oa.size_with_stride = o.size;
      oa.w_stride = 0;
      info_.outputs.push_back(tensor_info(s.out_attrs[i], oa));
    }
    caps_.zero_copy_outputs = false;
  }

  std::shared_ptr<const SharedModel> shared_;
  // The context this one was duplicated from (rknn_dup_context shares its
  // weights): declared first, destroyed last.
  std::shared_ptr<const ContextOwner> source_;
  std::shared_ptr<ContextOwner> ctx_;  // declared before the memories: destroyed after them
  Placement placement_;
  IoMode mode_ = IoMode::kStandard;
  InputStrategy strategy_ = InputStrategy::kUint8;
  bool manual_sync_ = false;
  std::string fallback_;
  MemOwner in_mem_;
  std::vector<MemOwner> out_mems_;
  std::vector<std::uint8_t> host_input_;
  std::vector<std::vector<std::uint8_t>> host_outputs_;
  std::unique_ptr<OutputsOwner> fetched_;
  BackendCaps caps_;
  ModelInfo info_;
  std::vector<TensorView> views_;
};

bool is_rknn_path(const std::string& p) {
  if (p.size() < 5) return false;
  std::string ext = p.substr(p.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return ext == ".rknn";
}

std::string library_param(const BackendOptions& o) {
  std::string lib = o.rknn.library;
  if (lib.empty()) {
    const char* env = std::getenv("RKYOLO_RKNN_LIB");
    if (env != nullptr) lib = env;
  }
  return lib;
}

int rknn_score(const BackendOptions& o, std::string* reason) {
  if (!is_rknn_path(o.model_path)) {
    *reason = "runs .rknn models";
    return 0;
  }
  std::shared_ptr<Runtime> rt;
  const Status s = Runtime::load(library_param(o), &rt);
  if (!s.ok()) {
    *reason = s.message();
    return 0;
  }
  *reason = "NPU runtime " + rt->path();
  return 100;
}

}  // namespace
}  // namespace rknn

Status create_rknn_backend(const BackendOptions& options, std::unique_ptr<Backend>* out) {
  using namespace rknn;
  auto s = std::make_shared<SharedModel>();
  s->options = options.rknn;
  for (int c = 0; c < 3; ++c)
    if (!(s->options.std[c] > 0))
      return invalid_argument("the RKNN input std must be positive on every channel (got " +
                              std::to_string(s->options.std[c]) + " on channel " + std::to_string(c) + ")");
  s->path = options.model_path;
  RKYOLO_RETURN_IF_ERROR(core::read_file_bytes(s->path, &s->bytes));
  {
    core::OnnxModelInfo onnx;
    if (core::parse_onnx(s->bytes.data(), s->bytes.size(), s->path, &onnx).ok())
      return unsupported_model("'" + s->path + "' is an ONNX model; the NPU runs .rknn models (convert it with rknn-toolkit2, "
                               "or with 'rknn-emu convert' for the emulator), or use --backend cpu");
  }
  RKYOLO_RETURN_IF_ERROR(Runtime::load(library_param(options), &s->runtime));
  const Functions& fn = s->runtime->fn();
  // Manual cache maintenance only where there is memory to sync: zero-copy.
  if (s->options.cache == RknnCache::kManual && s->options.io != RknnIo::kStandard) {
    if (fn.mem_sync != nullptr)
      s->init_flags |= kFlushFlags;
    else
      RKYOLO_LOG(kWarning) << "rknn_cache=manual is ignored: '" << s->runtime->path() << "' has no rknn_mem_sync";
  }
  rknn_context ctx = 0;
  int rc = fn.init(&ctx, s->bytes.data(), static_cast<uint32_t>(s->bytes.size()), s->init_flags, nullptr);
  if (rc != RKNN_SUCC) {
    const std::string msg = init_failure(*s, rc);
    if (rc == RKNN_ERR_DEVICE_UNAVAILABLE) return backend_unavailable(msg);
    if (rc == RKNN_ERR_MODEL_INVALID || rc == RKNN_ERR_TARGET_PLATFORM_UNMATCH) return invalid_model(msg);
    return backend_error(msg);
  }
  ContextOwner owner(s->runtime, ctx);
  auto query = [&](rknn_query_cmd cmd, void* info, uint32_t size) { return fn.query(ctx, cmd, info, size); };
  rknn_sdk_version ver{};
  if (query(RKNN_QUERY_SDK_VERSION, &ver, sizeof ver) == RKNN_SUCC) {
    s->api_version = ver.api_version;
    s->drv_version = ver.drv_version;
  }
  rknn_input_output_num io{};
  if ((rc = query(RKNN_QUERY_IN_OUT_NUM, &io, sizeof io)) != RKNN_SUCC)
    return backend_error("'" + s->path + "': " + describe_error("rknn_query(IN_OUT_NUM)", rc));
  if (io.n_input != 1) return unsupported_model("'" + s->path + "' has " + std::to_string(io.n_input) + " inputs; rkyolo needs one image input");
  s->in_attr.index = 0;
  if ((rc = query(RKNN_QUERY_INPUT_ATTR, &s->in_attr, sizeof s->in_attr)) != RKNN_SUCC)
    return backend_error("'" + s->path + "': " + describe_error("rknn_query(INPUT_ATTR)", rc));
  if (io.n_output == 0 || io.n_output > core::kMaxOutputs)
    return unsupported_model("'" + s->path + "' has " + std::to_string(io.n_output) +
                             " outputs; YOLO layouts have 1 to " + std::to_string(core::kMaxOutputs));
  s->in_native.index = 0;
  s->have_native = query(RKNN_QUERY_NATIVE_INPUT_ATTR, &s->in_native, sizeof s->in_native) == RKNN_SUCC;
  for (uint32_t i = 0; i < io.n_output; ++i) {
    rknn_tensor_attr a{}, n{};
    a.index = n.index = i;
    if ((rc = query(RKNN_QUERY_OUTPUT_ATTR, &a, sizeof a)) != RKNN_SUCC)
      return backend_error("'" + s->path + "': " + describe_error("rknn_query(OUTPUT_ATTR)", rc));
    if (s->have_native && query(RKNN_QUERY_NATIVE_OUTPUT_ATTR, &n, sizeof n) != RKNN_SUCC) s->have_native = false;
    s->out_attrs.push_back(a);
    s->out_native.push_back(n);
  }
  const rknn_tensor_attr& in = s->in_attr;
  if (in.n_dims != 4)
    return unsupported_model("'" + s->path + "' input has " + std::to_string(in.n_dims) + " dims; rkyolo needs an image input");
  const bool nhwc = in.fmt == RKNN_TENSOR_NHWC;
  const std::uint32_t channels = nhwc ? in.dims[3] : in.dims[1];
  if (channels != 3)
    return unsupported_model("'" + s->path + "' input has " + std::to_string(channels) + " channels; rkyolo feeds RGB images");
  RKYOLO_RETURN_IF_ERROR(
      core::check_input_size(nhwc ? in.dims[2] : in.dims[3], nhwc ? in.dims[1] : in.dims[2], "'" + s->path + "'"));
  s->input_info = tensor_info(in, in);
  rknn_custom_string custom{};
  if (query(RKNN_QUERY_CUSTOM_STRING, &custom, sizeof custom) == RKNN_SUCC && custom.string[0] != '\0') {
    core::PyValue v;
    if (core::parse_py_literal(std::string(custom.string, strnlen(custom.string, sizeof custom.string)), &v).ok() &&
        v.kind == core::PyValue::Kind::kDict)
      for (const auto& [k, val] : v.entries)
        if (k.kind == core::PyValue::Kind::kString && val.kind == core::PyValue::Kind::kString) s->metadata[k.s] = val.s;
  }
  RKYOLO_RETURN_IF_ERROR(plan_placements(fn, ctx, s->runtime->path(), s.get()));
  std::shared_ptr<const SharedModel> shared = s;
  auto backend = std::make_unique<RknnBackend>(shared, std::move(owner), npu_placement(RKNN_NPU_CORE_AUTO));
  RKYOLO_RETURN_IF_ERROR(backend->configure());
  *out = std::move(backend);
  return Status();
}

void register_rknn_backend() {
  BackendFactory f;
  f.name = "rknn";
  f.score = &rknn::rknn_score;
  f.create = &create_rknn_backend;
  register_backend(f);
}

}  // namespace rkyolo

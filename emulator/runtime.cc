// rknn-emu: an x86 stand-in for Rockchip's librknnrt.so.
//
// It exports the RKNN C API with the vendor ABI and enforces the runtime's
// contract per target (NHWC int8 inputs with w_stride rows, NC1HWC2 native
// outputs with padded channels, zero-copy rules, core masks), computes with
// real int8 quantization error (dequantize the input, run the float ONNX graph
// with OpenCV DNN, quantize the outputs with calibrated parameters) and can
// emulate NPU latency and inject the faults users meet on real boards.
// Environment variables (read at call time) are listed in README.md.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/onnx_reader.h"
#include "core/quantize.h"
#include "emulator/container.h"
#include "emulator/emu_abi.h"
#include "emulator/profiles.h"

#define EMU_API extern "C" __attribute__((visibility("default")))

#if defined(RKNN_EMU_V120)
#define EMU_API_VERSION "1.2.0 (rknn-emu legacy 1.2.0 runtime, not Rockchip's)"
#elif defined(RKNN_EMU_NO_ZERO_COPY)
#define EMU_API_VERSION "1.1.0 (rknn-emu legacy runtime without zero-copy API, not Rockchip's)"
#else
#define EMU_API_VERSION "2.3.2 (rknn-emu: emulated NPU runtime, not Rockchip's)"
#endif

// The vendor library carries its version as a string; so does the emulator.
extern "C" __attribute__((used, visibility("hidden"))) const char rknn_emu_version_tag[] =
    "librknnrt version: " EMU_API_VERSION;

namespace emu {
namespace {

// ------------------------------------------------------------ utilities ---

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

bool env_flag(const char* name) {
  const char* v = env(name);
  return v != nullptr && std::strcmp(v, "0") != 0 && std::strcmp(v, "false") != 0;
}

// Errors are printed like the vendor runtime does ("E RKNN: ..."), but only
// when RKNN_LOG_LEVEL >= 1, so callers' own messages stay clean by default.
void log_error(const char* fmt, ...) {
  const char* lvl = env("RKNN_LOG_LEVEL");
  if (lvl == nullptr || std::atoi(lvl) < 1) return;
  std::va_list ap;
  va_start(ap, fmt);
  std::fprintf(stderr, "E RKNN-EMU: ");
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
}

// "2.3.2 (...)" -> 20302
int version_number(const char* text) {
  int a = 0, b = 0, c = 0;
  if (text == nullptr || std::sscanf(text, "%d.%d.%d", &a, &b, &c) < 2) return 0;
  return a * 10000 + b * 100 + c;
}

std::size_t align_up(std::size_t v, std::size_t a) {
  return (v + a - 1) / a * a;
}

// ---------------------------------------------------------------- model ---

struct OutputDesc {
  std::string name;
  std::vector<std::int64_t> dims;
  bool is4d = false;
  int c = 0, h = 0, w = 0;
  std::size_t elems = 0;
  float scale = 1;
  std::int32_t zp = 0;
};

struct Model {
  Container container;
  const TargetProfile* profile = nullptr;
  int in_c = 3, in_h = 0, in_w = 0;
  int w_stride = 0;  // native input row pitch, pixels
  float in_scale = 1;
  std::int32_t in_zp = 0;
  std::vector<OutputDesc> outputs;
  std::vector<std::string> output_names;
  std::int8_t lut[4][256];  // pixel -> int8 per channel (the NPU's own mean/std + quantize)
  std::string custom_string;
};

struct Mem {
  TensorMem pub;                      // first member: the rknn_tensor_mem* handed out is this
  std::vector<std::uint8_t> storage;  // what the CPU sees (virt_addr)
  std::vector<std::uint8_t> shadow;   // what the NPU sees when cache flushing is disabled
  std::uint64_t owner = 0;
};

enum class Io { kUnset, kGeneral, kZeroCopy };

struct Binding {
  TensorMem* handle = nullptr;  // looked up at each use: it may have been destroyed
  TensorAttr attr{};
};

struct Ctx {
  std::uint64_t handle = 0;
  std::shared_ptr<const Model> model;
  std::uint32_t flags = 0;
  int core_mask = kCoreAuto;
  std::mutex mu;
  cv::dnn::Net net;
  std::vector<Io> in_mode, out_mode;
  std::vector<std::int8_t> input;  // packed NHWC int8 from rknn_inputs_set
  bool input_ready = false;
  std::vector<Binding> in_bind, out_bind;
  std::vector<std::vector<std::int8_t>> out_q;  // NCHW int8 results of the last run
  std::vector<std::uint8_t> delivered;          // zero-copy output i holds the current results
  bool have_results = false;
  std::vector<std::vector<std::uint8_t>> out_buffers;  // runtime-owned rknn_outputs_get buffers
  std::int64_t last_run_us = 0;
  int run_calls = 0;  // for RKNN_EMU_FAIL_RUN_AT
};

struct Registry {
  std::mutex mu;
  std::map<std::uint64_t, std::shared_ptr<Ctx>> contexts;
  std::map<TensorMem*, std::unique_ptr<Mem>> mems;
  std::uint64_t next_handle = 0x52e00001ull;
  std::uint64_t next_mem = 1;
  std::mutex cores[3];
  // Timing mode: when each core finishes the last run queued on it (guarded
  // by the core's mutex). A run starts when it is submitted or when its cores
  // free, whichever is later, as on the NPU, whose driver starts the next
  // queued task on completion, not when the host thread that queued it is
  // next scheduled.
  std::chrono::steady_clock::time_point core_free[3];
  std::atomic<unsigned> round_robin{0};
  // Bytes moved by the copy API (rknn_inputs_set / rknn_outputs_get), for
  // tests and benchmarks that count what zero-copy saves.
  std::atomic<std::uint64_t> copied_in{0}, copied_out{0}, runs{0};
};

Registry& reg() {
  static Registry* r = new Registry();  // never destroyed: usable from atexit handlers
  return *r;
}

std::shared_ptr<Ctx> find_ctx(std::uint64_t h) {
  std::lock_guard<std::mutex> lock(reg().mu);
  auto it = reg().contexts.find(h);
  return it == reg().contexts.end() ? nullptr : it->second;
}

Mem* find_mem(TensorMem* m) {
  std::lock_guard<std::mutex> lock(reg().mu);
  auto it = reg().mems.find(m);
  return it == reg().mems.end() ? nullptr : it->second.get();
}

int load_model(const std::uint8_t* data, std::size_t size, std::shared_ptr<Model>* out) {
  auto m = std::make_shared<Model>();
  std::string error;
  if (!parse(data, size, &m->container, &error)) {
    log_error("%s", error.c_str());
    return kErrModelInvalid;
  }
  const ContainerHeader& h = m->container.header;
  m->profile = find_profile(h.target);
  if (m->profile == nullptr) {
    log_error("unknown target platform '%s'", h.target.c_str());
    return kErrModelInvalid;
  }
  if (const char* platform = env("RKNN_EMU_PLATFORM"); platform != nullptr && h.target != platform) {
    log_error("the model was built for %s but this device is %s", h.target.c_str(), platform);
    return kErrTargetPlatformUnmatch;
  }
  // A model built by a newer toolkit than the runtime: "Invalid RKNN model version".
  const char* api = env("RKNN_EMU_API_VERSION");
  const int runtime_version = version_number(api != nullptr ? api : EMU_API_VERSION);
  if (runtime_version != 0 && runtime_version < version_number(h.toolkit_version.c_str())) {
    log_error("Invalid RKNN model version: built by toolkit %s, runtime is %s", h.toolkit_version.c_str(),
              api != nullptr ? api : EMU_API_VERSION);
    return kErrModelInvalid;
  }
  if (h.input.dims.size() != 4 || h.input.dims[0] != 1 || h.input.dims[1] < 1 || h.input.dims[1] > 4) {
    log_error("the input must be (1, C, H, W) with 1 to 4 channels");
    return kErrModelInvalid;
  }
  m->in_c = static_cast<int>(h.input.dims[1]);
  m->in_h = static_cast<int>(h.input.dims[2]);
  m->in_w = static_cast<int>(h.input.dims[3]);
  m->w_stride = static_cast<int>(align_up(m->in_w, m->profile->w_align));
  m->in_scale = h.input.scale;
  m->in_zp = h.input.zp;
  for (int c = 0; c < 4; ++c)
    for (int p = 0; p < 256; ++p) {
      const int k = std::min(c, 2);
      m->lut[c][p] = rkyolo::core::quantize_i8((static_cast<float>(p) - h.mean[k]) / h.std[k], m->in_scale, m->in_zp);
    }
  for (const QuantTensor& q : h.outputs) {
    OutputDesc o;
    o.name = q.name;
    o.dims = q.dims;
    o.scale = q.scale;
    o.zp = q.zp;
    o.elems = 1;
    for (auto d : q.dims) o.elems *= static_cast<std::size_t>(std::max<std::int64_t>(d, 1));
    o.is4d = q.dims.size() == 4;
    if (o.is4d) {
      o.c = static_cast<int>(q.dims[1]);
      o.h = static_cast<int>(q.dims[2]);
      o.w = static_cast<int>(q.dims[3]);
    }
    m->outputs.push_back(o);
    m->output_names.push_back(q.name);
  }
  // Custom string: the model metadata as JSON, as much as fits in 1023 bytes.
  nlohmann::json meta = nlohmann::json::object();
  for (const char* key : {"names", "stride", "imgsz", "task", "nc", "end2end", "anchors"}) {
    auto it = h.metadata.find(key);
    if (it == h.metadata.end()) continue;
    meta[key] = it->second;
    if (meta.dump().size() > 1023) meta.erase(key);
  }
  m->custom_string = meta.empty() ? std::string() : meta.dump();
  m->container.onnx.shrink_to_fit();
  *out = std::move(m);
  return kSucc;
}

int make_context(std::shared_ptr<const Model> model, std::uint32_t flags, std::uint64_t* handle) {
  auto c = std::make_shared<Ctx>();
  c->model = std::move(model);
  c->flags = flags;
  try {
    const auto& onnx = c->model->container.onnx;
    c->net = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(onnx.data()), onnx.size());
    c->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    c->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    log_error("cannot load the model graph: %s", e.what());
    return kErrModelInvalid;
  }
  const std::size_t n_out = c->model->outputs.size();
  c->in_mode.assign(1, Io::kUnset);
  c->out_mode.assign(n_out, Io::kUnset);
  c->in_bind.assign(1, Binding{});
  c->out_bind.assign(n_out, Binding{});
  c->out_q.assign(n_out, {});
  c->delivered.assign(n_out, 0);
  c->out_buffers.assign(n_out, {});
  c->input.assign(static_cast<std::size_t>(c->model->in_h) * c->model->in_w * c->model->in_c, 0);
  std::lock_guard<std::mutex> lock(reg().mu);
  c->handle = reg().next_handle;
  reg().next_handle += 0x10001;  // handles are never reused
  reg().contexts[c->handle] = c;
  *handle = c->handle;
  return kSucc;
}

// ------------------------------------------------------------ attributes ---

void set_name(TensorAttr* a, const std::string& name) {
  std::memset(a->name, 0, sizeof a->name);
  std::strncpy(a->name, name.c_str(), sizeof a->name - 1);
}

void input_attr(const Model& m, TensorAttr* a) {
  const std::uint32_t index = a->index;
  std::memset(a, 0, sizeof *a);
  a->index = index;
  a->n_dims = 4;
  a->dims[0] = 1;
  a->dims[1] = static_cast<std::uint32_t>(m.in_h);
  a->dims[2] = static_cast<std::uint32_t>(m.in_w);
  a->dims[3] = static_cast<std::uint32_t>(m.in_c);
  set_name(a, m.container.header.input.name);
  a->n_elems = static_cast<std::uint32_t>(m.in_h * m.in_w * m.in_c);
  a->size = a->n_elems;
  a->fmt = kNHWC;
  a->type = kInt8;
  a->qnt_type = kQntAffine;
  a->zp = m.in_zp;
  a->scale = m.in_scale;
  a->w_stride = static_cast<std::uint32_t>(m.w_stride);
  a->size_with_stride = static_cast<std::uint32_t>(m.in_h * m.w_stride * m.in_c);
}

// Byte size of an output delivered with this format and element type.
std::size_t output_bytes(const Model& m, const OutputDesc& o, int fmt, int type) {
  const std::size_t elem = type == kFloat32 ? 4 : type == kFloat16 ? 2 : 1;
  if (fmt == kNC1HWC2 && o.is4d) {
    const int c2 = m.profile->c2;
    return static_cast<std::size_t>((o.c + c2 - 1) / c2) * o.h * o.w * c2 * elem;
  }
  return o.elems * elem;
}

void output_attr(const Model& m, int which, int fmt, TensorAttr* a) {
  const std::uint32_t index = a->index;
  const OutputDesc& o = m.outputs[index];
  std::memset(a, 0, sizeof *a);
  a->index = index;
  set_name(a, o.name);
  a->type = kInt8;
  a->qnt_type = kQntAffine;
  a->zp = o.zp;
  a->scale = o.scale;
  a->n_elems = static_cast<std::uint32_t>(o.elems);
  a->size = static_cast<std::uint32_t>(o.elems);
  (void)which;
  if (!o.is4d) {
    a->n_dims = static_cast<std::uint32_t>(o.dims.size());
    for (std::size_t i = 0; i < o.dims.size() && i < kMaxDims; ++i) a->dims[i] = static_cast<std::uint32_t>(o.dims[i]);
    a->fmt = kUndefined;
    a->size_with_stride = a->size;
    return;
  }
  if (fmt == kNC1HWC2) {
    const int c2 = m.profile->c2;
    a->n_dims = 5;
    a->dims[0] = 1;
    a->dims[1] = static_cast<std::uint32_t>((o.c + c2 - 1) / c2);
    a->dims[2] = static_cast<std::uint32_t>(o.h);
    a->dims[3] = static_cast<std::uint32_t>(o.w);
    a->dims[4] = static_cast<std::uint32_t>(c2);
    a->fmt = kNC1HWC2;
    a->w_stride = static_cast<std::uint32_t>(o.w);
    a->size_with_stride = static_cast<std::uint32_t>(output_bytes(m, o, kNC1HWC2, kInt8));
  } else if (fmt == kNHWC) {
    a->n_dims = 4;
    a->dims[0] = 1;
    a->dims[1] = static_cast<std::uint32_t>(o.h);
    a->dims[2] = static_cast<std::uint32_t>(o.w);
    a->dims[3] = static_cast<std::uint32_t>(o.c);
    a->fmt = kNHWC;
    a->w_stride = static_cast<std::uint32_t>(o.w);
    a->size_with_stride = a->size;
  } else {
    a->n_dims = 4;
    for (int i = 0; i < 4; ++i) a->dims[i] = static_cast<std::uint32_t>(o.dims[i]);
    a->fmt = kNCHW;
    a->size_with_stride = a->size;
  }
}

// -------------------------------------------------------------- compute ---

// Writes one output (int8 NCHW `q`) into `dst` in the requested layout/type.
// Padding channels of NC1HWC2 get non-zero garbage, so a consumer that reads
// them as data fails visibly.
void deliver(const Model& m, const OutputDesc& o, const std::vector<std::int8_t>& q, int fmt, int type,
             std::uint8_t* dst) {
  auto put = [&](std::size_t index, std::int8_t v) {
    if (type == kFloat32) {
      const float f = (static_cast<float>(v) - static_cast<float>(o.zp)) * o.scale;
      std::memcpy(dst + index * 4, &f, 4);
    } else {
      dst[index] = static_cast<std::uint8_t>(v);
    }
  };
  if (o.is4d && fmt == kNC1HWC2) {
    const int c2 = m.profile->c2, c1 = (o.c + c2 - 1) / c2;
    const std::size_t hw = static_cast<std::size_t>(o.h) * o.w;
    for (std::size_t i = 0; i < static_cast<std::size_t>(c1) * hw * c2; ++i)
      put(i, static_cast<std::int8_t>(0x7F - (i % 5)));
    for (int c = 0; c < o.c; ++c)
      for (std::size_t p = 0; p < hw; ++p) put(((c / c2) * hw + p) * c2 + c % c2, q[c * hw + p]);
    return;
  }
  if (o.is4d && fmt == kNHWC) {
    const std::size_t hw = static_cast<std::size_t>(o.h) * o.w;
    for (int c = 0; c < o.c; ++c)
      for (std::size_t p = 0; p < hw; ++p) put(p * o.c + c, q[c * hw + p]);
    return;
  }
  for (std::size_t i = 0; i < q.size(); ++i) put(i, q[i]);
}

// One input value as the runtime takes it: int8 (and uint8 with
// pass_through) as bytes, uint8 normalized and quantized by the "NPU", float
// quantized (and normalized unless pass_through).
std::int8_t input_value(const Model& m, int type, bool pass_through, int ch, const std::uint8_t* src) {
  if (type == kInt8 || (type == kUint8 && pass_through)) return static_cast<std::int8_t>(*src);
  if (type == kUint8) return m.lut[ch][*src];
  float v;
  std::memcpy(&v, src, 4);
  const ContainerHeader& h = m.container.header;
  return pass_through
             ? rkyolo::core::quantize_i8(v, m.in_scale, m.in_zp)
             : rkyolo::core::quantize_i8((v - h.mean[std::min(ch, 2)]) / h.std[std::min(ch, 2)], m.in_scale, m.in_zp);
}

// Reads NHWC rows that start every `pitch` bytes (padding columns ignored)
// into the packed NHWC int8 input.
void read_nhwc_rows(Ctx& c, const std::uint8_t* base, std::size_t pitch, int type, bool pass_through) {
  const Model& m = *c.model;
  const std::size_t elem = type == kFloat32 ? 4 : 1;
  for (int y = 0; y < m.in_h; ++y) {
    const std::uint8_t* row = base + y * pitch;
    std::int8_t* out = c.input.data() + static_cast<std::size_t>(y) * m.in_w * m.in_c;
    for (int x = 0; x < m.in_w * m.in_c; ++x) out[x] = input_value(m, type, pass_through, x % m.in_c, row + x * elem);
  }
}

// Reads a zero-copy input buffer (rows every native w_stride pixels, padding
// columns ignored) into packed NHWC int8.
int read_zero_copy_input(Ctx& c, const Binding& b, const Mem* mem) {
  const Model& m = *c.model;
  const bool device_view = (c.flags & kFlagDisableFlushInput) != 0;
  const std::uint8_t* base = (device_view ? mem->shadow.data() : mem->storage.data()) + mem->pub.offset;
  const std::size_t elem = b.attr.type == kFloat32 ? 4 : 1;
  read_nhwc_rows(c, base, static_cast<std::size_t>(m.w_stride) * m.in_c * elem, b.attr.type, b.attr.pass_through != 0);
  return kSucc;
}

int compute(Ctx& c) {
  const Model& m = *c.model;
  const int shape[4] = {1, m.in_c, m.in_h, m.in_w};
  cv::Mat blob(4, shape, CV_32F);
  float* f = blob.ptr<float>();
  const std::size_t plane = static_cast<std::size_t>(m.in_h) * m.in_w;
  for (std::size_t p = 0; p < plane; ++p)
    for (int ch = 0; ch < m.in_c; ++ch)
      f[ch * plane + p] = (static_cast<float>(c.input[p * m.in_c + ch]) - static_cast<float>(m.in_zp)) * m.in_scale;
  std::vector<cv::Mat> outs;
  try {
    c.net.setInput(blob);
    c.net.forward(outs, m.output_names);
  } catch (const cv::Exception& e) {
    log_error("inference failed: %s", e.what());
    return kErrFail;
  }
  if (outs.size() != m.outputs.size()) return kErrFail;
  for (std::size_t i = 0; i < outs.size(); ++i) {
    const OutputDesc& o = m.outputs[i];
    if (outs[i].total() != o.elems || outs[i].type() != CV_32F) {
      log_error("output %s has %zu elements, the model header says %zu", o.name.c_str(), outs[i].total(), o.elems);
      return kErrFail;
    }
    const float* src = outs[i].ptr<float>();
    std::vector<std::int8_t>& q = c.out_q[i];
    q.resize(o.elems);
    for (std::size_t k = 0; k < o.elems; ++k) q[k] = rkyolo::core::quantize_i8(src[k], o.scale, o.zp);
  }
  return kSucc;
}

// Locks the NPU cores a run uses: the mask's cores, or with AUTO an idle one.
// Fixed-size storage: a run allocates nothing (benchmarks count allocations).
struct CoreLocks {
  std::unique_lock<std::mutex> locks[3];
  // Timing mode: reserves the held cores from max(submitted, when they free)
  // for `latency_ms`; returns when the run ends.
  std::chrono::steady_clock::time_point reserve(std::chrono::steady_clock::time_point submitted, double latency_ms) {
    auto start = submitted;
    for (int k = 0; k < 3; ++k)
      if (locks[k].owns_lock()) start = std::max(start, reg().core_free[k]);
    const auto end = start + std::chrono::microseconds(static_cast<std::int64_t>(latency_ms * 1000));
    for (int k = 0; k < 3; ++k)
      if (locks[k].owns_lock()) reg().core_free[k] = end;
    return end;
  }
  void release() {
    for (auto& l : locks)
      if (l.owns_lock()) l.unlock();
  }
};

void acquire_cores(const Model& m, int mask, CoreLocks* out) {
  const int n = m.profile->cores;
  if (mask == kCoreAuto) {
    // An idle core (none computing, nothing queued on its timeline), else
    // the one that frees first, else (all computing) one in turn.
    const auto now = std::chrono::steady_clock::now();
    int best = -1;
    std::chrono::steady_clock::time_point best_free{};
    for (int k = 0; k < n; ++k) {
      std::unique_lock<std::mutex> l(reg().cores[k], std::try_to_lock);
      if (!l.owns_lock()) continue;
      if (reg().core_free[k] <= now) {
        out->locks[k] = std::move(l);
        return;
      }
      if (best < 0 || reg().core_free[k] < best_free) {
        best = k;
        best_free = reg().core_free[k];
      }
    }
    const int k = best >= 0 ? best : static_cast<int>(reg().round_robin++ % static_cast<unsigned>(n));
    out->locks[k] = std::unique_lock<std::mutex>(reg().cores[k]);
    return;
  }
  for (int k = 0; k < n; ++k)
    if (mask == kCoreAll || (mask & (1 << k))) out->locks[k] = std::unique_lock<std::mutex>(reg().cores[k]);
}

int cores_in_mask(const Model& m, int mask) {
  if (mask == kCoreAuto) return 1;
  if (mask == kCoreAll) return m.profile->cores;
  int k = 0;
  for (int i = 0; i < m.profile->cores; ++i) k += (mask >> i) & 1;
  return k;
}

}  // namespace
}  // namespace emu

using namespace emu;

// ================================================================ C API ===

EMU_API int rknn_init(Context* context, void* model, std::uint32_t size, std::uint32_t flag, InitExtend* extend) {
  (void)extend;
  if (context == nullptr || model == nullptr) return kErrParamInvalid;
  if (const char* fail = env("RKNN_EMU_FAIL_INIT")) {
    log_error("injected rknn_init failure (%s)", fail);
    if (std::strcmp(fail, "model_invalid") == 0) return kErrModelInvalid;
    return kErrDeviceUnavailable;
  }
  // A C entry point: nothing may throw out of it (an allocation the model
  // asks for, however checked, can still fail).
  try {
    std::vector<std::uint8_t> file;
    const std::uint8_t* data = static_cast<const std::uint8_t*>(model);
    std::size_t n = size;
    if (size == 0) {  // `model` is a path
      const rkyolo::Status st = rkyolo::core::read_file_bytes(static_cast<const char*>(model), &file);
      if (!st.ok()) {
        log_error("cannot read the model file: %s", st.message().c_str());
        return kErrModelInvalid;
      }
      data = file.data();
      n = file.size();
    }
    std::shared_ptr<Model> m;
    const int rc = load_model(data, n, &m);
    if (rc != kSucc) return rc;
    return make_context(std::move(m), flag, context);
  } catch (const std::exception& e) {
    log_error("rknn_init failed: %s", e.what());
    return kErrMallocFail;
  }
}

EMU_API int rknn_dup_context(Context* in, Context* out) {
  if (in == nullptr || out == nullptr) return kErrParamInvalid;
  auto c = find_ctx(*in);
  if (!c) return kErrCtxInvalid;
  try {
    return make_context(c->model, c->flags, out);  // the loaded model is shared
  } catch (const std::exception& e) {
    log_error("rknn_dup_context failed: %s", e.what());
    return kErrMallocFail;
  }
}

EMU_API int rknn_destroy(Context context) {
  std::shared_ptr<Ctx> c;
  {
    std::lock_guard<std::mutex> lock(reg().mu);
    auto it = reg().contexts.find(context);
    if (it == reg().contexts.end()) return kErrCtxInvalid;
    c = it->second;
    reg().contexts.erase(it);
  }
  std::lock_guard<std::mutex> lock(c->mu);  // waits for a run in progress
  return kSucc;
}

EMU_API int rknn_query(Context context, int cmd, void* info, std::uint32_t size) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  if (info == nullptr) return kErrParamInvalid;
  std::lock_guard<std::mutex> lock(c->mu);
  const Model& m = *c->model;
  switch (cmd) {
    case kQueryInOutNum: {
      if (size < sizeof(InOutNum)) return kErrParamInvalid;
      auto* io = static_cast<InOutNum*>(info);
      io->n_input = 1;
      io->n_output = static_cast<std::uint32_t>(m.outputs.size());
      return kSucc;
    }
    case kQueryInputAttr:
    case kQueryNativeInputAttr:
    case kQueryNativeNhwcInputAttr: {
      if (size < sizeof(TensorAttr)) return kErrParamInvalid;
      auto* a = static_cast<TensorAttr*>(info);
      if (a->index != 0) return kErrParamInvalid;
      input_attr(m, a);
      return kSucc;
    }
    case kQueryOutputAttr:
    case kQueryNativeOutputAttr:
    case kQueryNativeNhwcOutputAttr: {
      if (size < sizeof(TensorAttr)) return kErrParamInvalid;
      auto* a = static_cast<TensorAttr*>(info);
      if (a->index >= m.outputs.size()) return kErrParamInvalid;
      if (cmd == kQueryNativeNhwcOutputAttr && !m.profile->native_nhwc_output) return kErrParamInvalid;
      output_attr(m, cmd, cmd == kQueryOutputAttr ? kNCHW : cmd == kQueryNativeOutputAttr ? kNC1HWC2 : kNHWC, a);
      return kSucc;
    }
    case kQueryPerfRun: {
      if (size < sizeof(PerfRun)) return kErrParamInvalid;
      static_cast<PerfRun*>(info)->run_duration = c->last_run_us;
      return kSucc;
    }
    case kQuerySdkVersion: {
      if (size < sizeof(SdkVersion)) return kErrParamInvalid;
      auto* v = static_cast<SdkVersion*>(info);
      std::memset(v, 0, sizeof *v);
      const char* api = env("RKNN_EMU_API_VERSION");
      const char* drv = env("RKNN_EMU_DRV_VERSION");
      std::snprintf(v->api_version, sizeof v->api_version, "%s", api != nullptr ? api : EMU_API_VERSION);
      if (drv != nullptr)
        std::snprintf(v->drv_version, sizeof v->drv_version, "%s", drv);
      else
        std::snprintf(v->drv_version, sizeof v->drv_version, "0.9.8 (rknn-emu, emulated %s with %d NPU core%s)",
                      m.profile->name, m.profile->cores, m.profile->cores > 1 ? "s" : "");
      return kSucc;
    }
    case kQueryCustomString: {
      if (size < sizeof(CustomString)) return kErrParamInvalid;
      auto* s = static_cast<CustomString*>(info);
      std::memset(s, 0, sizeof *s);
      std::snprintf(s->string, sizeof s->string, "%s", m.custom_string.c_str());
      return kSucc;
    }
    default: log_error("query %d is not supported by the emulator", cmd); return kErrParamInvalid;
  }
}

EMU_API int rknn_inputs_set(Context context, std::uint32_t n_inputs, Input* inputs) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  if (inputs == nullptr || n_inputs != 1) return kErrParamInvalid;
  std::lock_guard<std::mutex> lock(c->mu);
  const Model& m = *c->model;
  const Input& in = inputs[0];
  if (in.index != 0 || in.buf == nullptr) return kErrParamInvalid;
  if (c->in_mode[0] == Io::kZeroCopy) {
    log_error("input 0 is bound to zero-copy memory; rknn_inputs_set must not be mixed with rknn_set_io_mem");
    return kErrParamInvalid;
  }
  const std::size_t pixels = static_cast<std::size_t>(m.in_h) * m.in_w;
  const std::size_t elem = in.type == kFloat32 ? 4 : 1;
  if (in.type != kFloat32 && in.type != kUint8 && in.type != kInt8) return kErrInputInvalid;
  if (in.fmt != kNHWC && in.fmt != kNCHW) return kErrInputInvalid;
  // pass_through = 1 feeds the native layout: NHWC rows every w_stride
  // pixels, size_with_stride bytes (padding columns ignored). Otherwise the
  // runtime converts a packed NHWC or NCHW buffer.
  const bool native = in.pass_through != 0 && in.type != kFloat32;
  if (native && in.fmt != kNHWC) {
    log_error("pass_through input must be in the native NHWC layout");
    return kErrInputInvalid;
  }
  const std::size_t expected = native ? static_cast<std::size_t>(m.in_h) * m.w_stride * m.in_c : pixels * m.in_c * elem;
  if (in.size != expected) {
    log_error("input size %u, expected %zu%s", in.size, expected,
              native ? " (pass_through: native layout, rows of w_stride pixels)" : "");
    return kErrInputInvalid;
  }
  // The "hidden copy" of the general API: into the runtime's own buffer.
  const auto* bytes = static_cast<const std::uint8_t*>(in.buf);
  if (in.fmt == kNHWC) {
    read_nhwc_rows(*c, bytes, static_cast<std::size_t>(native ? m.w_stride : m.in_w) * m.in_c * elem, in.type,
                   in.pass_through != 0);
  } else {
    for (std::size_t p = 0; p < pixels; ++p)
      for (int ch = 0; ch < m.in_c; ++ch)
        c->input[p * m.in_c + ch] = input_value(m, in.type, in.pass_through != 0, ch, bytes + (ch * pixels + p) * elem);
  }
  c->in_mode[0] = Io::kGeneral;
  c->input_ready = true;
  reg().copied_in += in.size;
  return kSucc;
}

EMU_API int rknn_set_core_mask(Context context, int mask) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  std::lock_guard<std::mutex> lock(c->mu);
  const int cores = c->model->profile->cores;
  if (mask == kCoreAuto) {
    c->core_mask = mask;
    return kSucc;
  }
  if (cores == 1) {
    log_error("%s has a single NPU core: rknn_set_core_mask is not supported", c->model->profile->name);
    return kErrParamInvalid;
  }
  if (mask != kCoreAll && (mask <= 0 || mask >= (1 << cores))) {
    log_error("core mask 0x%x is not valid on %s (%d cores)", mask, c->model->profile->name, cores);
    return kErrParamInvalid;
  }
  c->core_mask = mask;
  return kSucc;
}

EMU_API int rknn_set_batch_core_num(Context context, int core_num) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  if (c->model->profile->cores == 1 || core_num < 1 || core_num > c->model->profile->cores) return kErrParamInvalid;
  return kSucc;
}

EMU_API int rknn_run(Context context, RunExtend* extend) {
  (void)extend;
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  std::lock_guard<std::mutex> lock(c->mu);
  const Model& m = *c->model;
  const int call = ++c->run_calls;
  if (const char* at = env("RKNN_EMU_FAIL_RUN_AT"); at != nullptr && call == std::atoi(at)) {
    log_error("injected rknn_run failure on call %d of this context", call);
    return kErrFail;
  }
  // Input: the general API's copy, or the zero-copy memory as the NPU sees it.
  const Mem* in_mem = nullptr;
  if (c->in_mode[0] == Io::kZeroCopy) {
    in_mem = find_mem(c->in_bind[0].handle);
    if (in_mem == nullptr) {
      log_error("the input memory was destroyed");
      return kErrInputInvalid;
    }
  } else if (!c->input_ready) {
    log_error("no input set: call rknn_inputs_set or rknn_set_io_mem first");
    return kErrInputInvalid;
  }
  constexpr std::size_t kMaxOutputs = 64;
  if (m.outputs.size() > kMaxOutputs) return kErrOutputInvalid;
  Mem* out_mems[kMaxOutputs] = {nullptr};
  for (std::size_t i = 0; i < m.outputs.size(); ++i) {
    if (c->out_mode[i] != Io::kZeroCopy) continue;
    out_mems[i] = find_mem(c->out_bind[i].handle);
    if (out_mems[i] == nullptr) {
      log_error("the memory of output %zu was destroyed", i);
      return kErrOutputInvalid;
    }
  }
  const bool timing = env_flag("RKNN_EMU_TIMING");
  const bool replay = env_flag("RKNN_EMU_REPLAY") && c->have_results;
  CoreLocks cores;
  acquire_cores(m, c->core_mask, &cores);
  const auto t0 = std::chrono::steady_clock::now();
  if (!replay) {
    if (in_mem != nullptr) read_zero_copy_input(*c, c->in_bind[0], in_mem);
    const int rc = compute(*c);
    if (rc != kSucc) return rc;
    std::fill(c->delivered.begin(), c->delivered.end(), 0);
  }
  c->have_results = true;
  ++reg().runs;
  // Zero-copy outputs: the NPU writes them straight into their memory.
  const bool device_view = (c->flags & kFlagDisableFlushOutput) != 0;
  for (std::size_t i = 0; i < m.outputs.size(); ++i) {
    Mem* mem = out_mems[i];
    if (mem == nullptr || c->delivered[i]) continue;  // replay: the memory already holds these results
    c->delivered[i] = 1;
    std::uint8_t* dst = (device_view ? mem->shadow.data() : mem->storage.data()) + mem->pub.offset;
    deliver(m, m.outputs[i], c->out_q[i], c->out_bind[i].attr.fmt, c->out_bind[i].attr.type, dst);
  }
  double elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (timing) {
    // The cores are reserved on their timeline and released before the
    // wait: another context's run queues behind this one and starts when it
    // ends, however late this thread wakes (the host's scheduling is not the
    // NPU's). The CPU work above stands in for the NPU and is not added.
    double latency = emulated_latency_ms(*m.profile, m.container.header.gflops, cores_in_mask(m, c->core_mask));
    if (const char* l = env("RKNN_EMU_LATENCY_MS")) latency = std::atof(l);
    const auto end = cores.reserve(t0, latency);
    cores.release();
    std::this_thread::sleep_until(end);
    elapsed_ms = std::max(elapsed_ms, std::chrono::duration<double, std::milli>(end - t0).count());
  }
  c->last_run_us = static_cast<std::int64_t>(elapsed_ms * 1000);
  return kSucc;
}

// Not a vendor symbol: the emulator's counters (bytes through the copy API,
// runs). Any pointer may be null.
EMU_API void rknn_emu_stats(std::uint64_t* bytes_in, std::uint64_t* bytes_out, std::uint64_t* runs) {
  if (bytes_in) *bytes_in = reg().copied_in.load();
  if (bytes_out) *bytes_out = reg().copied_out.load();
  if (runs) *runs = reg().runs.load();
}

EMU_API int rknn_wait(Context context, RunExtend* extend) {
  (void)extend;
  return find_ctx(context) ? kSucc : kErrCtxInvalid;
}

EMU_API int rknn_outputs_get(Context context, std::uint32_t n_outputs, Output* outputs, OutputExtend* extend) {
  (void)extend;
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  std::lock_guard<std::mutex> lock(c->mu);
  const Model& m = *c->model;
  if (outputs == nullptr || n_outputs > m.outputs.size()) return kErrParamInvalid;
  if (!c->have_results) {
    log_error("rknn_outputs_get before rknn_run");
    return kErrOutputInvalid;
  }
  for (std::uint32_t i = 0; i < n_outputs; ++i) {
    if (c->out_mode[i] == Io::kZeroCopy) {
      log_error("output %u is bound to zero-copy memory; rknn_outputs_get must not be mixed with rknn_set_io_mem", i);
      return kErrParamInvalid;
    }
  }
  for (std::uint32_t i = 0; i < n_outputs; ++i) {
    Output& o = outputs[i];
    const int type = o.want_float ? kFloat32 : kInt8;
    const std::size_t bytes = output_bytes(m, m.outputs[i], kNCHW, type);
    std::uint8_t* dst;
    if (o.is_prealloc) {
      if (o.buf == nullptr || o.size < bytes) {
        log_error("output %u: preallocated buffer of %u bytes, %zu needed", i, o.size, bytes);
        return kErrParamInvalid;
      }
      dst = static_cast<std::uint8_t*>(o.buf);
    } else {
      c->out_buffers[i].resize(bytes);
      dst = c->out_buffers[i].data();
      o.buf = dst;
      o.size = static_cast<std::uint32_t>(bytes);
    }
    o.index = i;
    deliver(m, m.outputs[i], c->out_q[i], kNCHW, type, dst);
    c->out_mode[i] = Io::kGeneral;
    reg().copied_out += bytes;
  }
  return kSucc;
}

EMU_API int rknn_outputs_release(Context context, std::uint32_t n_outputs, Output* outputs) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  std::lock_guard<std::mutex> lock(c->mu);
  if (outputs == nullptr || n_outputs > c->out_buffers.size()) return kErrParamInvalid;
  for (std::uint32_t i = 0; i < n_outputs; ++i) {
    if (outputs[i].is_prealloc) continue;
    std::vector<std::uint8_t>().swap(c->out_buffers[i]);
    outputs[i].buf = nullptr;
  }
  return kSucc;
}

#if !defined(RKNN_EMU_NO_ZERO_COPY)

namespace {

TensorMem* create_mem(Context context, std::uint64_t size) {
  auto c = find_ctx(context);
  if (!c || size == 0 || size > (1ull << 32)) return nullptr;
  if (env_flag("RKNN_EMU_CREATE_MEM_NULL")) {
    log_error("injected rknn_create_mem failure");
    return nullptr;
  }
  auto mem = std::make_unique<Mem>();
  // DMA memory is not zeroed: garbage catches code that relies on it.
  mem->storage.assign(static_cast<std::size_t>(size), 0xA5);
  if (c->flags & (kFlagDisableFlushInput | kFlagDisableFlushOutput))
    mem->shadow.assign(static_cast<std::size_t>(size), 0x5A);
  mem->owner = context;
  std::lock_guard<std::mutex> lock(reg().mu);
  mem->pub.virt_addr = mem->storage.data();
  mem->pub.phys_addr = 0x40000000ull + (reg().next_mem << 24);
  mem->pub.fd = -1;
  mem->pub.offset = 0;
  mem->pub.size = static_cast<std::uint32_t>(size);
  mem->pub.flags = kMemAllocInside;
  mem->pub.priv_data = nullptr;
  ++reg().next_mem;
  TensorMem* handle = &mem->pub;
  reg().mems[handle] = std::move(mem);
  return handle;
}

int destroy_mem(Context context, TensorMem* mem) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  std::lock_guard<std::mutex> ctx_lock(c->mu);  // not while this context runs
  std::unique_ptr<Mem> owned;
  {
    std::lock_guard<std::mutex> lock(reg().mu);
    auto it = reg().mems.find(mem);
    if (it == reg().mems.end()) {
      log_error("rknn_destroy_mem: unknown or already destroyed memory");
      return kErrParamInvalid;
    }
    owned = std::move(it->second);
    reg().mems.erase(it);
  }
  return kSucc;
}

}  // namespace

EMU_API TensorMem* rknn_create_mem(Context context, std::uint32_t size) {
  return create_mem(context, size);
}

#if !defined(RKNN_EMU_V120)
EMU_API TensorMem* rknn_create_mem2(Context context, std::uint64_t size, std::uint64_t alloc_flags) {
  (void)alloc_flags;
  return create_mem(context, size);
}
EMU_API int rknn_destroy_mem(Context context, TensorMem* mem) {
  return destroy_mem(context, mem);
}
#else
// Runtime 1.2.0 spelled it this way.
EMU_API int rknn_destory_mem(Context context, TensorMem* mem) {
  return destroy_mem(context, mem);
}
#endif

EMU_API int rknn_set_io_mem(Context context, TensorMem* mem_handle, TensorAttr* attr) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  if (attr == nullptr) return kErrParamInvalid;
  Mem* mem = find_mem(mem_handle);
  if (mem == nullptr) {
    log_error("rknn_set_io_mem: unknown or destroyed memory");
    return kErrParamInvalid;
  }
  std::lock_guard<std::mutex> lock(c->mu);
  const Model& m = *c->model;
  const std::size_t available = mem->pub.size > static_cast<std::uint32_t>(std::max(mem->pub.offset, 0))
                                    ? mem->pub.size - static_cast<std::uint32_t>(std::max(mem->pub.offset, 0))
                                    : 0;
  const std::string name(attr->name, strnlen(attr->name, sizeof attr->name));
  if (name == m.container.header.input.name) {
    if (attr->type != kInt8 && attr->type != kUint8 && attr->type != kFloat32) return kErrInputInvalid;
    if (attr->fmt != kNHWC) {
      log_error("zero-copy input must be NHWC");
      return kErrInputInvalid;
    }
    if (c->in_mode[0] == Io::kGeneral) {
      log_error("input 0 was fed with rknn_inputs_set; it must not be mixed with rknn_set_io_mem");
      return kErrParamInvalid;
    }
    const std::size_t need = static_cast<std::size_t>(m.in_h) * m.w_stride * m.in_c * (attr->type == kFloat32 ? 4 : 1);
    if (available < need) {
      log_error("input memory of %zu bytes is smaller than size_with_stride %zu", available, need);
      return kErrParamInvalid;
    }
    c->in_bind[0] = Binding{mem_handle, *attr};
    c->in_mode[0] = Io::kZeroCopy;
    return kSucc;
  }
  for (std::size_t i = 0; i < m.outputs.size(); ++i) {
    if (name != m.outputs[i].name) continue;
    if (attr->type != kInt8 && attr->type != kFloat32) return kErrOutputInvalid;
    if (attr->fmt != kNCHW && attr->fmt != kNC1HWC2 && attr->fmt != kNHWC && attr->fmt != kUndefined)
      return kErrOutputInvalid;
    if (c->out_mode[i] == Io::kGeneral) {
      log_error("output %zu was read with rknn_outputs_get; it must not be mixed with rknn_set_io_mem", i);
      return kErrParamInvalid;
    }
    const std::size_t need = output_bytes(m, m.outputs[i], attr->fmt, attr->type);
    if (available < need) {
      log_error("output memory of %zu bytes is smaller than size_with_stride %zu", available, need);
      return kErrParamInvalid;
    }
    c->out_bind[i] = Binding{mem_handle, *attr};
    c->delivered[i] = 0;
    c->out_mode[i] = Io::kZeroCopy;
    return kSucc;
  }
  log_error("rknn_set_io_mem: the model has no tensor named '%s'", name.c_str());
  return kErrParamInvalid;
}

#if !defined(RKNN_EMU_V120)
EMU_API int rknn_mem_sync(Context context, TensorMem* mem_handle, int mode) {
  auto c = find_ctx(context);
  if (!c) return kErrCtxInvalid;
  Mem* mem = find_mem(mem_handle);
  if (mem == nullptr) return kErrParamInvalid;
  if (mode < 1 || mode > 3) return kErrParamInvalid;
  if (mem->shadow.empty()) return kSucc;  // the runtime keeps caches coherent itself
  if (mode & kSyncToDevice) std::memcpy(mem->shadow.data(), mem->storage.data(), mem->storage.size());
  if (mode & kSyncFromDevice) std::memcpy(mem->storage.data(), mem->shadow.data(), mem->storage.size());
  return kSucc;
}
#endif

#endif  // !RKNN_EMU_NO_ZERO_COPY

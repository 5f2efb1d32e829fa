// rkyolo: the backend interface. A backend first describes what it accepts
// (capabilities); the engine adapts once at load time, never per frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rkyolo/image.h"
#include "rkyolo/status.h"
#include "rkyolo/tensor.h"

namespace rkyolo {

// The input tensor a backend wants. The engine's fused letterbox writes
// exactly this, straight into input_buffer().
struct InputCaps {
  int width = 0;  // model input width in pixels (valid pixels per row)
  int height = 0;
  int channels = 3;
  TensorLayout layout = TensorLayout::kNCHW;  // kNCHW (planar) or kNHWC (interleaved)
  DType dtype = DType::kFloat32;              // kFloat32, kUint8 or kInt8
  PixelFormat color = PixelFormat::kRgb8;     // channel order of the tensor
  // Normalization of 0..255 pixels, per tensor channel: v = (p - mean) / std.
  // kFloat32 stores v, kInt8 stores clamp(round(v / scale) + zero_point),
  // kUint8 stores p itself (the device normalizes).
  float mean[3] = {0, 0, 0};
  float std[3] = {255, 255, 255};
  QuantParams quant;
  int row_stride_pixels = 0;   // pixels per stored row (w_stride), >= width
  std::size_t size_bytes = 0;  // bytes of input_buffer(), padding included
  bool zero_copy = false;      // input_buffer() is the device's own memory
};

struct BackendCaps {
  std::string name;    // registry name: "cpu", "rknn"
  std::string device;  // human description of what runs the model
  InputCaps input;
  bool concurrent_runs = false;    // clones may run at the same time
  bool zero_copy_outputs = false;  // outputs() point into device memory
};

// What the model file says about itself.
struct ModelInfo {
  std::string path;
  std::string format;  // "onnx", "rknn"
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;              // as delivered by outputs()
  std::map<std::string, std::string> metadata;  // e.g. ONNX metadata_props
};

// Where one Session runs. The RKNN backend offers one placement per NPU
// core (core_mask 1 << core); the CPU backend one placement whose `threads`
// is its thread budget.
struct Placement {
  enum class Device : int { kCpu, kNpu };
  Device device = Device::kCpu;
  std::uint32_t core_mask = 0;  // NPU: RKNN_NPU_CORE_* bits; 0 = the runtime picks an idle core
  int threads = 0;              // CPU: threads for this session; 0 = the backend's default
};
std::string to_string(const Placement& placement);  // "NPU core 1", "NPU cores 0+1+2", "CPU, 2 threads"

// --- Typed backend options, parsed once at the edge (CLI, bindings). ---
struct CpuOptions {
  int threads = 0;       // 0: OpenCV's default
  int input_size = 640;  // for models whose input size is dynamic
};

enum class RknnIo : int { kAuto, kZeroCopy, kStandard };
enum class RknnInput : int { kAuto, kUint8, kInt8 };  // who normalizes: the NPU (uint8) or the CPU (int8)
enum class RknnCache : int { kAuto, kManual };
std::string_view rknn_io_name(RknnIo io);  // "auto", "zero-copy", "standard"
std::string_view rknn_input_name(RknnInput input);
std::string_view rknn_cache_name(RknnCache cache);
// The reverse, for the edges that parse text (CLI, benchmark, bindings):
// false when `text` names no value.
bool parse_rknn_io(std::string_view text, RknnIo* out);
bool parse_rknn_input(std::string_view text, RknnInput* out);
bool parse_rknn_cache(std::string_view text, RknnCache* out);

struct RknnOptions {
  std::string library;  // librknnrt.so path; empty: the usual places
  RknnIo io = RknnIo::kAuto;
  RknnInput input = RknnInput::kAuto;
  RknnCache cache = RknnCache::kAuto;
  // NPU cores for sessions, e.g. {0, 1, 2}; empty: every core the runtime
  // accepts; all_cores_in_one: one context spanning all cores (RKNN_NPU_CORE_0_1_2).
  std::vector<int> cores;
  bool all_cores_in_one = false;
  // Normalization the model was converted with (rknn-toolkit2's mean/std),
  // when it differs from the model's own metadata.
  bool has_mean = false, has_std = false;
  float mean[3] = {0, 0, 0};
  float std[3] = {255, 255, 255};
};
// "auto" (cores empty), "all" (all_cores_in_one) or distinct cores 0..2
// joined by '_' ("0_2"); false on anything else.
bool parse_npu_cores(std::string_view text, RknnOptions* out);

struct BackendOptions {
  std::string model_path;
  CpuOptions cpu;
  RknnOptions rknn;
};

// What runs the model, typed: read by `rkyolo info`, the benchmark and logs.
struct RuntimeInfo {
  std::string backend;          // "cpu", "rknn"
  std::string runtime;          // "OpenCV 4.6.0 DNN", "librknnrt 2.3.2 (emulator)"
  std::string runtime_version;  // API version string
  std::string driver_version;   // NPU driver; empty on the CPU
  std::string library_path;     // the loaded runtime library, if any
  enum class IoMode : int { kCopy, kZeroCopy } io_mode = IoMode::kCopy;
  std::string io_detail;  // one sentence: input strategy, sync, fallback reason
  int npu_cores = 0;      // cores the runtime accepts (0 on the CPU)
  int threads = 0;        // CPU threads (0 on the NPU)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const BackendCaps& caps() const = 0;
  virtual const ModelInfo& model_info() const = 0;
  // Memory that receives one input tensor laid out as caps().input says.
  // Stable from creation to destruction.
  virtual std::uint8_t* input_buffer() = 0;
  // Runs the model on the current input buffer. On success outputs() holds
  // one view per model_info().outputs, valid until the next run().
  virtual Status run() = 0;
  virtual const std::vector<TensorView>& outputs() const = 0;
  // Where sessions of this model can run (never empty): one per NPU core,
  // or the CPU with its thread budget.
  virtual std::vector<Placement> placements() const = 0;
  // A new instance sharing the loaded model (weights, metadata, load-time
  // decisions) with its own execution context at `placement`.
  virtual Status clone(const Placement& placement, std::unique_ptr<Backend>* out) const = 0;
  // Runtime facts, typed.
  virtual RuntimeInfo runtime_info() const = 0;
  // Extra facts for `rkyolo info` (native tensor attributes...).
  virtual std::vector<std::pair<std::string, std::string>> describe() const { return {}; }
};

struct BackendFactory {
  std::string name;
  // Usability for these options on this machine: 0 = unusable, higher is
  // better. `reason` receives a sentence explaining the score (a Message,
  // so an application translates it by id).
  int (*score)(const BackendOptions& options, Message* reason) = nullptr;
  Status (*create)(const BackendOptions& options, std::unique_ptr<Backend>* out) = nullptr;
};

// Registry. Registering a name twice replaces the earlier factory.
void register_backend(const BackendFactory& factory);
std::vector<BackendFactory> registered_backends();

// Registers every backend compiled into this build (cpu, rknn...). Safe to
// call more than once. Provided by the rkyolo::backends library.
void register_builtin_backends();

// Creates backend `name`, or with "auto" the usable backend of highest score.
// `choice` (optional) receives a sentence saying which was picked and why.
Status create_backend(std::string_view name, const BackendOptions& options, std::unique_ptr<Backend>* out,
                      std::string* choice = nullptr);

}  // namespace rkyolo

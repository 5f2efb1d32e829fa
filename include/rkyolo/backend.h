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
  int width = 0;     // model input width in pixels (valid pixels per row)
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
  int row_stride_pixels = 0;  // pixels per stored row (w_stride), >= width
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
  std::vector<TensorInfo> outputs;  // as delivered by outputs()
  std::map<std::string, std::string> metadata;  // e.g. ONNX metadata_props
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
  // A new instance sharing the loaded model (weights, metadata) with its own
  // execution context. `worker_index` lets a backend spread workers over
  // devices (e.g. one NPU core each).
  virtual Status clone(int worker_index, std::unique_ptr<Backend>* out) const = 0;
  // Extra facts for `rkyolo info` (runtime version, native attributes...).
  virtual std::vector<std::pair<std::string, std::string>> describe() const { return {}; }
};

struct BackendOptions {
  std::string model_path;
  // Backend-specific settings, e.g. {"rknn_lib", "/usr/lib/librknnrt.so"},
  // {"rknn_io", "auto"}, {"npu_cores", "0_1_2"}, {"threads", "2"}.
  std::map<std::string, std::string> params;

  std::string param(const std::string& key, const std::string& fallback = {}) const {
    auto it = params.find(key);
    return it == params.end() ? fallback : it->second;
  }
};

struct BackendFactory {
  std::string name;
  // Usability for these options on this machine: 0 = unusable, higher is
  // better. `reason` receives a sentence explaining the score.
  int (*score)(const BackendOptions& options, std::string* reason) = nullptr;
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
Status create_backend(std::string_view name, const BackendOptions& options,
                      std::unique_ptr<Backend>* out, std::string* choice = nullptr);

}  // namespace rkyolo

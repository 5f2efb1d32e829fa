// rkyolo RKNN backend: the loaded model every context shares: the file's
// bytes, the runtime, the options, the tensor attributes queried once, the
// session placements and the I/O decision taken by the first context.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/rknn/rknn_runtime.h"
#include "rkyolo/backend.h"

namespace rkyolo::rknn {

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
    std::optional<Message> fallback;  // why zero-copy was not possible
  };
  std::shared_ptr<Decision> decision = std::make_shared<Decision>();
};

constexpr std::uint32_t kFlushFlags =
    RKNN_FLAG_DISABLE_FLUSH_INPUT_MEM_CACHE | RKNN_FLAG_DISABLE_FLUSH_OUTPUT_MEM_CACHE;

// The runtime library to load: the options', else RKYOLO_RKNN_LIB, else ""
// (the loader's search path).
std::string library_param(const BackendOptions& options);

// rknn_init failed: the call, the code, its sentence and the versions (a model
// built by a newer toolkit than the runtime is the most common cause).
Message init_failure(const SharedModel& s, int rc);

// Reads the model file, loads the runtime, creates the first context and
// queries everything the contexts share into *out.
Status load_model(const BackendOptions& options, std::shared_ptr<SharedModel>* out, ContextOwner* first_context);

}  // namespace rkyolo::rknn

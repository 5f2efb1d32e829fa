// rkyolo: CPU backend, OpenCV DNN running ONNX models. The reference the NPU
// path is checked against.
#pragma once

#include <memory>

#include "rkyolo/backend.h"

namespace rkyolo {

// Registers "cpu" in the backend registry.
void register_cpu_backend();

// Creates a CPU backend directly, with options.cpu: threads (OpenCV worker
// threads, process-wide), input_size (for models with a dynamic input).
Status create_cpu_backend(const BackendOptions& options, std::unique_ptr<Backend>* out);

}  // namespace rkyolo

// rkyolo: librknnrt.so loaded at run time (dlopen, never linked), every
// symbol resolved once into a function table, newer symbols optional, and
// RAII owners for contexts, tensor memory and queried outputs.
#pragma once

#define RKYOLO_RKNN_NO_PROTOTYPES 1
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/rknn/rknn_api.h"
#include "rkyolo/status.h"

namespace rkyolo::rknn {

// The vendor runtime's functions. Optional ones may be null.
struct Functions {
  // Present in every runtime rkyolo supports.
  int (*init)(rknn_context*, void*, uint32_t, uint32_t, rknn_init_extend*) = nullptr;
  int (*destroy)(rknn_context) = nullptr;
  int (*query)(rknn_context, rknn_query_cmd, void*, uint32_t) = nullptr;
  int (*inputs_set)(rknn_context, uint32_t, rknn_input*) = nullptr;
  int (*run)(rknn_context, rknn_run_extend*) = nullptr;
  int (*outputs_get)(rknn_context, uint32_t, rknn_output*, rknn_output_extend*) = nullptr;
  int (*outputs_release)(rknn_context, uint32_t, rknn_output*) = nullptr;
  // Optional: multi-core and zero-copy, by runtime version.
  int (*dup_context)(rknn_context*, rknn_context*) = nullptr;
  int (*set_core_mask)(rknn_context, rknn_core_mask) = nullptr;
  rknn_tensor_mem* (*create_mem)(rknn_context, uint32_t) = nullptr;
  rknn_tensor_mem* (*create_mem2)(rknn_context, uint64_t, uint64_t) = nullptr;
  int (*destroy_mem)(rknn_context, rknn_tensor_mem*) = nullptr;  // or 1.2.0's rknn_destory_mem
  int (*set_io_mem)(rknn_context, rknn_tensor_mem*, rknn_tensor_attr*) = nullptr;
  int (*mem_sync)(rknn_context, rknn_tensor_mem*, rknn_mem_sync_mode) = nullptr;
};

// "RKNN_ERR_MODEL_INVALID" and a sentence saying what it usually means.
const char* error_name(int code);
MessageId error_sentence(int code);
// "rknn_init: RKNN_ERR_MODEL_INVALID (-6): <sentence>"
Message describe_error(const char* call, int code);

class Runtime {
 public:
  // Loads `path` ("" = "librknnrt.so" from the default search path, else
  // "librknnmrt.so", the cropped runtime of RV1103/RV1106).
  // Missing library or required symbol: kBackendUnavailable with dlerror().
  static Status load(const std::string& path, std::shared_ptr<Runtime>* out);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Functions& fn() const { return fn_; }
  const std::string& path() const { return path_; }  // what dlopen found
  bool has_zero_copy() const { return fn_.create_mem && fn_.destroy_mem && fn_.set_io_mem; }
  // The copy API (rknn_inputs_set / rknn_outputs_get / rknn_outputs_release);
  // RV1103/RV1106's librknnmrt.so has only the zero-copy API.
  bool has_copy_api() const { return fn_.inputs_set && fn_.outputs_get && fn_.outputs_release; }
  bool uses_legacy_destroy_spelling() const { return legacy_destroy_; }
  // Version text found in the library file ("librknnrt version: ..."), or
  // "unknown"; used in errors raised before any context exists.
  const std::string& embedded_version() const { return embedded_version_; }
  // NPU driver version from debugfs, or "unknown" (needs root on boards).
  static std::string driver_version();

 private:
  Runtime() = default;
  void* handle_ = nullptr;
  std::string path_;
  Functions fn_;
  bool legacy_destroy_ = false;
  std::string embedded_version_ = "unknown";
};

// Owns an rknn_context.
class ContextOwner {
 public:
  ContextOwner() = default;
  ContextOwner(std::shared_ptr<const Runtime> rt, rknn_context ctx) : rt_(std::move(rt)), ctx_(ctx) {}
  ~ContextOwner() { reset(); }
  ContextOwner(ContextOwner&& o) noexcept : rt_(std::move(o.rt_)), ctx_(o.ctx_) { o.ctx_ = 0; }
  ContextOwner& operator=(ContextOwner&& o) noexcept;
  void reset();
  rknn_context get() const { return ctx_; }
  explicit operator bool() const { return ctx_ != 0; }

 private:
  std::shared_ptr<const Runtime> rt_;
  rknn_context ctx_ = 0;
};

// Owns an rknn_tensor_mem of one context (destroyed before the context:
// declare memories after the context that owns them).
class MemOwner {
 public:
  MemOwner() = default;
  MemOwner(std::shared_ptr<const Runtime> rt, rknn_context ctx, rknn_tensor_mem* mem)
      : rt_(std::move(rt)), ctx_(ctx), mem_(mem) {}
  ~MemOwner() { reset(); }
  MemOwner(MemOwner&& o) noexcept : rt_(std::move(o.rt_)), ctx_(o.ctx_), mem_(o.mem_) { o.mem_ = nullptr; }
  MemOwner& operator=(MemOwner&& o) noexcept;
  void reset();
  rknn_tensor_mem* get() const { return mem_; }
  std::uint8_t* data() const { return static_cast<std::uint8_t*>(mem_->virt_addr) + mem_->offset; }

 private:
  std::shared_ptr<const Runtime> rt_;
  rknn_context ctx_ = 0;
  rknn_tensor_mem* mem_ = nullptr;
};

// Owns outputs fetched with rknn_outputs_get until they are released (at the
// next fetch or on destruction), as the API requires.
class OutputsOwner {
 public:
  OutputsOwner() = default;
  OutputsOwner(std::shared_ptr<const Runtime> rt, rknn_context ctx, std::size_t n)
      : rt_(std::move(rt)), ctx_(ctx), outputs_(n) {}
  ~OutputsOwner() { release(); }
  OutputsOwner(OutputsOwner&&) = delete;
  // Fetches all outputs (after release of the previous ones).
  int fetch();
  void release();
  rknn_output* data() { return outputs_.data(); }
  std::size_t size() const { return outputs_.size(); }

 private:
  std::shared_ptr<const Runtime> rt_;
  rknn_context ctx_ = 0;
  std::vector<rknn_output> outputs_;
  bool held_ = false;
};

}  // namespace rkyolo::rknn

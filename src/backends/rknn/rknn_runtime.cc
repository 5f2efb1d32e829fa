#include "backends/rknn/rknn_runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

namespace rkyolo::rknn {

const char* error_name(int code) {
  switch (code) {
    case RKNN_SUCC: return "RKNN_SUCC";
    case RKNN_ERR_FAIL: return "RKNN_ERR_FAIL";
    case RKNN_ERR_TIMEOUT: return "RKNN_ERR_TIMEOUT";
    case RKNN_ERR_DEVICE_UNAVAILABLE: return "RKNN_ERR_DEVICE_UNAVAILABLE";
    case RKNN_ERR_MALLOC_FAIL: return "RKNN_ERR_MALLOC_FAIL";
    case RKNN_ERR_PARAM_INVALID: return "RKNN_ERR_PARAM_INVALID";
    case RKNN_ERR_MODEL_INVALID: return "RKNN_ERR_MODEL_INVALID";
    case RKNN_ERR_CTX_INVALID: return "RKNN_ERR_CTX_INVALID";
    case RKNN_ERR_INPUT_INVALID: return "RKNN_ERR_INPUT_INVALID";
    case RKNN_ERR_OUTPUT_INVALID: return "RKNN_ERR_OUTPUT_INVALID";
    case RKNN_ERR_DEVICE_UNMATCH: return "RKNN_ERR_DEVICE_UNMATCH";
    case RKNN_ERR_INCOMPATILE_PRE_COMPILE_MODEL: return "RKNN_ERR_INCOMPATILE_PRE_COMPILE_MODEL";
    case RKNN_ERR_INCOMPATILE_OPTIMIZATION_LEVEL_VERSION: return "RKNN_ERR_INCOMPATILE_OPTIMIZATION_LEVEL_VERSION";
    case RKNN_ERR_TARGET_PLATFORM_UNMATCH: return "RKNN_ERR_TARGET_PLATFORM_UNMATCH";
    default: return "unknown RKNN error";
  }
}

MessageId error_sentence(int code) {
  switch (code) {
    case RKNN_SUCC: return MessageId::kRknnSuccess;
    case RKNN_ERR_FAIL: return MessageId::kRknnErrFail;
    case RKNN_ERR_TIMEOUT: return MessageId::kRknnErrTimeout;
    case RKNN_ERR_DEVICE_UNAVAILABLE: return MessageId::kRknnErrDeviceUnavailable;
    case RKNN_ERR_MALLOC_FAIL: return MessageId::kRknnErrMalloc;
    case RKNN_ERR_PARAM_INVALID: return MessageId::kRknnErrParam;
    case RKNN_ERR_MODEL_INVALID: return MessageId::kRknnErrModelInvalid;
    case RKNN_ERR_CTX_INVALID: return MessageId::kRknnErrContext;
    case RKNN_ERR_INPUT_INVALID: return MessageId::kRknnErrInput;
    case RKNN_ERR_OUTPUT_INVALID: return MessageId::kRknnErrOutput;
    case RKNN_ERR_DEVICE_UNMATCH: return MessageId::kRknnErrDeviceUnmatch;
    case RKNN_ERR_INCOMPATILE_PRE_COMPILE_MODEL: return MessageId::kRknnErrPrecompiled;
    case RKNN_ERR_INCOMPATILE_OPTIMIZATION_LEVEL_VERSION: return MessageId::kRknnErrOptimizationLevel;
    case RKNN_ERR_TARGET_PLATFORM_UNMATCH: return MessageId::kRknnErrPlatform;
    default: return MessageId::kRknnErrUnexpected;
  }
}

Message describe_error(const char* call, int code) {
  return Message(MessageId::kRknnCallFailed,
                 {{"call", call}, {"name", error_name(code)}, {"code", code}, {"meaning", error_sentence(code)}});
}

namespace {

std::string read_version_string(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "unknown";
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static const char kTag[] = "librknnrt version: ";
  const std::size_t at = bytes.find(kTag);
  if (at == std::string::npos) return "unknown";
  std::string v;
  for (std::size_t i = at + sizeof kTag - 1; i < bytes.size() && v.size() < 160 && bytes[i] >= 0x20 && bytes[i] < 0x7F;
       ++i)
    v += bytes[i];
  return v.empty() ? "unknown" : v;
}

}  // namespace

Status Runtime::load(const std::string& requested, std::shared_ptr<Runtime>* out) {
  std::string name = requested.empty() ? "librknnrt.so" : requested;
  dlerror();
  // RTLD_NODELETE: the vendor runtime starts its own threads and keeps
  // process-wide state; unmapping it while those may live is unsafe.
  void* h = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (h == nullptr) {
    const char* e = dlerror();
    const std::string why = e ? e : "unknown dlopen error";
    if (requested.empty()) {  // RV1103/RV1106 ship the cropped librknnmrt.so instead
      h = dlopen("librknnmrt.so", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
      if (h != nullptr) name = "librknnmrt.so";
    }
    if (h == nullptr) return backend_unavailable(MessageId::kRknnRuntimeLoad, {{"library", name}, {"reason", why}});
  }
  std::shared_ptr<Runtime> rt(new Runtime());
  rt->handle_ = h;
  rt->path_ = name;
  char origin[4096] = {0};
  if (dlinfo(h, RTLD_DI_ORIGIN, origin) == 0 && name.find('/') == std::string::npos)
    rt->path_ = std::string(origin) + "/" + name;
  std::string missing;
  auto sym = [&](const char* symbol, bool required) -> void* {
    void* p = dlsym(h, symbol);
    if (p == nullptr && required) missing += (missing.empty() ? "" : ", ") + std::string(symbol);
    return p;
  };
  Functions& f = rt->fn_;
  f.init = reinterpret_cast<decltype(f.init)>(sym("rknn_init", true));
  f.destroy = reinterpret_cast<decltype(f.destroy)>(sym("rknn_destroy", true));
  f.query = reinterpret_cast<decltype(f.query)>(sym("rknn_query", true));
  f.inputs_set = reinterpret_cast<decltype(f.inputs_set)>(sym("rknn_inputs_set", false));
  f.run = reinterpret_cast<decltype(f.run)>(sym("rknn_run", true));
  f.outputs_get = reinterpret_cast<decltype(f.outputs_get)>(sym("rknn_outputs_get", false));
  f.outputs_release = reinterpret_cast<decltype(f.outputs_release)>(sym("rknn_outputs_release", false));
  f.dup_context = reinterpret_cast<decltype(f.dup_context)>(sym("rknn_dup_context", false));
  f.set_core_mask = reinterpret_cast<decltype(f.set_core_mask)>(sym("rknn_set_core_mask", false));
  f.create_mem = reinterpret_cast<decltype(f.create_mem)>(sym("rknn_create_mem", false));
  f.create_mem2 = reinterpret_cast<decltype(f.create_mem2)>(sym("rknn_create_mem2", false));
  f.set_io_mem = reinterpret_cast<decltype(f.set_io_mem)>(sym("rknn_set_io_mem", false));
  f.mem_sync = reinterpret_cast<decltype(f.mem_sync)>(sym("rknn_mem_sync", false));
  f.destroy_mem = reinterpret_cast<decltype(f.destroy_mem)>(sym("rknn_destroy_mem", false));
  if (f.destroy_mem == nullptr) {  // runtime 1.2.0 spelled it rknn_destory_mem
    f.destroy_mem = reinterpret_cast<decltype(f.destroy_mem)>(sym("rknn_destory_mem", false));
    rt->legacy_destroy_ = f.destroy_mem != nullptr;
  }
  if (!missing.empty())
    return backend_unavailable(MessageId::kRknnRuntimeUnusable, {{"library", rt->path_}, {"missing", missing}});
  rt->embedded_version_ = read_version_string(rt->path_);
  *out = std::move(rt);
  return Status();
}

Runtime::~Runtime() {
  if (handle_ != nullptr) dlclose(handle_);
}

std::string Runtime::driver_version() {
  for (const char* p : {"/sys/kernel/debug/rknpu/driver_version", "/sys/kernel/debug/rknpu/version"}) {
    std::ifstream in(p);
    std::string v;
    if (in && std::getline(in, v) && !v.empty()) return v;
  }
  return "unknown";
}

ContextOwner& ContextOwner::operator=(ContextOwner&& o) noexcept {
  if (this != &o) {
    reset();
    rt_ = std::move(o.rt_);
    ctx_ = o.ctx_;
    o.ctx_ = 0;
  }
  return *this;
}

void ContextOwner::reset() {
  if (ctx_ != 0 && rt_) rt_->fn().destroy(ctx_);
  ctx_ = 0;
}

MemOwner& MemOwner::operator=(MemOwner&& o) noexcept {
  if (this != &o) {
    reset();
    rt_ = std::move(o.rt_);
    ctx_ = o.ctx_;
    mem_ = o.mem_;
    o.mem_ = nullptr;
  }
  return *this;
}

void MemOwner::reset() {
  if (mem_ != nullptr && rt_ && rt_->fn().destroy_mem) rt_->fn().destroy_mem(ctx_, mem_);
  mem_ = nullptr;
}

int OutputsOwner::fetch() {
  release();
  const int rc = rt_->fn().outputs_get(ctx_, static_cast<uint32_t>(outputs_.size()), outputs_.data(), nullptr);
  held_ = rc == RKNN_SUCC;
  return rc;
}

void OutputsOwner::release() {
  if (held_ && rt_) rt_->fn().outputs_release(ctx_, static_cast<uint32_t>(outputs_.size()), outputs_.data());
  held_ = false;
}

}  // namespace rkyolo::rknn

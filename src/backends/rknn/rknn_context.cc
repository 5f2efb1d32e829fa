#include "backends/rknn/rknn_context.h"

#include "backends/rknn/rknn_placement.h"
#include "backends/rknn/rknn_tensors.h"
#include "rkyolo/log.h"

namespace rkyolo::rknn {

// Core mask, then zero-copy with graceful degradation, or standard.
Status RknnBackend::configure() {
  const SharedModel& s = *shared_;
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
    return backend_error(MessageId::kRknnNoCopyApi, {{"library", s.runtime->path()}});
  Message why;
  if (s.options.io != RknnIo::kStandard && (!decision.decided || decision.zero_copy)) {
    if (setup_zero_copy(&why)) {
      mode_ = IoMode::kZeroCopy;
    } else {
      release_zero_copy();
      if (s.options.io == RknnIo::kZeroCopy)
        return backend_error(MessageId::kRknnZeroCopyImpossible, {{"path", s.path}, {"reason", why}});
      if (!can_copy)
        return backend_error(MessageId::kRknnNoIoPath,
                             {{"path", s.path}, {"reason", why}, {"library", s.runtime->path()}});
      RKYOLO_RETURN_IF_ERROR(fall_back_to_standard(why));
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

// A fresh context: nothing of the failed zero-copy set-up may linger (the
// API forbids mixing zero-copy and copy I/O on a tensor), and no cache-flush
// flags, since standard I/O has no memory to sync.
Status RknnBackend::fall_back_to_standard(const Message& why) {
  const SharedModel& s = *shared_;
  fallback_ = why;
  rknn_context fresh = 0;
  const int rc = s.runtime->fn().init(&fresh, const_cast<std::uint8_t*>(s.bytes.data()),
                                      static_cast<uint32_t>(s.bytes.size()), s.init_flags & ~kFlushFlags, nullptr);
  if (rc != RKNN_SUCC) return Status(StatusCode::kBackendError, init_failure(s, rc));
  ctx_ = std::make_shared<ContextOwner>(s.runtime, fresh);
  source_.reset();
  RKYOLO_RETURN_IF_ERROR(apply_core_mask());
  log_message(LogLevel::kWarning,
              Message(MessageId::kRknnZeroCopyFallback, {{"reason", why}, {"runtime", s.api_version}}));
  return Status();
}

Status RknnBackend::run() {
  const Functions& fn = shared_->runtime->fn();
  const rknn_context ctx = ctx_->get();
  int rc;
  if (mode_ == IoMode::kZeroCopy) {  // the NPU reads and writes our memory in place
    if (manual_sync_ && (rc = fn.mem_sync(ctx, in_mem_.get(), RKNN_MEMORY_SYNC_TO_DEVICE)) != RKNN_SUCC)
      return run_error("rknn_mem_sync", rc);
    if ((rc = fn.run(ctx, nullptr)) != RKNN_SUCC) return run_error("rknn_run", rc);
    if (manual_sync_)
      for (auto& m : out_mems_)
        if ((rc = fn.mem_sync(ctx, m.get(), RKNN_MEMORY_SYNC_FROM_DEVICE)) != RKNN_SUCC)
          return run_error("rknn_mem_sync", rc);
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

Status RknnBackend::clone(const Placement& placement, std::unique_ptr<Backend>* out) const {
  if (placement.device != Placement::Device::kNpu)
    return invalid_argument(MessageId::kRknnSessionPlacement, {{"placement", to_string(placement)}});
  const Functions& fn = shared_->runtime->fn();
  rknn_context copy = 0;
  int rc;
  std::shared_ptr<const ContextOwner> source;
  if (fn.dup_context != nullptr) {
    rknn_context src = ctx_->get();
    rc = fn.dup_context(&src, &copy);
    if (rc != RKNN_SUCC)
      return backend_error(MessageId::kRknnModelCall,
                           {{"path", shared_->path}, {"cause", describe_error("rknn_dup_context", rc)}});
    source = ctx_;  // the copy shares the source's weights: keep it alive
  } else {          // old runtime: a second context from the same bytes
    const std::uint32_t flags = mode_ == IoMode::kZeroCopy ? shared_->init_flags : shared_->init_flags & ~kFlushFlags;
    rc = fn.init(&copy, const_cast<std::uint8_t*>(shared_->bytes.data()), static_cast<uint32_t>(shared_->bytes.size()),
                 flags, nullptr);
    if (rc != RKNN_SUCC) return Status(StatusCode::kBackendError, init_failure(*shared_, rc));
  }
  auto b = std::make_unique<RknnBackend>(shared_, ContextOwner(shared_->runtime, copy), placement, std::move(source));
  RKYOLO_RETURN_IF_ERROR(b->configure());
  *out = std::move(b);
  return Status();
}

RuntimeInfo RknnBackend::runtime_info() const {
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

std::vector<std::pair<std::string, std::string>> RknnBackend::describe() const {
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

std::string RknnBackend::io_sentence() const {
  if (mode_ == IoMode::kZeroCopy)
    return std::string("zero-copy: input ") +
           (strategy_ == InputStrategy::kUint8 ? "UINT8 NHWC, the NPU normalizes and quantizes"
                                               : "INT8 pre-quantized by the CPU (pass_through)") +
           "; outputs decoded in place in NPU memory" + (manual_sync_ ? "; manual cache sync" : "");
  return std::string("standard: rknn_inputs_set + rknn_outputs_get") +
         (fallback_ ? " (zero-copy failed: " + fallback_->render() + ")" : "");
}

Status RknnBackend::run_error(const char* call, int rc) const {
  return backend_error(MessageId::kRknnRunFailed, {{"cause", describe_error(call, rc)}, {"path", shared_->path}});
}

// The placement's cores; mask 0 leaves the choice to the runtime. The
// masks in placements() were all accepted at load; another is checked here.
Status RknnBackend::apply_core_mask() {
  if (placement_.core_mask == 0) return Status();
  const SharedModel& s = *shared_;
  const Functions& fn = s.runtime->fn();
  if (fn.set_core_mask == nullptr)
    return backend_unavailable(MessageId::kRknnPlacementNoCoreMask,
                               {{"placement", to_string(placement_)}, {"library", s.runtime->path()}});
  const int rc = fn.set_core_mask(ctx_->get(), static_cast<rknn_core_mask>(placement_.core_mask));
  if (rc != RKNN_SUCC) return core_mask_rejected(placement_, rc);
  return Status();
}

}  // namespace rkyolo::rknn

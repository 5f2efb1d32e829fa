// rkyolo RKNN backend: one execution context (the Model's prototype or a
// Session's), its core mask and its I/O: zero-copy with graceful
// degradation (rknn_io.cc), or the standard copy path.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/rknn/rknn_model.h"

namespace rkyolo::rknn {

enum class IoMode { kZeroCopy, kStandard };
enum class InputStrategy { kUint8, kInt8 };  // the NPU normalizes / the CPU quantizes

class RknnBackend final : public Backend {
 public:
  RknnBackend(std::shared_ptr<const SharedModel> shared, ContextOwner ctx, const Placement& placement,
              std::shared_ptr<const ContextOwner> source = nullptr)
      : shared_(std::move(shared)),
        source_(std::move(source)),
        ctx_(std::make_shared<ContextOwner>(std::move(ctx))),
        placement_(placement) {}

  // Core mask, then zero-copy with graceful degradation, or standard.
  Status configure();

  const BackendCaps& caps() const override { return caps_; }
  const ModelInfo& model_info() const override { return info_; }
  std::uint8_t* input_buffer() override { return mode_ == IoMode::kZeroCopy ? in_mem_.data() : host_input_.data(); }
  Status run() override;
  const std::vector<TensorView>& outputs() const override { return views_; }
  std::vector<Placement> placements() const override { return shared_->placements; }
  Status clone(const Placement& placement, std::unique_ptr<Backend>* out) const override;
  RuntimeInfo runtime_info() const override;
  std::vector<std::pair<std::string, std::string>> describe() const override;

 private:
  std::string io_sentence() const;
  Status run_error(const char* call, int rc) const;
  Status apply_core_mask();
  Status fall_back_to_standard(const Message& why);
  // rknn_io.cc
  bool setup_zero_copy(Message* why);
  void release_zero_copy();
  void setup_standard();

  std::shared_ptr<const SharedModel> shared_;
  // The context this one was duplicated from (rknn_dup_context shares its
  // weights): declared first, destroyed last.
  std::shared_ptr<const ContextOwner> source_;
  std::shared_ptr<ContextOwner> ctx_;  // declared before the memories: destroyed after them
  Placement placement_;
  IoMode mode_ = IoMode::kStandard;
  InputStrategy strategy_ = InputStrategy::kUint8;
  bool manual_sync_ = false;
  std::optional<Message> fallback_;
  MemOwner in_mem_;
  std::vector<MemOwner> out_mems_;
  std::vector<std::uint8_t> host_input_;
  std::vector<std::vector<std::uint8_t>> host_outputs_;
  std::unique_ptr<OutputsOwner> fetched_;
  BackendCaps caps_;
  ModelInfo info_;
  std::vector<TensorView> views_;
};

}  // namespace rkyolo::rknn

#include "backends/rknn/rknn_backend.h"

#include <algorithm>

#include "backends/rknn/rknn_context.h"
#include "backends/rknn/rknn_placement.h"

namespace rkyolo {

namespace rknn {
namespace {

bool is_rknn_path(const std::string& p) {
  if (p.size() < 5) return false;
  std::string ext = p.substr(p.size() - 5);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return ext == ".rknn";
}

int rknn_score(const BackendOptions& o, Message* reason) {
  if (!is_rknn_path(o.model_path)) {
    *reason = Message(MessageId::kRknnRunsRknnOnly);
    return 0;
  }
  std::shared_ptr<Runtime> rt;
  const Status s = Runtime::load(library_param(o), &rt);
  if (!s.ok()) {
    *reason = s.detail();
    return 0;
  }
  *reason = Message(MessageId::kRknnNpuRuntime, {{"library", rt->path()}});
  return 100;
}

}  // namespace
}  // namespace rknn

Status create_rknn_backend(const BackendOptions& options, std::unique_ptr<Backend>* out) {
  using namespace rknn;
  std::shared_ptr<SharedModel> s;
  ContextOwner first;
  RKYOLO_RETURN_IF_ERROR(load_model(options, &s, &first));
  RKYOLO_RETURN_IF_ERROR(plan_placements(s->runtime->fn(), first.get(), s->runtime->path(), s.get()));
  std::shared_ptr<const SharedModel> shared = s;
  auto backend = std::make_unique<RknnBackend>(shared, std::move(first), npu_placement(RKNN_NPU_CORE_AUTO));
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

#include "backends/rknn/rknn_model.h"

#include <cstdlib>
#include <cstring>

#include "backends/rknn/rknn_tensors.h"
#include "core/limits.h"
#include "core/onnx_reader.h"
#include "core/py_literal.h"
#include "rkyolo/log.h"

namespace rkyolo::rknn {

std::string library_param(const BackendOptions& o) {
  std::string lib = o.rknn.library;
  if (lib.empty()) {
    const char* env = std::getenv("RKYOLO_RKNN_LIB");
    if (env != nullptr) lib = env;
  }
  return lib;
}

Message init_failure(const SharedModel& s, int rc) {
  return Message(rc == RKNN_ERR_FAIL ? MessageId::kRknnInitFailedGeneric : MessageId::kRknnInitFailed,
                 {{"path", s.path},
                  {"cause", describe_error("rknn_init", rc)},
                  {"runtime", s.runtime->embedded_version()},
                  {"driver", Runtime::driver_version()}});
}

namespace {

// The file (never an ONNX model), the runtime, the context flags.
Status open_model(const BackendOptions& options, SharedModel* s) {
  s->options = options.rknn;
  for (int c = 0; c < 3; ++c)
    if (!(s->options.std[c] > 0))
      return invalid_argument(MessageId::kRknnStdNotPositive,
                              {{"value", std::to_string(s->options.std[c])}, {"channel", c}});
  s->path = options.model_path;
  RKYOLO_RETURN_IF_ERROR(core::read_file_bytes(s->path, &s->bytes));
  {
    core::OnnxModelInfo onnx;
    if (core::parse_onnx(s->bytes.data(), s->bytes.size(), s->path, &onnx).ok())
      return unsupported_model(MessageId::kRknnGotOnnx, {{"path", s->path}});
  }
  RKYOLO_RETURN_IF_ERROR(Runtime::load(library_param(options), &s->runtime));
  const Functions& fn = s->runtime->fn();
  // Manual cache maintenance only where there is memory to sync: zero-copy.
  if (s->options.cache == RknnCache::kManual && s->options.io != RknnIo::kStandard) {
    if (fn.mem_sync != nullptr)
      s->init_flags |= kFlushFlags;
    else
      log_message(LogLevel::kWarning, Message(MessageId::kRknnManualCacheIgnored, {{"library", s->runtime->path()}}));
  }
  return Status();
}

Status init_context(SharedModel* s, ContextOwner* out) {
  const Functions& fn = s->runtime->fn();
  rknn_context ctx = 0;
  int rc = fn.init(&ctx, s->bytes.data(), static_cast<uint32_t>(s->bytes.size()), s->init_flags, nullptr);
  if (rc != RKNN_SUCC) {
    Message msg = init_failure(*s, rc);
    if (rc == RKNN_ERR_DEVICE_UNAVAILABLE) return Status(StatusCode::kBackendUnavailable, std::move(msg));
    if (rc == RKNN_ERR_MODEL_INVALID || rc == RKNN_ERR_TARGET_PLATFORM_UNMATCH)
      return Status(StatusCode::kInvalidModel, std::move(msg));
    return Status(StatusCode::kBackendError, std::move(msg));
  }
  *out = ContextOwner(s->runtime, ctx);
  return Status();
}

// Versions, tensors (logical and native), the input's checks, metadata.
Status query_model(rknn_context ctx, SharedModel* s) {
  const Functions& fn = s->runtime->fn();
  int rc;
  auto query = [&](rknn_query_cmd cmd, void* info, uint32_t size) { return fn.query(ctx, cmd, info, size); };
  rknn_sdk_version ver{};
  if (query(RKNN_QUERY_SDK_VERSION, &ver, sizeof ver) == RKNN_SUCC) {
    s->api_version = ver.api_version;
    s->drv_version = ver.drv_version;
  }
  rknn_input_output_num io{};
  if ((rc = query(RKNN_QUERY_IN_OUT_NUM, &io, sizeof io)) != RKNN_SUCC)
    return backend_error(MessageId::kRknnModelCall,
                         {{"path", s->path}, {"cause", describe_error("rknn_query(IN_OUT_NUM)", rc)}});
  if (io.n_input != 1) return unsupported_model(MessageId::kRknnInputCount, {{"path", s->path}, {"count", io.n_input}});
  s->in_attr.index = 0;
  if ((rc = query(RKNN_QUERY_INPUT_ATTR, &s->in_attr, sizeof s->in_attr)) != RKNN_SUCC)
    return backend_error(MessageId::kRknnModelCall,
                         {{"path", s->path}, {"cause", describe_error("rknn_query(INPUT_ATTR)", rc)}});
  if (io.n_output == 0 || io.n_output > core::kMaxOutputs)
    return unsupported_model(MessageId::kRknnOutputCount,
                             {{"path", s->path}, {"count", io.n_output}, {"max", core::kMaxOutputs}});
  s->in_native.index = 0;
  s->have_native = query(RKNN_QUERY_NATIVE_INPUT_ATTR, &s->in_native, sizeof s->in_native) == RKNN_SUCC;
  for (uint32_t i = 0; i < io.n_output; ++i) {
    rknn_tensor_attr a{}, n{};
    a.index = n.index = i;
    if ((rc = query(RKNN_QUERY_OUTPUT_ATTR, &a, sizeof a)) != RKNN_SUCC)
      return backend_error(MessageId::kRknnModelCall,
                           {{"path", s->path}, {"cause", describe_error("rknn_query(OUTPUT_ATTR)", rc)}});
    if (s->have_native && query(RKNN_QUERY_NATIVE_OUTPUT_ATTR, &n, sizeof n) != RKNN_SUCC) s->have_native = false;
    s->out_attrs.push_back(a);
    s->out_native.push_back(n);
  }
  const rknn_tensor_attr& in = s->in_attr;
  if (in.n_dims != 4) return unsupported_model(MessageId::kRknnInputDims, {{"path", s->path}, {"dims", in.n_dims}});
  const bool nhwc = in.fmt == RKNN_TENSOR_NHWC;
  const std::uint32_t channels = nhwc ? in.dims[3] : in.dims[1];
  if (channels != 3)
    return unsupported_model(MessageId::kRknnInputChannels, {{"path", s->path}, {"channels", channels}});
  RKYOLO_RETURN_IF_ERROR(
      core::check_input_size(nhwc ? in.dims[2] : in.dims[3], nhwc ? in.dims[1] : in.dims[2], "'" + s->path + "'"));
  s->input_info = tensor_info(in, in);
  rknn_custom_string custom{};
  if (query(RKNN_QUERY_CUSTOM_STRING, &custom, sizeof custom) == RKNN_SUCC && custom.string[0] != '\0') {
    core::PyValue v;
    if (core::parse_py_literal(std::string(custom.string, strnlen(custom.string, sizeof custom.string)), &v).ok() &&
        v.kind == core::PyValue::Kind::kDict)
      for (const auto& [k, val] : v.entries)
        if (k.kind == core::PyValue::Kind::kString && val.kind == core::PyValue::Kind::kString)
          s->metadata[k.s] = val.s;
  }
  return Status();
}

}  // namespace

Status load_model(const BackendOptions& options, std::shared_ptr<SharedModel>* out, ContextOwner* first_context) {
  auto s = std::make_shared<SharedModel>();
  RKYOLO_RETURN_IF_ERROR(open_model(options, s.get()));
  RKYOLO_RETURN_IF_ERROR(init_context(s.get(), first_context));
  RKYOLO_RETURN_IF_ERROR(query_model(first_context->get(), s.get()));
  *out = std::move(s);
  return Status();
}

}  // namespace rkyolo::rknn

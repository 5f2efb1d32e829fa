// rkyolo: the one error type used by every layer (library, backends, CLI).
//
// A Status is a code plus a human-readable sentence. It costs one null pointer
// on success, never throws, and is [[nodiscard]] so errors cannot be dropped
// silently. Propagate with RKYOLO_RETURN_IF_ERROR.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace rkyolo {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,     // a caller passed a bad value (option, size, index)
  kNotFound,            // a file, symbol or entry does not exist
  kIoError,             // reading or writing a file failed
  kInvalidModel,        // the model file is corrupt, truncated or not a model
  kUnsupportedModel,    // a valid model whose layout rkyolo does not handle
  kInvalidImage,        // an input image is empty, corrupt or of a bad format
  kBackendUnavailable,  // the backend cannot run here (no runtime, no device)
  kBackendError,        // the backend runtime returned an error while running
  kOutOfMemory,         // an allocation failed
  kUnimplemented,       // a feature not provided by this build or backend
  kInternal,            // a broken invariant: a bug in rkyolo
};

// Stable lower-case name of a code, e.g. "invalid_model".
std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status ok_status() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // The sentence describing the error; empty on success.
  const std::string& message() const;

  // Returns a copy whose message is "<prefix>: <message>"; ok stays ok.
  Status with_context(std::string_view prefix) const;

  // Explicitly ignore an error (for best-effort cleanup paths).
  void ignore() const {}

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<State> state_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

// Convenience constructors.
inline Status invalid_argument(std::string msg) {
  return {StatusCode::kInvalidArgument, std::move(msg)};
}
inline Status not_found(std::string msg) {
  return {StatusCode::kNotFound, std::move(msg)};
}
inline Status io_error(std::string msg) {
  return {StatusCode::kIoError, std::move(msg)};
}
inline Status invalid_model(std::string msg) {
  return {StatusCode::kInvalidModel, std::move(msg)};
}
inline Status unsupported_model(std::string msg) {
  return {StatusCode::kUnsupportedModel, std::move(msg)};
}
inline Status invalid_image(std::string msg) {
  return {StatusCode::kInvalidImage, std::move(msg)};
}
inline Status backend_unavailable(std::string msg) {
  return {StatusCode::kBackendUnavailable, std::move(msg)};
}
inline Status backend_error(std::string msg) {
  return {StatusCode::kBackendError, std::move(msg)};
}
inline Status internal_error(std::string msg) {
  return {StatusCode::kInternal, std::move(msg)};
}

}  // namespace rkyolo

#define RKYOLO_STATUS_CONCAT_INNER_(a, b) a##b
#define RKYOLO_STATUS_CONCAT_(a, b) RKYOLO_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Status) once and returns it from the enclosing function
// if it is an error.
#define RKYOLO_RETURN_IF_ERROR(expr)                                                                                   \
  do {                                                                                                                 \
    ::rkyolo::Status RKYOLO_STATUS_CONCAT_(rkyolo_status_, __LINE__) = (expr);                                         \
    if (!RKYOLO_STATUS_CONCAT_(rkyolo_status_, __LINE__).ok()) return RKYOLO_STATUS_CONCAT_(rkyolo_status_, __LINE__); \
  } while (0)

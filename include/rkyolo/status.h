// rkyolo: the one error type used by every layer (library, backends, CLI).
//
// A Status is a code plus a Message (an id from the catalog in messages.def
// with named arguments; message() renders it in English). It costs one null
// pointer on success, never throws, and is [[nodiscard]] so errors cannot be
// dropped silently. Propagate with RKYOLO_RETURN_IF_ERROR.
//
// Inside the library (RKYOLO_LIBRARY_SOURCE) every error has an id: the
// constructors taking plain text exist only for applications, whose own
// catalogs translated the text already.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "rkyolo/message.h"

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
  Status(StatusCode code, Message message);
#ifndef RKYOLO_LIBRARY_SOURCE
  Status(StatusCode code, std::string text) : Status(code, Message::text(std::move(text))) {}
#endif

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status ok_status() {
    return Status();
  }

  bool ok() const {
    return state_ == nullptr;
  }
  StatusCode code() const {
    return state_ ? state_->code : StatusCode::kOk;
  }
  // The sentence describing the error, in English; empty on success.
  const std::string& message() const;
  // The error's identity and arguments; an empty kText message on success.
  const Message& detail() const;
  // The sentence in another language (see Message::render).
  std::string render(MessageTranslator translator) const;

  // Returns a copy whose message is "<context>: <message>" (id kContext, the
  // original message kept as its {cause}); ok stays ok.
  Status with_context(Message context) const;
#ifndef RKYOLO_LIBRARY_SOURCE
  Status with_context(std::string_view prefix) const {
    return with_context(Message::text(std::string(prefix)));
  }
#endif

  // Explicitly ignore an error (for best-effort cleanup paths).
  void ignore() const {}

 private:
  struct State {
    StatusCode code;
    Message detail;
    std::string english;
  };
  std::unique_ptr<State> state_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

// Convenience constructors: Status(code, Message(id, {{"name", value}, ...})).
inline Status invalid_argument(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kInvalidArgument, Message(id, std::move(args))};
}
inline Status not_found(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kNotFound, Message(id, std::move(args))};
}
inline Status io_error(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kIoError, Message(id, std::move(args))};
}
inline Status invalid_model(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kInvalidModel, Message(id, std::move(args))};
}
inline Status unsupported_model(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kUnsupportedModel, Message(id, std::move(args))};
}
inline Status invalid_image(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kInvalidImage, Message(id, std::move(args))};
}
inline Status backend_unavailable(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kBackendUnavailable, Message(id, std::move(args))};
}
inline Status backend_error(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kBackendError, Message(id, std::move(args))};
}
inline Status internal_error(MessageId id, std::vector<MessageArg> args = {}) {
  return {StatusCode::kInternal, Message(id, std::move(args))};
}
#ifndef RKYOLO_LIBRARY_SOURCE
// Plain text, for applications (see above).
inline Status invalid_argument(std::string text) {
  return {StatusCode::kInvalidArgument, std::move(text)};
}
inline Status not_found(std::string text) {
  return {StatusCode::kNotFound, std::move(text)};
}
inline Status io_error(std::string text) {
  return {StatusCode::kIoError, std::move(text)};
}
inline Status invalid_model(std::string text) {
  return {StatusCode::kInvalidModel, std::move(text)};
}
inline Status unsupported_model(std::string text) {
  return {StatusCode::kUnsupportedModel, std::move(text)};
}
inline Status invalid_image(std::string text) {
  return {StatusCode::kInvalidImage, std::move(text)};
}
inline Status backend_unavailable(std::string text) {
  return {StatusCode::kBackendUnavailable, std::move(text)};
}
inline Status backend_error(std::string text) {
  return {StatusCode::kBackendError, std::move(text)};
}
inline Status internal_error(std::string text) {
  return {StatusCode::kInternal, std::move(text)};
}
#endif

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

#include "rkyolo/status.h"

namespace rkyolo {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kInvalidModel: return "invalid_model";
    case StatusCode::kUnsupportedModel: return "unsupported_model";
    case StatusCode::kInvalidImage: return "invalid_image";
    case StatusCode::kBackendUnavailable: return "backend_unavailable";
    case StatusCode::kBackendError: return "backend_error";
    case StatusCode::kOutOfMemory: return "out_of_memory";
    case StatusCode::kUnimplemented: return "unimplemented";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

Status::Status(StatusCode code, Message message) {
  if (code == StatusCode::kOk) return;
  std::string english = message.render();
  state_ = std::make_unique<State>(State{code, std::move(message), std::move(english)});
}

Status::Status(const Status& other) : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->english : kEmpty;
}

const Message& Status::detail() const {
  static const Message kNone;
  return state_ ? state_->detail : kNone;
}

std::string Status::render(MessageTranslator translator) const {
  return state_ ? state_->detail.render(translator) : std::string();
}

Status Status::with_context(Message context) const {
  if (ok()) return Status();
  return Status(state_->code,
                Message(MessageId::kContext, {{"context", std::move(context)}, {"cause", state_->detail}}));
}

std::ostream& operator<<(std::ostream& os, const Status& status) {
  if (status.ok()) return os << "ok";
  return os << status_code_name(status.code()) << ": " << status.message();
}

}  // namespace rkyolo

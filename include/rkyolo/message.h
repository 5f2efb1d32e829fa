// rkyolo: messages with a stable identity.
//
// Every sentence the library shows a user (error or warning) is a Message: an
// id from the catalog in messages.def plus named arguments (paths, names,
// shapes, runtime codes, a nested Message for a cause). The English template
// lives in the catalog; an application translates by id (the CLI's Chinese
// catalog) and renders the same arguments, so rewording a sentence never
// breaks a translation silently and ids never carry dynamic text.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rkyolo {

enum class MessageId : int {
#define RKYOLO_MESSAGE(id, name, english) id,
#include "rkyolo/messages.def"
#undef RKYOLO_MESSAGE
};

struct MessageInfo {
  MessageId id;
  std::string_view name;     // stable dotted name, e.g. "onnx.not_valid"
  std::string_view english;  // template with {named} arguments
};

// The whole catalog, in declaration order.
const std::vector<MessageInfo>& message_catalog();
const MessageInfo& message_info(MessageId id);

class Message;

// One named argument: plain text, or a nested Message (a cause).
class MessageArg {
 public:
  MessageArg(std::string_view name, std::string value) : name_(name), text_(std::move(value)) {}
  MessageArg(std::string_view name, std::string_view value) : name_(name), text_(value) {}
  MessageArg(std::string_view name, const char* value) : name_(name), text_(value) {}
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) MessageArg(std::string_view name, T value)
      : name_(name), text_(std::to_string(value)) {}
  MessageArg(std::string_view name, Message value);

  std::string_view name() const { return name_; }
  const std::string& text() const { return text_; }
  const Message* nested() const { return nested_.get(); }

 private:
  std::string_view name_;  // a string literal at every call site
  std::string text_;
  std::shared_ptr<const Message> nested_;
};

// Looks up the template of an id in another language; nullptr keeps English.
using MessageTranslator = const char* (*)(MessageId id);

class Message {
 public:
  Message() = default;  // MessageId::kText with no text
  Message(MessageId id, std::vector<MessageArg> args = {}) : id_(id), args_(std::move(args)) {}
  // Text an application already rendered (its own translated frames).
  static Message text(std::string text);

  MessageId id() const { return id_; }
  const std::vector<MessageArg>& args() const { return args_; }
  // The argument's plain text, or nullptr if there is none of that name.
  const MessageArg* arg(std::string_view name) const;

  // English, or the translator's template (nested messages translated too).
  std::string render(MessageTranslator translator = nullptr) const;

 private:
  MessageId id_ = MessageId::kText;
  std::vector<MessageArg> args_;
};

// Renders `tmpl` with `args`: "{name}" becomes the argument's text; "{{" and
// "}}" are literal braces. Unknown names render as "{name}".
std::string render_template(std::string_view tmpl, const std::vector<MessageArg>& args, MessageTranslator translator);

// The {named} arguments a template uses, sorted and without duplicates.
std::vector<std::string> template_arguments(std::string_view tmpl);

}  // namespace rkyolo

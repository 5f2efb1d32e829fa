#include "rkyolo/message.h"

#include <algorithm>

namespace rkyolo {

namespace {

constexpr MessageInfo kCatalog[] = {
#define RKYOLO_MESSAGE(id, name, english) {MessageId::id, name, english},
#include "rkyolo/messages.def"
#undef RKYOLO_MESSAGE
};

}  // namespace

const std::vector<MessageInfo>& message_catalog() {
  static const std::vector<MessageInfo> all(std::begin(kCatalog), std::end(kCatalog));
  return all;
}

const MessageInfo& message_info(MessageId id) {
  const auto i = static_cast<std::size_t>(id);
  return i < std::size(kCatalog) ? kCatalog[i] : kCatalog[0];
}

MessageArg::MessageArg(std::string_view name, Message value)
    : name_(name), nested_(std::make_shared<const Message>(std::move(value))) {}

Message Message::text(std::string text) {
  return Message(MessageId::kText, {{"text", std::move(text)}});
}

const MessageArg* Message::arg(std::string_view name) const {
  for (const MessageArg& a : args_)
    if (a.name() == name) return &a;
  return nullptr;
}

std::string Message::render(MessageTranslator translator) const {
  const char* tmpl = translator != nullptr ? translator(id_) : nullptr;
  return render_template(tmpl != nullptr ? std::string_view(tmpl) : message_info(id_).english, args_, translator);
}

std::string render_template(std::string_view tmpl, const std::vector<MessageArg>& args, MessageTranslator translator) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    const std::size_t close = c == '{' ? tmpl.find('}', i + 1) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += c;
      continue;
    }
    const std::string_view name = tmpl.substr(i + 1, close - i - 1);
    const auto it = std::find_if(args.begin(), args.end(), [&](const MessageArg& a) { return a.name() == name; });
    if (it == args.end())
      out.append(tmpl.substr(i, close - i + 1));
    else if (it->nested() != nullptr)
      out += it->nested()->render(translator);
    else
      out += it->text();
    i = close;
  }
  return out;
}

std::vector<std::string> template_arguments(std::string_view tmpl) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') continue;
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      ++i;
      continue;
    }
    const std::size_t close = tmpl.find('}', i + 1);
    if (close == std::string_view::npos) break;
    names.emplace_back(tmpl.substr(i + 1, close - i - 1));
    i = close;
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace rkyolo

// Backend registry with usability scores (0 = unusable here).
#include <algorithm>
#include <mutex>
#include <optional>

#include "rkyolo/backend.h"

namespace rkyolo {

namespace {
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::vector<BackendFactory>& registry() {
  static std::vector<BackendFactory> r;
  return r;
}
}  // namespace

void register_backend(const BackendFactory& factory) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto& r = registry();
  auto it = std::find_if(r.begin(), r.end(), [&](const BackendFactory& f) { return f.name == factory.name; });
  if (it != r.end())
    *it = factory;
  else
    r.push_back(factory);
}

std::vector<BackendFactory> registered_backends() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  return registry();
}

Status create_backend(std::string_view name, const BackendOptions& options, std::unique_ptr<Backend>* out,
                      std::string* choice) {
  const std::vector<BackendFactory> all = registered_backends();
  if (all.empty()) return backend_unavailable(MessageId::kRegistryEmpty);
  std::string names;
  for (const auto& f : all) names += (names.empty() ? "" : ", ") + f.name;
  if (name != "auto") {
    auto it = std::find_if(all.begin(), all.end(), [&](const BackendFactory& f) { return f.name == name; });
    if (it == all.end())
      return invalid_argument(MessageId::kRegistryUnknownBackend, {{"name", name}, {"available", names}});
    if (choice) *choice = "backend '" + it->name + "' (requested)";
    return it->create(options, out);
  }
  // auto: best usable score; the reasons of every candidate are kept for the message.
  const BackendFactory* best = nullptr;
  int best_score = 0;
  std::optional<Message> reasons;  // "name: reason; name: reason"
  for (const auto& f : all) {
    Message why;
    const int score = f.score ? f.score(options, &why) : 0;
    if (why.id() == MessageId::kText && why.args().empty()) why = Message(MessageId::kBackendScore, {{"score", score}});
    Message item(MessageId::kBackendReason, {{"backend", f.name}, {"reason", std::move(why)}});
    reasons = reasons ? Message(MessageId::kJoinSemicolon, {{"first", std::move(*reasons)}, {"rest", std::move(item)}})
                      : std::move(item);
    if (score > best_score) {
      best_score = score;
      best = &f;
    }
  }
  if (best == nullptr)
    return backend_unavailable(MessageId::kRegistryNoUsableBackend,
                               {{"path", options.model_path}, {"reasons", *reasons}});
  if (choice) *choice = "backend '" + best->name + "' chosen automatically (" + reasons->render() + ")";
  return best->create(options, out);
}

}  // namespace rkyolo

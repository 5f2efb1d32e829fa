// libFuzzer harness: the dataset YAML parser on arbitrary bytes. Every input
// must give a tree or one error; never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rkyolo/dataset_yaml.h"

namespace {

// Touches every node, as the dataset reader would.
std::size_t visit(const rkyolo::cli::YamlNode& node) {
  std::size_t n = node.scalar.size() + (node.is_null() ? 1 : 0);
  for (const auto& [key, value] : node.entries) n += key.size() + visit(value);
  for (const auto& item : node.items) n += visit(item);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rkyolo::cli::YamlNode root;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (rkyolo::cli::parse_yaml(text, "fuzz.yaml", &root).ok()) {
    volatile std::size_t sink = visit(root);
    (void)sink;
    (void)root.find("names");
  }
  return 0;
}

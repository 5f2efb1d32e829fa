// libFuzzer harness: YOLO layout detection on arbitrary output shapes,
// input sizes, metadata and hints. The input is text, one item a line:
//   input W H
//   out NAME D0 D1 ...          an output tensor (any rank, any values)
//   meta KEY VALUE              a metadata_props entry
//   nc N                        the expected class count (a labels file)
//   anchors K                   one anchor level of K anchors
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rkyolo/layout.h"

namespace {

std::int64_t number(const std::string& token) {
  return std::strtoll(token.c_str(), nullptr, 10);
}

int small(const std::string& token) {
  const std::int64_t v = number(token);
  return v < -1000000000 ? -1000000000 : v > 1000000000 ? 1000000000 : static_cast<int>(v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  int width = 640, height = 640;
  std::vector<rkyolo::TensorInfo> outputs;
  std::map<std::string, std::string> metadata;
  rkyolo::LayoutHints hints;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind, a, b;
    words >> kind;
    if (kind == "input" && words >> a >> b) {
      width = small(a);
      height = small(b);
    } else if (kind == "out" && words >> a) {
      rkyolo::TensorInfo t;
      t.name = a;
      while (words >> b) t.dims.push_back(number(b));
      outputs.push_back(std::move(t));
    } else if (kind == "meta" && words >> a) {
      std::getline(words >> std::ws, b);
      metadata[a] = b;
    } else if (kind == "nc" && words >> a) {
      hints.num_classes = small(a);
    } else if (kind == "anchors" && words >> a) {
      const int k = small(a);
      hints.anchors.emplace_back(k > 0 && k < 100 ? k : 0, std::array<float, 2>{10, 13});
    }
  }
  rkyolo::YoloLayout layout;
  rkyolo::detect_layout(outputs, width, height, metadata, hints, &layout).ignore();
  return 0;
}

// libFuzzer harness: ONNX metadata_props as rkyolo reads them (Python reprs
// and JSON). The input is key NUL value [NUL key NUL value ...]; without a
// NUL, the first byte picks a known key and the rest is its value.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const kKeys[] = {"names", "stride", "imgsz", "task", "end2end", "nc", "anchors"};
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> props;
  if (text.find('\0') == std::string_view::npos) {
    if (text.empty()) return 0;
    props[kKeys[static_cast<unsigned char>(text[0]) % 7]] = std::string(text.substr(1));
  } else {
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t k_end = std::min(text.find('\0', pos), text.size());
      const std::size_t v_begin = std::min(k_end + 1, text.size());
      const std::size_t v_end = std::min(text.find('\0', v_begin), text.size());
      props[std::string(text.substr(pos, k_end - pos))] = std::string(text.substr(v_begin, v_end - v_begin));
      pos = v_end + 1;
    }
  }
  rkyolo::core::ModelMetadata meta;
  rkyolo::core::parse_model_metadata(props, &meta).ignore();
  return 0;
}

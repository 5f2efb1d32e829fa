// libFuzzer harness: YOLO txt label parsing on arbitrary bytes. Kept labels
// are always finite, inside the image and of a known class.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rkyolo/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int num_classes = 1 + data[0] % 100;  // the first byte picks the class count
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  rkyolo::cli::LabelFile labels;
  rkyolo::cli::parse_label_text(text, "fuzz.txt", num_classes, &labels);
  for (const auto& l : labels.labels) {
    const bool ok = l.class_id >= 0 && l.class_id < num_classes && std::isfinite(l.cx) && std::isfinite(l.cy) &&
                    l.w > 0 && l.h > 0 && l.cx >= 0 && l.cx <= 1 && l.cy >= 0 && l.cy <= 1 && l.w <= 1 && l.h <= 1;
    if (!ok) std::abort();
  }
  return 0;
}

// libFuzzer harness: what rkyolo reads from image bytes itself, before any
// decoder: the format sniffing, the truncation checks and the header sizes
// (JPEG markers and EXIF, PNG IHDR, BMP). Sizes are always positive.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rkyolo/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  rkyolo::cli::ImageFormat format = rkyolo::cli::ImageFormat::kUnknown;
  const bool passes = rkyolo::cli::check_image_bytes(bytes, &format).ok();
  if (passes && format == rkyolo::cli::ImageFormat::kUnknown) std::abort();
  (void)rkyolo::cli::format_name(rkyolo::cli::sniff_format(bytes));
  int width = 0, height = 0;
  if (rkyolo::cli::header_image_size(bytes, &width, &height) && (width <= 0 || height <= 0)) std::abort();
  return 0;
}

// rkyolo CLI: finding input images and reading them with precise errors.
#pragma once

#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo::cli {

enum class ImageFormat { kUnknown, kJpeg, kPng, kBmp, kWebp, kTiff, kPnm, kGif };
const char* format_name(ImageFormat f);
ImageFormat sniff_format(const std::vector<unsigned char>& bytes);
bool has_image_extension(const std::string& path);

// Reads and decodes an image to 8-bit BGR. Errors name the cause: missing,
// empty, not an image, truncated, corrupt (the caller adds the file name).
Status load_image(const std::string& path, cv::Mat* bgr);

struct SourceItem {
  std::string path;   // an image file to process
  std::string error;  // non-empty: this source failed before decoding
};

// Expands files, directories (images inside, sorted, not recursive) and
// globs, in the order given. Sources that yield nothing become error items.
std::vector<SourceItem> collect_sources(const std::vector<std::string>& sources);

}  // namespace rkyolo::cli

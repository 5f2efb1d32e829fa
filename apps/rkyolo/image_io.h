// rkyolo CLI: finding input images and reading them (and every other input
// file) with precise errors.
#pragma once

#include <cstddef>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo::cli {

// Input files larger than these are refused before anything is allocated: a
// 100-megapixel photo is far below the image limit, any dataset or results
// file below the text one.
constexpr std::size_t kMaxImageFileBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxTextFileBytes = std::size_t{1} << 30;

// Reads the regular file `path` whole. A FIFO, device, socket or directory is
// refused without reading (so nothing blocks), and so is a file larger than
// `max_bytes`. Messages give the cause only (the caller names the file):
// kNotFound when it does not exist.
Status read_input_file(const std::string& path, std::size_t max_bytes, std::string* out);
// The same, but only the first `max_bytes` of a larger file.
Status read_input_head(const std::string& path, std::size_t max_bytes, std::string* out);

enum class ImageFormat { kUnknown, kJpeg, kPng, kBmp, kWebp, kTiff, kPnm, kGif };
const char* format_name(ImageFormat f);
ImageFormat sniff_format(std::string_view bytes);
bool has_image_extension(const std::string& path);

// The checks made before decoding: empty, not an image (by content), a
// format the decoder does not take, truncated. Sets *format when it passes.
Status check_image_bytes(std::string_view bytes, ImageFormat* format);

// Width and height from a JPEG (with its EXIF orientation), PNG or BMP
// header; false when `head` (the start of a file) does not give them.
bool header_image_size(std::string_view head, int* width, int* height);

// Reads and decodes an image to 8-bit BGR. Errors name the cause: missing,
// not a regular file, too large, empty, not an image, truncated, corrupt (the
// caller adds the file name).
Status load_image(const std::string& path, cv::Mat* bgr);

struct SourceItem {
  std::string path;   // an image file to process
  std::string error;  // non-empty: this source failed before decoding
};

// Expands files, directories (images inside, sorted, not recursive) and
// globs, in the order given. Sources that yield nothing become error items.
std::vector<SourceItem> collect_sources(const std::vector<std::string>& sources);

}  // namespace rkyolo::cli

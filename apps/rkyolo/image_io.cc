#include "rkyolo/image_io.h"

#include <glob.h>
#include <sys/stat.h>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/onnx_reader.h"
#include "rkyolo/i18n.h"

namespace rkyolo::cli {

namespace fs = std::filesystem;

const char* format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kWebp: return "WebP";
    case ImageFormat::kTiff: return "TIFF";
    case ImageFormat::kPnm: return "PNM";
    case ImageFormat::kGif: return "GIF";
    case ImageFormat::kUnknown: return "unknown";
  }
  return "unknown";
}

ImageFormat sniff_format(const std::vector<unsigned char>& b) {
  auto starts = [&](const char* sig, std::size_t n) { return b.size() >= n && std::memcmp(b.data(), sig, n) == 0; };
  if (starts("\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (starts("\x89PNG\r\n\x1A\n", 8)) return ImageFormat::kPng;
  if (starts("BM", 2) && b.size() >= 14) return ImageFormat::kBmp;
  if (b.size() >= 12 && std::memcmp(b.data(), "RIFF", 4) == 0 && std::memcmp(b.data() + 8, "WEBP", 4) == 0)
    return ImageFormat::kWebp;
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return ImageFormat::kTiff;
  if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return ImageFormat::kPnm;
  if (starts("GIF8", 4)) return ImageFormat::kGif;
  return ImageFormat::kUnknown;
}

bool has_image_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* kExts[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pnm", ".ppm", ".pgm"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

namespace {

// A complete file ends with its format's end marker (trailing zero padding
// written by some cameras is tolerated).
bool looks_truncated(ImageFormat f, const std::vector<unsigned char>& b) {
  std::size_t end = b.size();
  while (end > 0 && b[end - 1] == 0) --end;
  switch (f) {
    case ImageFormat::kJpeg: {
      // Walk the marker segments (an EXIF thumbnail's own EOI sits inside
      // APP1 and is skipped) to the start of scan, then look for the EOI of
      // the main image after it. Data appended after EOI is fine.
      std::size_t p = 2;
      while (p + 4 <= b.size()) {
        if (b[p] != 0xFF) return false;  // malformed: let the decoder judge
        const unsigned char marker = b[p + 1];
        if (marker == 0xFF) {
          ++p;
          continue;
        }
        if (marker == 0xDA) {
          for (std::size_t i = p + 2; i + 1 < end; ++i)
            if (b[i] == 0xFF && b[i + 1] == 0xD9) return false;
          return true;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
          p += 2;
          continue;
        }
        p += 2 + ((static_cast<std::size_t>(b[p + 2]) << 8) | b[p + 3]);
      }
      return true;  // the file ends before the image data
    }
    case ImageFormat::kPng: {
      if (b.size() < 20) return true;
      const std::size_t from = b.size() >= 64 ? b.size() - 64 : 0;
      for (std::size_t i = from; i + 4 <= b.size(); ++i)
        if (std::memcmp(&b[i], "IEND", 4) == 0) return false;
      return true;
    }
    case ImageFormat::kBmp: {
      const std::uint32_t declared = b[2] | (b[3] << 8) | (b[4] << 16) | (static_cast<std::uint32_t>(b[5]) << 24);
      return declared > b.size();
    }
    default: return false;
  }
}

}  // namespace

Status load_image(const std::string& path, cv::Mat* bgr) {
  std::vector<std::uint8_t> bytes;
  Status s = core::read_file_bytes(path, &bytes);
  if (!s.ok()) {
    if (s.code() == StatusCode::kInvalidModel) return invalid_image(tr(Msg::kImageEmpty));  // "is empty"
    if (s.code() == StatusCode::kNotFound) return not_found(trf(Msg::kSourceNotFound, path));
    return s;
  }
  std::vector<unsigned char> data(bytes.begin(), bytes.end());
  const ImageFormat f = sniff_format(data);
  if (f == ImageFormat::kUnknown || f == ImageFormat::kGif) return invalid_image(tr(Msg::kImageNotImage));
  if (looks_truncated(f, data)) return invalid_image(trf(Msg::kImageTruncated, format_name(f)));
  cv::Mat img;
  try {
    img = cv::imdecode(data, cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
    img.release();
  }
  if (img.empty() || img.cols <= 0 || img.rows <= 0) return invalid_image(trf(Msg::kImageCorrupt, format_name(f)));
  if (img.type() != CV_8UC3) return invalid_image(trf(Msg::kImageCorrupt, format_name(f)));
  *bgr = img;
  return Status();
}

std::vector<SourceItem> collect_sources(const std::vector<std::string>& sources) {
  std::vector<SourceItem> items;
  for (const std::string& src : sources) {
    std::error_code ec;
    const bool is_glob = src.find_first_of("*?[") != std::string::npos;
    if (fs::is_directory(src, ec)) {
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(src, ec))
        if (entry.is_regular_file(ec) && has_image_extension(entry.path().string())) files.push_back(entry.path().string());
      std::sort(files.begin(), files.end());
      if (files.empty()) items.push_back({src, trf(Msg::kNoSources, "'" + src + "'")});
      for (auto& f : files) items.push_back({f, ""});
    } else if (fs::exists(src, ec)) {
      items.push_back({src, ""});
    } else if (is_glob) {
      glob_t g{};
      std::vector<std::string> files;
      if (::glob(src.c_str(), 0, nullptr, &g) == 0)
        for (std::size_t i = 0; i < g.gl_pathc; ++i)
          if (fs::is_regular_file(g.gl_pathv[i], ec) && has_image_extension(g.gl_pathv[i])) files.emplace_back(g.gl_pathv[i]);
      globfree(&g);
      std::sort(files.begin(), files.end());
      if (files.empty()) items.push_back({src, trf(Msg::kNoSources, "'" + src + "'")});
      for (auto& f : files) items.push_back({f, ""});
    } else {
      items.push_back({src, trf(Msg::kSourceNotFound, src)});
    }
  }
  return items;
}

}  // namespace rkyolo::cli

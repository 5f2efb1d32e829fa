#include "rkyolo/image_io.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <new>
#include <opencv2/imgcodecs.hpp>

#include "rkyolo/i18n.h"

namespace rkyolo::cli {

namespace fs = std::filesystem;

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  return "device";
}

// Whether `mode` is a regular file; otherwise the reason why not.
Status require_regular(mode_t mode) {
  if (S_ISREG(mode)) return Status();
  if (S_ISDIR(mode)) return invalid_argument(tr(Msg::kIsADirectory));
  return invalid_argument(trf(Msg::kNotRegularFile, kind_of(mode)));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads up to `max_bytes` of `path` (all of it when `whole`, or an error if
// it is larger). stat() first, so a FIFO or device is never opened; the open
// is non-blocking and checked again with fstat(), in case the file was
// swapped in between.
Status read_regular_file(const std::string& path, std::size_t max_bytes, bool whole, std::string* out) {
  out->clear();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return not_found(std::strerror(errno));
    return io_error(std::strerror(errno));
  }
  RKYOLO_RETURN_IF_ERROR(require_regular(st.st_mode));
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return io_error(std::strerror(errno));
  if (::fstat(fd.get(), &st) != 0) return io_error(std::strerror(errno));
  RKYOLO_RETURN_IF_ERROR(require_regular(st.st_mode));
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (whole && size > max_bytes)
    return invalid_argument(trf(Msg::kFileTooLarge, std::to_string(size), std::to_string(max_bytes >> 20)));
  out->resize(static_cast<std::size_t>(std::min<std::uint64_t>(size, max_bytes)));
  std::size_t done = 0;
  while (done < out->size()) {
    const ssize_t n = ::read(fd.get(), out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(std::strerror(errno));
    if (n == 0) break;  // the file shrank meanwhile
    done += static_cast<std::size_t>(n);
  }
  out->resize(done);
  return Status();
}

}  // namespace

Status read_input_file(const std::string& path, std::size_t max_bytes, std::string* out) {
  return read_regular_file(path, max_bytes, true, out);
}

Status read_input_head(const std::string& path, std::size_t max_bytes, std::string* out) {
  return read_regular_file(path, max_bytes, false, out);
}

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

ImageFormat sniff_format(std::string_view b) {
  auto starts = [&](const char* sig, std::size_t n) { return b.substr(0, n) == std::string_view(sig, n); };
  if (starts("\xFF\xD8\xFF", 3)) return ImageFormat::kJpeg;
  if (starts("\x89PNG\r\n\x1A\n", 8)) return ImageFormat::kPng;
  if (starts("BM", 2) && b.size() >= 14) return ImageFormat::kBmp;
  if (b.size() >= 12 && starts("RIFF", 4) && b.substr(8, 4) == "WEBP") return ImageFormat::kWebp;
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return ImageFormat::kTiff;
  if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return ImageFormat::kPnm;
  if (starts("GIF8", 4)) return ImageFormat::kGif;
  return ImageFormat::kUnknown;
}

bool has_image_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* kExts[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pnm", ".ppm", ".pgm"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

namespace {

// Bytes as numbers: big- and little-endian fields.
std::uint32_t byte(std::string_view b, std::size_t i) {
  return static_cast<unsigned char>(b[i]);
}
std::uint32_t be16(std::string_view b, std::size_t i) {
  return (byte(b, i) << 8) | byte(b, i + 1);
}
std::uint32_t be32(std::string_view b, std::size_t i) {
  return (be16(b, i) << 16) | be16(b, i + 2);
}
std::uint32_t le16(std::string_view b, std::size_t i) {
  return byte(b, i) | (byte(b, i + 1) << 8);
}
std::uint32_t le32(std::string_view b, std::size_t i) {
  return le16(b, i) | (le16(b, i + 2) << 16);
}

// Walks a JPEG's marker segments after SOI, skipping fill bytes and
// stand-alone markers (TEM, RSTn). visit(marker, p, length) sees every
// segment that has a length field (p: the position of its 0xFF; length as
// stored, >= 2, possibly running past the end) and returns true to stop.
enum class JpegWalk { kStopped, kEnded, kMalformed };
template <typename Visit>
JpegWalk walk_jpeg_segments(std::string_view b, Visit&& visit) {
  std::size_t p = 2;
  while (p + 4 <= b.size()) {
    if (byte(b, p) != 0xFF) return JpegWalk::kMalformed;
    const std::uint32_t marker = byte(b, p + 1);
    if (marker == 0xFF) {
      ++p;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      p += 2;
      continue;
    }
    const std::size_t len = be16(b, p + 2);
    if (len < 2) return JpegWalk::kMalformed;
    if (visit(marker, p, len)) return JpegWalk::kStopped;
    p += 2 + len;
  }
  return JpegWalk::kEnded;
}

// A complete file ends with its format's end marker (trailing zero padding
// written by some cameras is tolerated).
bool looks_truncated(ImageFormat f, std::string_view b) {
  std::size_t end = b.size();
  while (end > 0 && b[end - 1] == 0) --end;
  switch (f) {
    case ImageFormat::kJpeg: {
      // The main image's EOI must follow its start of scan (an EXIF
      // thumbnail's own EOI sits inside APP1, which the walk skips). Data
      // appended after EOI is fine.
      std::size_t sos = 0;
      const JpegWalk walk = walk_jpeg_segments(b, [&](std::uint32_t marker, std::size_t p, std::size_t) {
        sos = p;
        return marker == 0xDA;
      });
      if (walk == JpegWalk::kMalformed) return false;  // let the decoder judge
      if (walk == JpegWalk::kEnded) return true;       // the file ends before the image data
      return b.substr(sos + 2, end - std::min(end, sos + 2)).find("\xFF\xD9") == std::string_view::npos;
    }
    case ImageFormat::kPng: {
      if (b.size() < 20) return true;
      return b.substr(b.size() >= 64 ? b.size() - 64 : 0).find("IEND") == std::string_view::npos;
    }
    case ImageFormat::kBmp: return le32(b, 2) > b.size();
    default: return false;
  }
}

// EXIF orientation (1..8) from an APP1 segment's payload, 0 if absent.
int exif_orientation(std::string_view p) {
  if (p.size() < 14 || p.substr(0, 6) != std::string_view("Exif\0\0", 6)) return 0;
  const std::string_view tiff = p.substr(6);
  const bool little = tiff.substr(0, 2) == "II";
  if (!little && tiff.substr(0, 2) != "MM") return 0;
  auto u16 = [&](std::size_t off) { return little ? le16(tiff, off) : be16(tiff, off); };
  auto u32 = [&](std::size_t off) { return little ? le32(tiff, off) : be32(tiff, off); };
  const std::size_t ifd = u32(4);
  if (ifd > tiff.size() || tiff.size() - ifd < 2) return 0;
  const std::size_t count = u16(ifd);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t e = ifd + 2 + i * 12;
    if (e + 12 > tiff.size()) return 0;
    if (u16(e) == 0x0112) return static_cast<int>(u16(e + 8));
  }
  return 0;
}

bool jpeg_size(std::string_view b, int* w, int* h) {
  int orientation = 0;
  bool found = false;
  walk_jpeg_segments(b, [&](std::uint32_t m, std::size_t p, std::size_t len) {
    if (p + 2 + len > b.size()) return true;  // a truncated segment: no size
    if (m == 0xE1 && orientation == 0) orientation = exif_orientation(b.substr(p + 4, len - 2));
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof && len >= 7) {
      *h = static_cast<int>(be16(b, p + 5));
      *w = static_cast<int>(be16(b, p + 7));
      found = true;
    }
    return sof || m == 0xDA;  // the frame header comes before the scan
  });
  if (!found) return false;
  if (orientation >= 5 && orientation <= 8) std::swap(*w, *h);
  return *w > 0 && *h > 0;
}

// A header dimension as an int: positive and representable, else false
// (BMP stores heights signed, and -2^31 has no positive counterpart).
bool positive_dimension(std::int64_t v, int* out) {
  if (v <= 0 || v > std::numeric_limits<int>::max()) return false;
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

Status check_image_bytes(std::string_view bytes, ImageFormat* format) {
  if (bytes.empty()) return invalid_image(tr(Msg::kImageEmpty));
  const ImageFormat f = sniff_format(bytes);
  if (f == ImageFormat::kUnknown || f == ImageFormat::kGif) return invalid_image(tr(Msg::kImageNotImage));
  if (looks_truncated(f, bytes)) return invalid_image(trf(Msg::kImageTruncated, format_name(f)));
  *format = f;
  return Status();
}

bool header_image_size(std::string_view b, int* width, int* height) {
  const ImageFormat f = sniff_format(b);
  if (f == ImageFormat::kJpeg) return jpeg_size(b, width, height);
  if (f == ImageFormat::kPng && b.size() >= 24 && b.substr(12, 4) == "IHDR")
    return positive_dimension(be32(b, 16), width) && positive_dimension(be32(b, 20), height);
  if (f == ImageFormat::kBmp && b.size() >= 26) {
    const std::int64_t h = static_cast<std::int32_t>(le32(b, 22));  // negative: rows stored top-down
    return positive_dimension(static_cast<std::int32_t>(le32(b, 18)), width) &&
           positive_dimension(h < 0 ? -h : h, height);
  }
  return false;
}

Status load_image(const std::string& path, cv::Mat* bgr) {
  std::string bytes;
  Status s = read_input_file(path, kMaxImageFileBytes, &bytes);
  if (s.code() == StatusCode::kNotFound) return not_found(trf(Msg::kSourceNotFound, path));
  ImageFormat f = ImageFormat::kUnknown;
  if (s.ok()) s = check_image_bytes(bytes, &f);
  if (!s.ok()) return invalid_image(localized(s));
  cv::Mat img;
  try {
    img = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    if (e.code == cv::Error::StsNoMem) throw std::bad_alloc();  // the machine, not the file
    img.release();
  }
  if (img.empty() || img.cols <= 0 || img.rows <= 0) {
    // OpenCV's decoders also fail this way when the pixels do not fit in
    // memory: then say so, with the size the header declares.
    int width = 0, height = 0;
    if (header_image_size(bytes, &width, &height) && width > 0 && height > 0) {
      const std::int64_t megabytes = (std::int64_t{width} * height * 3 + (1 << 20) - 1) >> 20;
      return invalid_image(trf(Msg::kImageCorruptOrTooLarge, format_name(f), std::to_string(width),
                               std::to_string(height), std::to_string(megabytes)));
    }
    return invalid_image(trf(Msg::kImageCorrupt, format_name(f)));
  }
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
        if (entry.is_regular_file(ec) && has_image_extension(entry.path().string()))
          files.push_back(entry.path().string());
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
          if (fs::is_regular_file(g.gl_pathv[i], ec) && has_image_extension(g.gl_pathv[i]))
            files.emplace_back(g.gl_pathv[i]);
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

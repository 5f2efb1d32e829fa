#include "rkyolo/output_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "rkyolo/i18n.h"

namespace rkyolo::cli {

namespace fs = std::filesystem;

double round_to(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

namespace {

Status write_stream(const std::string& name, const std::string& target, const std::string& text, bool trunc) {
  errno = 0;
  std::ofstream out(target, std::ios::binary | (trunc ? std::ios::trunc : std::ios::out));
  if (!out) return io_error(trf(Msg::kWriteFailed, name, std::strerror(errno != 0 ? errno : EIO)));
  out << text;
  out.flush();
  if (!out) return io_error(trf(Msg::kWriteFailed, name, std::strerror(errno != 0 ? errno : EIO)));
  out.close();
  if (!out) return io_error(trf(Msg::kWriteFailed, name, std::strerror(errno != 0 ? errno : EIO)));
  return Status();
}

// Whether `st` is the file standard output writes to (--json /dev/stdout,
// or the file the shell redirected it to): then it is written through
// standard output, at its position, never reopened from the start.
bool is_standard_output(const struct stat& st) {
  struct stat out {};
  return ::fstat(STDOUT_FILENO, &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino;
}

Status write_standard_output(const std::string& name, const std::string& text) {
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
    return io_error(trf(Msg::kWriteFailed, name, std::strerror(errno != 0 ? errno : EIO)));
  return Status();
}

// Where a link chain ends (the target may not exist yet).
fs::path resolve_links(const std::string& path) {
  std::error_code ec;
  fs::path target = path;
  for (int hops = 0; hops < 40 && fs::is_symlink(target, ec); ++hops) {
    const fs::path link = fs::read_symlink(target, ec);
    if (ec) break;
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  return target;
}

}  // namespace

Status write_text_atomically(const std::string& path, const std::string& text) {
  if (path == kStandardOutput) return write_standard_output(path, text);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {  // through links
    if (S_ISDIR(st.st_mode)) return io_error(trf(Msg::kWriteFailed, path, std::strerror(EISDIR)));
    if (is_standard_output(st)) return write_standard_output(path, text);
    // Devices, pipes and the like (/dev/null) are written in place: renaming
    // over them would replace them with a regular file.
    if (!S_ISREG(st.st_mode)) return write_stream(path, path, text, false);
  }
  // Through links, to the file they name (never replace the link itself).
  const fs::path target = resolve_links(path);
  const std::string tmp = target.string() + ".tmp";
  Status s = write_stream(path, tmp, text, true);
  std::error_code ec;
  if (!s.ok()) {
    fs::remove(tmp, ec);
    return s;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code rm;
    fs::remove(tmp, rm);
    return io_error(trf(Msg::kWriteFailed, path, ec.message()));
  }
  return Status();
}

Status write_image(const std::string& path, const cv::Mat& image, const std::vector<int>& params) {
  std::string ext = fs::path(path).extension().string();
  std::vector<unsigned char> encoded;
  bool ok = false;
  try {
    ok = cv::imencode(ext.empty() ? ".png" : ext, image, encoded, params);
  } catch (const cv::Exception&) {
    ok = false;
  }
  if (!ok) return io_error(trf(Msg::kWriteFailed, path, "the image encoder failed"));
  return write_text_atomically(path, std::string(encoded.begin(), encoded.end()));
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  const fs::path ca = fs::weakly_canonical(a, ec);
  if (ec) return a == b;
  const fs::path cb = fs::weakly_canonical(b, ec);
  if (ec) return a == b;
  return ca == cb;
}

namespace {

// Whether files can be created in `dir`: a probe file is created and removed,
// so a read-only or full folder is found before the work, with its cause.
Status check_writable_folder(const std::string& dir) {
  const std::string probe = (fs::path(dir) / (".rkyolo-probe-" + std::to_string(::getpid()))).string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(trf(Msg::kNotWritable, dir, std::strerror(errno)));
  ::close(fd);
  ::unlink(probe.c_str());
  return Status();
}

}  // namespace

Status check_output_file(const std::string& path) {
  if (path == kStandardOutput) return Status();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return invalid_argument(trf(Msg::kWriteFailed, path, tr(Msg::kIsADirectory)));
    if (!S_ISREG(st.st_mode)) return Status();  // a device or pipe, written in place
  }
  fs::path parent = resolve_links(path).parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    return invalid_argument(trf(Msg::kWriteFailed, path, trf(Msg::kFolderMissing, parent.string())));
  return check_writable_folder(parent.string());
}

Status ensure_directory(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) return invalid_argument(trf(Msg::kNotADirectory, dir));
  fs::create_directories(dir, ec);
  if (ec) return io_error(trf(Msg::kWriteFailed, dir, ec.message()));
  return check_writable_folder(dir);
}

}  // namespace rkyolo::cli

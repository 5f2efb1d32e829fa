#include "rkyolo/output_util.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

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
  std::ofstream out(target, std::ios::binary | (trunc ? std::ios::trunc : std::ios::out));
  if (!out) return io_error(trf(Msg::kWriteFailed, name, std::strerror(errno)));
  out << text;
  out.flush();
  if (!out) return io_error(trf(Msg::kWriteFailed, name, std::strerror(errno)));
  return Status();
}

}  // namespace

Status write_text_atomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  // Through links, to the file they name (never replace the link itself).
  fs::path target = path;
  for (int hops = 0; hops < 40 && fs::is_symlink(target, ec); ++hops) {  // the target may not exist yet
    const fs::path link = fs::read_symlink(target, ec);
    if (ec) break;
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  const fs::file_status st = fs::status(target, ec);
  if (fs::exists(st) && fs::is_directory(st)) return io_error(trf(Msg::kWriteFailed, path, std::strerror(EISDIR)));
  // Devices, pipes and the like (/dev/stdout, /dev/null) are written in
  // place: renaming over them would replace them with a regular file.
  if (fs::exists(st) && !fs::is_regular_file(st)) return write_stream(path, target.string(), text, false);
  const std::string tmp = target.string() + ".tmp";
  Status s = write_stream(path, tmp, text, true);
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

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  const fs::path ca = fs::weakly_canonical(a, ec);
  if (ec) return a == b;
  const fs::path cb = fs::weakly_canonical(b, ec);
  if (ec) return a == b;
  return ca == cb;
}

Status check_output_file(const std::string& option, const std::string& path) {
  (void)option;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return invalid_argument(trf(Msg::kWriteFailed, path, tr(Msg::kIsADirectory)));
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec))
    return invalid_argument(trf(Msg::kWriteFailed, path, trf(Msg::kFolderMissing, parent.string())));
  return Status();
}

Status ensure_directory(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) return invalid_argument(trf(Msg::kNotADirectory, dir));
  fs::create_directories(dir, ec);
  if (ec) return io_error(trf(Msg::kWriteFailed, dir, ec.message()));
  return Status();
}

}  // namespace rkyolo::cli

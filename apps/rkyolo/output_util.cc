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

Status write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return io_error(trf(Msg::kWriteFailed, path, std::strerror(errno)));
    out << text;
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      std::error_code ec;
      fs::remove(tmp, ec);
      return io_error(trf(Msg::kWriteFailed, path, why));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code rm;
    fs::remove(tmp, rm);
    return io_error(trf(Msg::kWriteFailed, path, ec.message()));
  }
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

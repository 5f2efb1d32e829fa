#include "core/user_text.h"

#include <sys/stat.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace rkyolo::core {

Status read_labels_file(const std::string& path, std::vector<std::string>* names) {
  names->clear();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return invalid_argument(MessageId::kLabelsIsDirectory, {{"path", path}});
  std::ifstream in(path);
  if (!in) return not_found(MessageId::kLabelsCannotOpen, {{"path", path}});
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    std::size_t start = 0;
    while (start < line.size() && std::isspace(static_cast<unsigned char>(line[start]))) ++start;
    if (start < line.size()) names->push_back(line.substr(start));
  }
  if (in.bad()) return io_error(MessageId::kLabelsReadError, {{"path", path}});
  if (names->empty()) return invalid_argument(MessageId::kLabelsEmpty, {{"path", path}});
  return Status();
}

bool parse_channel_triplet(std::string_view text, float out[3]) {
  int n = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = text.find(',', pos);
    const std::string item(text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (n >= 3) return false;
    char* end = nullptr;
    out[n] = std::strtof(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(out[n])) return false;
    ++n;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (n == 1) out[1] = out[2] = out[0];
  return n == 1 || n == 3;
}

}  // namespace rkyolo::core

// Classification of --source strings and .streams lists (standard library only).
#include "rkyolo/stream_source.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rkyolo {
namespace {

constexpr std::array<std::string_view, 17> kVideoExtensions = {".mp4",  ".m4v",  ".mkv",  ".avi",  ".mov", ".ts",
                                                               ".mts",  ".m2ts", ".webm", ".flv",  ".wmv", ".mpg",
                                                               ".mpeg", ".3gp",  ".h264", ".h265", ".hevc"};
constexpr std::array<std::string_view, 9> kNetworkSchemes = {"rtsp://",  "rtsps://", "rtmp://", "rtmps://", "http://",
                                                             "https://", "tcp://",   "udp://",  "srt://"};
constexpr std::string_view kStreamListExtension = ".streams";
constexpr std::size_t kMaxCameraIndexDigits = 3;

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != b[i]) return false;  // b is lower case
  return true;
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

bool is_network(std::string_view text) {
  for (std::string_view scheme : kNetworkSchemes)
    if (istarts_with(text, scheme) && text.size() > scheme.size()) return true;
  return false;
}

bool is_camera_path(std::string_view text) {
  constexpr std::string_view kVideo = "/dev/video", kV4l = "/dev/v4l/";
  if (text.substr(0, kVideo.size()) == kVideo) return all_digits(text.substr(kVideo.size()));
  return text.size() > kV4l.size() && text.substr(0, kV4l.size()) == kV4l;
}

bool has_video_extension(std::string_view text) {
  for (std::string_view ext : kVideoExtensions)
    if (iends_with(text, ext)) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

bool has_control_character(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kOther: return "other";
    case SourceKind::kVideoFile: return "video file";
    case SourceKind::kCamera: return "camera";
    case SourceKind::kNetwork: return "network stream";
    case SourceKind::kStreamList: return "stream list";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, SourceKind kind) {
  return os << source_kind_name(kind);
}

SourceSpec classify_source(std::string_view text) {
  if (all_digits(text) && text.size() <= kMaxCameraIndexDigits) {
    const std::size_t first = text.find_first_not_of('0');
    return {SourceKind::kCamera,
            "/dev/video" + std::string(first == std::string_view::npos ? "0" : text.substr(first))};
  }
  SourceKind kind = SourceKind::kOther;
  if (is_network(text))
    kind = SourceKind::kNetwork;
  else if (is_camera_path(text))
    kind = SourceKind::kCamera;
  else if (iends_with(text, kStreamListExtension))
    kind = SourceKind::kStreamList;
  else if (has_video_extension(text))
    kind = SourceKind::kVideoFile;
  return {kind, std::string(text)};
}

Status parse_stream_list(std::string_view text, std::string_view name, std::vector<SourceSpec>* sources) {
  sources->clear();
  std::vector<SourceSpec> parsed;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const Message where(MessageId::kStreamListLine, {{"line", line_number}, {"path", name}});
    if (has_control_character(line)) return invalid_argument(MessageId::kStreamListControlChar, {{"where", where}});
    SourceSpec spec = classify_source(line);
    if (spec.kind == SourceKind::kStreamList)
      return invalid_argument(MessageId::kStreamListNested, {{"where", where}, {"source", line}});
    if (spec.kind == SourceKind::kOther)
      return invalid_argument(MessageId::kStreamListNotSource, {{"where", where}, {"source", line}});
    parsed.push_back(std::move(spec));
  }
  if (parsed.empty()) return invalid_argument(MessageId::kStreamListEmpty, {{"path", name}});
  *sources = std::move(parsed);
  return Status::ok_status();
}

Status read_stream_list(const std::string& path, std::vector<SourceSpec>* sources) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return invalid_argument(MessageId::kStreamListIsFolder, {{"path", path}});
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(MessageId::kStreamListCannotOpen, {{"path", path}, {"reason", std::strerror(errno)}});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error(MessageId::kStreamListReadFailed, {{"path", path}});
  return parse_stream_list(text.str(), path, sources);
}

}  // namespace rkyolo

// rkyolo: what a --source string names (a video file, a camera, a network
// stream, a .streams list, or anything else: images, folders and globs).
//
// Pure functions of the text, no file system and no FFmpeg, so the CLI can
// classify sources in every build and the classifier can be fuzzed.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/status.h"

namespace rkyolo {

enum class SourceKind : int {
  kOther = 0,   // not a video source: an image, a folder, a glob (the still-image path)
  kVideoFile,   // a file with a video container extension (.mp4, .mkv, .avi, .mov, .ts, ...)
  kCamera,      // a V4L2 device: /dev/videoN, /dev/v4l/..., or a bare index 0..999
  kNetwork,     // rtsp://, rtsps://, rtmp://, rtmps://, http://, https://, tcp://, udp://, srt://
  kStreamList,  // a .streams text file: one source per line (the Ultralytics convention)
};

std::string_view source_kind_name(SourceKind kind);
std::ostream& operator<<(std::ostream& os, SourceKind kind);

struct SourceSpec {
  SourceKind kind = SourceKind::kOther;
  // What to open: the text itself, except that a bare camera index N
  // becomes "/dev/videoN".
  std::string location;
};

// Classifies one --source string. Extensions and URL schemes are matched
// case-insensitively; surrounding whitespace is not trimmed (a path may
// contain it).
SourceSpec classify_source(std::string_view text);

// Parses the text of a .streams file: one source per line, surrounding
// whitespace trimmed, blank lines and lines starting with '#' ignored, CRLF
// accepted. Every entry must be a video source (file, camera or network); a
// nested .streams file, an image or a control character is an error naming
// the line, and leaves `sources` empty. `name` (the file's path) only appears
// in error sentences.
Status parse_stream_list(std::string_view text, std::string_view name, std::vector<SourceSpec>* sources);

// Reads a .streams file and parses it with parse_stream_list.
Status read_stream_list(const std::string& path, std::vector<SourceSpec>* sources);

}  // namespace rkyolo

#include "rkyolo/dataset.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>

#include "rkyolo/dataset_yaml.h"
#include "rkyolo/i18n.h"
#include "rkyolo/image_io.h"

namespace rkyolo::cli {

namespace fs = std::filesystem;

namespace {

bool read_text_file(const std::string& path, std::string* text, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    *why = std::strerror(errno);
    return false;
  }
  *text = ss.str();
  return true;
}

bool parse_int_text(const std::string& text, long long* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == nullptr || *end != '\0') return false;
  *out = v;
  return true;
}

Status read_names(const Dataset& ds, const YamlNode& root, std::vector<std::string>* names) {
  const std::string& file = ds.yaml_path;
  const YamlNode* n = root.find("names");
  const YamlNode* nc = root.find("nc");
  long long count = -1;
  if (nc != nullptr && !nc->is_null()) {
    if (nc->kind != YamlNode::Kind::kScalar || !parse_int_text(nc->scalar, &count) || count <= 0 || count > 100000)
      return invalid_argument(trf(Msg::kDatasetBadNc, file, std::to_string(nc->line)));
  }
  names->clear();
  if (n == nullptr || n->is_null()) {
    if (count < 0) return invalid_argument(trf(Msg::kDatasetNoNames, file));
    for (long long i = 0; i < count; ++i) names->push_back(std::string("class").append(std::to_string(i)));
    return Status();
  }
  const std::string line = std::to_string(n->line);
  if (n->kind == YamlNode::Kind::kList) {
    for (const YamlNode& item : n->items) {
      if (item.kind != YamlNode::Kind::kScalar)
        return invalid_argument(trf(Msg::kDatasetBadNames, file, std::to_string(item.line)));
      names->push_back(item.scalar);
    }
  } else if (n->kind == YamlNode::Kind::kMap) {
    std::vector<std::pair<long long, std::string>> pairs;
    for (const auto& [k, v] : n->entries) {
      long long id;
      if (!parse_int_text(k, &id) || id < 0 || id >= static_cast<long long>(n->entries.size()) ||
          v.kind != YamlNode::Kind::kScalar)
        return invalid_argument(trf(Msg::kDatasetBadNames, file, std::to_string(v.line)));
      pairs.emplace_back(id, v.scalar);
    }
    names->assign(pairs.size(), std::string());
    std::vector<char> seen(pairs.size(), 0);
    for (const auto& [id, name] : pairs) {
      if (seen[static_cast<std::size_t>(id)]) return invalid_argument(trf(Msg::kDatasetBadNames, file, line));
      seen[static_cast<std::size_t>(id)] = 1;
      (*names)[static_cast<std::size_t>(id)] = name;
    }
  } else {
    return invalid_argument(trf(Msg::kDatasetBadNames, file, line));
  }
  if (names->empty()) return invalid_argument(trf(Msg::kDatasetBadNames, file, line));
  if (count >= 0 && count != static_cast<long long>(names->size()))
    return invalid_argument(trf(Msg::kDatasetNcMismatch, file, std::to_string(count), std::to_string(names->size())));
  return Status();
}

void list_images_recursively(const fs::path& dir, std::vector<std::string>* out) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
       !ec && it != end; it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec) && has_image_extension(it->path().string())) out->push_back(it->path().string());
  }
}

// One split entry: a folder, a .txt list or an image.
Status add_split_source(const Dataset& ds, const YamlNode& node, std::vector<std::string>* images) {
  if (node.kind != YamlNode::Kind::kScalar || node.scalar.empty())
    return invalid_argument(trf(Msg::kDatasetBadSplitValue, ds.yaml_path, std::to_string(node.line), ds.split));
  fs::path p(node.scalar);
  if (p.is_relative()) {
    fs::path joined = fs::path(ds.root) / p;
    std::error_code ec;
    if (!fs::exists(joined, ec) && node.scalar.rfind("../", 0) == 0) joined = fs::path(ds.root) / node.scalar.substr(3);
    p = joined;
  }
  p = p.lexically_normal();
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    list_images_recursively(p, images);
    return Status();
  }
  if (!fs::exists(p, ec))
    return invalid_argument(
        trf(Msg::kDatasetSplitMissing, ds.split, p.string(), ds.yaml_path, std::to_string(node.line)));
  if (has_image_extension(p.string())) {
    images->push_back(p.string());
    return Status();
  }
  std::string text, why;
  if (!read_text_file(p.string(), &text, &why)) return io_error(trf(Msg::kDatasetListFile, p.string(), why));
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    std::size_t b = 0;
    while (b < line.size() && (line[b] == ' ' || line[b] == '\t')) ++b;
    line.erase(0, b);
    if (line.empty() || line[0] == '#') continue;
    fs::path item(line);
    if (item.is_relative()) item = p.parent_path() / item;
    images->push_back(item.lexically_normal().string());
  }
  return Status();
}

}  // namespace

Status load_dataset(const std::string& yaml_path, const std::string& split, Dataset* out) {
  *out = Dataset{};
  out->yaml_path = yaml_path;
  out->split = split;
  std::error_code ec;
  if (!fs::exists(yaml_path, ec)) return not_found(trf(Msg::kDatasetNotFound, yaml_path));
  if (fs::is_directory(yaml_path, ec)) return invalid_argument(trf(Msg::kDatasetRead, yaml_path, "it is a directory"));
  std::string text, why;
  if (!read_text_file(yaml_path, &text, &why)) return io_error(trf(Msg::kDatasetRead, yaml_path, why));
  YamlNode root;
  RKYOLO_RETURN_IF_ERROR(parse_yaml(text, yaml_path, &root));

  const fs::path yaml_dir = fs::absolute(fs::path(yaml_path), ec).parent_path();
  const YamlNode* path = root.find("path");
  fs::path dataset_root = yaml_dir;
  if (path != nullptr && !path->is_null()) {
    if (path->kind != YamlNode::Kind::kScalar)
      return invalid_argument(trf(Msg::kDatasetBadSplitValue, yaml_path, std::to_string(path->line), "path"));
    const fs::path p(path->scalar);
    dataset_root = p.is_relative() ? yaml_dir / p : p;
  }
  out->root = dataset_root.lexically_normal().string();
  RKYOLO_RETURN_IF_ERROR(read_names(*out, root, &out->names));

  const YamlNode* entry = root.find(split);
  if (entry == nullptr || entry->is_null()) {
    std::string splits;
    for (const char* s : {"train", "val", "test"}) {
      const YamlNode* n = root.find(s);
      if (n != nullptr && !n->is_null()) splits += (splits.empty() ? "" : ", ") + std::string(s);
    }
    return invalid_argument(trf(Msg::kDatasetNoSplit, yaml_path, split, splits.empty() ? "-" : splits));
  }
  if (entry->kind == YamlNode::Kind::kList) {
    for (const YamlNode& item : entry->items) RKYOLO_RETURN_IF_ERROR(add_split_source(*out, item, &out->images));
  } else {
    RKYOLO_RETURN_IF_ERROR(add_split_source(*out, *entry, &out->images));
  }
  std::sort(out->images.begin(), out->images.end());
  if (out->images.empty()) return invalid_argument(trf(Msg::kDatasetNoImages, split, yaml_path));
  return Status();
}

std::string label_path_for(const std::string& image_path) {
  std::string p = image_path;
  const std::string images = "/images/";
  const std::size_t at = p.rfind(images);
  if (at != std::string::npos)
    p.replace(at, images.size(), "/labels/");
  else if (p.rfind("images/", 0) == 0)
    p.replace(0, 7, "labels/");
  const std::size_t slash = p.rfind('/'), dot = p.rfind('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) p.erase(dot);
  return p + ".txt";
}

namespace {

bool parse_double(const std::string& text, double* out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || errno == ERANGE || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

}  // namespace

LabelFile read_label_file(const std::string& path, int num_classes) {
  LabelFile lf;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    lf.missing = true;
    return lf;
  }
  std::string text, why;
  if (fs::is_directory(path, ec)) {
    lf.problems.push_back(trf(Msg::kLabelFileUnreadable, path, tr(Msg::kIsADirectory)));
    return lf;
  }
  if (!read_text_file(path, &text, &why)) {
    lf.problems.push_back(trf(Msg::kLabelFileUnreadable, path, why));
    return lf;
  }
  std::istringstream lines(text);
  std::string line;
  std::set<std::vector<double>> seen;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    std::istringstream ts(line);
    std::vector<std::string> tokens;
    std::string t;
    while (ts >> t) tokens.push_back(t);
    if (tokens.empty()) continue;
    auto skip = [&](const std::string& what) {
      lf.problems.push_back(trf(Msg::kLabelLineSkipped, path, std::to_string(number), what));
    };
    const std::size_t n = tokens.size();
    if (n != 5 && (n < 7 || n % 2 == 0)) {
      skip(trf(Msg::kLabelColumns, std::to_string(n)));
      continue;
    }
    std::vector<double> v(n);
    bool numbers = true;
    for (std::size_t i = 0; i < n && numbers; ++i)
      if (!parse_double(tokens[i], &v[i])) {
        skip(trf(Msg::kLabelNotNumber, tokens[i]));
        numbers = false;
      }
    if (!numbers) continue;
    if (v[0] != std::floor(v[0]) || v[0] < 0 || v[0] >= num_classes) {
      skip(trf(Msg::kLabelClassRange, tokens[0], std::to_string(num_classes - 1)));
      continue;
    }
    NormalizedLabel l;
    l.class_id = static_cast<int>(v[0]);
    bool in_range = true;
    for (std::size_t i = 1; i < n; ++i) in_range = in_range && v[i] >= 0.0 && v[i] <= 1.0;
    if (in_range && n == 5) {
      l.cx = v[1], l.cy = v[2], l.w = v[3], l.h = v[4];
    } else if (in_range) {  // polygon: its bounding box
      double x1 = 1, y1 = 1, x2 = 0, y2 = 0;
      for (std::size_t i = 1; i + 1 < n; i += 2) {
        x1 = std::min(x1, v[i]), x2 = std::max(x2, v[i]);
        y1 = std::min(y1, v[i + 1]), y2 = std::max(y2, v[i + 1]);
      }
      l.cx = (x1 + x2) / 2, l.cy = (y1 + y2) / 2, l.w = x2 - x1, l.h = y2 - y1;
    }
    if (!in_range || l.w <= 0 || l.h <= 0) {
      skip(tr(Msg::kLabelCoordRange));
      continue;
    }
    if (!seen.insert({v[0], l.cx, l.cy, l.w, l.h}).second) {
      ++lf.duplicates_removed;
      continue;
    }
    lf.labels.push_back(l);
  }
  return lf;
}

std::vector<LabelBox> to_pixels(const std::vector<NormalizedLabel>& labels, int width, int height) {
  std::vector<LabelBox> out;
  out.reserve(labels.size());
  for (const NormalizedLabel& l : labels) {
    LabelBox b;
    b.class_id = l.class_id;
    b.box = CocoBox{(l.cx - l.w / 2) * width, (l.cy - l.h / 2) * height, l.w * width, l.h * height};
    out.push_back(b);
  }
  return out;
}

ImageId image_id_for(const std::string& image_path) {
  ImageId id;
  id.text = fs::path(image_path).stem().string();
  const bool digits = !id.text.empty() && id.text.size() <= 18 &&
                      std::all_of(id.text.begin(), id.text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    id.is_number = true;
    id.number = std::stoll(id.text);
  }
  return id;
}

std::string image_id_key(const ImageId& id) {
  // append(), not "#" + s: GCC 12 warns falsely (-Wrestrict) on the latter.
  return id.is_number ? std::string("#").append(std::to_string(id.number)) : std::string("$").append(id.text);
}

namespace {

std::uint32_t be16(const unsigned char* p) {
  return (static_cast<std::uint32_t>(p[0]) << 8) | p[1];
}
std::uint32_t be32(const unsigned char* p) {
  return (be16(p) << 16) | be16(p + 2);
}
std::uint32_t le16(const unsigned char* p) {
  return p[0] | (static_cast<std::uint32_t>(p[1]) << 8);
}
std::uint32_t le32(const unsigned char* p) {
  return le16(p) | (le16(p + 2) << 16);
}

// EXIF orientation (1..8) from an APP1 segment's payload, 0 if absent.
int exif_orientation(const unsigned char* p, std::size_t n) {
  if (n < 14 || std::memcmp(p, "Exif\0\0", 6) != 0) return 0;
  const unsigned char* tiff = p + 6;
  const std::size_t size = n - 6;
  const bool little = tiff[0] == 'I' && tiff[1] == 'I';
  if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 0;
  auto u16 = [&](std::size_t off) { return little ? le16(tiff + off) : be16(tiff + off); };
  auto u32 = [&](std::size_t off) { return little ? le32(tiff + off) : be32(tiff + off); };
  const std::size_t ifd = u32(4);
  if (ifd + 2 > size) return 0;
  const std::size_t count = u16(ifd);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t e = ifd + 2 + i * 12;
    if (e + 12 > size) return 0;
    if (u16(e) == 0x0112) return static_cast<int>(u16(e + 8));
  }
  return 0;
}

bool jpeg_size(const std::vector<unsigned char>& b, int* w, int* h) {
  int orientation = 0;
  std::size_t p = 2;
  while (p + 4 <= b.size()) {
    if (b[p] != 0xFF) return false;
    const unsigned char m = b[p + 1];
    if (m == 0xFF) {
      ++p;
      continue;
    }
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
      p += 2;
      continue;
    }
    const std::size_t len = be16(&b[p + 2]);
    if (len < 2 || p + 2 + len > b.size()) return false;
    if (m == 0xE1 && orientation == 0) orientation = exif_orientation(&b[p + 4], len - 2);
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      if (len < 7) return false;
      *h = static_cast<int>(be16(&b[p + 5]));
      *w = static_cast<int>(be16(&b[p + 7]));
      if (orientation >= 5 && orientation <= 8) std::swap(*w, *h);
      return *w > 0 && *h > 0;
    }
    if (m == 0xDA) return false;
    p += 2 + len;
  }
  return false;
}

}  // namespace

bool read_image_size(const std::string& path, int* width, int* height) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  // Headers (and EXIF) sit at the start; 256 KiB covers large EXIF thumbnails.
  std::vector<unsigned char> b(256 * 1024);
  in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size()));
  b.resize(static_cast<std::size_t>(in.gcount()));
  const ImageFormat f = sniff_format(b);
  if (f == ImageFormat::kJpeg && jpeg_size(b, width, height)) return true;
  if (f == ImageFormat::kPng && b.size() >= 24 && std::memcmp(&b[12], "IHDR", 4) == 0) {
    *width = static_cast<int>(be32(&b[16]));
    *height = static_cast<int>(be32(&b[20]));
    return *width > 0 && *height > 0;
  }
  if (f == ImageFormat::kBmp && b.size() >= 26) {
    *width = static_cast<int>(static_cast<std::int32_t>(le32(&b[18])));
    *height = std::abs(static_cast<int>(static_cast<std::int32_t>(le32(&b[22]))));
    return *width > 0 && *height > 0;
  }
  cv::Mat img;
  if (!load_image(path, &img).ok()) return false;
  *width = img.cols;
  *height = img.rows;
  return true;
}

}  // namespace rkyolo::cli

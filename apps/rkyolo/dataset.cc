#include "rkyolo/dataset.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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
  const Status s = read_input_file(path, kMaxTextFileBytes, text);
  if (!s.ok()) *why = localized(s);
  return s.ok();
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

Status too_many_classes(const std::string& file, int line, const std::string& count) {
  return invalid_argument(
      trf(Msg::kDatasetTooManyClasses, file, std::to_string(line), count, std::to_string(kMaxDatasetClasses)));
}

Status read_names(const Dataset& ds, const YamlNode& root, std::vector<std::string>* names) {
  const std::string& file = ds.yaml_path;
  const YamlNode* n = root.find("names");
  const YamlNode* nc = root.find("nc");
  long long count = -1;
  if (nc != nullptr && !nc->is_null()) {
    if (nc->kind != YamlNode::Kind::kScalar || !parse_int_text(nc->scalar, &count) || count <= 0)
      return invalid_argument(trf(Msg::kDatasetBadNc, file, std::to_string(nc->line)));
    if (count > kMaxDatasetClasses) return too_many_classes(file, nc->line, std::to_string(count));
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
  if (names->size() > static_cast<std::size_t>(kMaxDatasetClasses))
    return too_many_classes(file, n->line, std::to_string(names->size()));
  if (count >= 0 && count != static_cast<long long>(names->size()))
    return invalid_argument(trf(Msg::kDatasetNcMismatch, file, std::to_string(count), std::to_string(names->size())));
  return Status();
}

// The images under `dir`, at any depth. Links are followed, but a folder
// already seen (same device and inode: a link loop, or two links to one
// folder) is listed once; a folder that cannot be listed is described in
// ds->unreadable_folders and the walk goes on.
void list_images_recursively(const fs::path& dir, Dataset* ds) {
  std::set<std::pair<dev_t, ino_t>> seen;
  std::vector<fs::path> pending = {dir};
  while (!pending.empty()) {
    const fs::path folder = std::move(pending.back());
    pending.pop_back();
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0) {
      ds->unreadable_folders.push_back(trf(Msg::kDatasetFolderUnreadable, folder.string(), std::strerror(errno)));
      continue;
    }
    if (!seen.emplace(st.st_dev, st.st_ino).second) continue;
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
      std::error_code fec;
      if (it->is_directory(fec))
        pending.push_back(it->path());
      else if (it->is_regular_file(fec) && has_image_extension(it->path().string()))
        ds->images.push_back(it->path().string());
    }
    if (ec) ds->unreadable_folders.push_back(trf(Msg::kDatasetFolderUnreadable, folder.string(), ec.message()));
  }
}

// A path from the dataset: NUL cannot be part of a file name (and would cut
// it short in every system call).
Status check_path_text(const std::string& text, const std::string& file, int line) {
  if (text.find('\0') == std::string::npos) return Status();
  return invalid_argument(trf(Msg::kDatasetNulInPath, file, std::to_string(line)));
}

// One split entry: a folder, a .txt list or an image.
Status add_split_source(const YamlNode& node, Dataset* ds) {
  if (node.kind != YamlNode::Kind::kScalar || node.scalar.empty())
    return invalid_argument(trf(Msg::kDatasetBadSplitValue, ds->yaml_path, std::to_string(node.line), ds->split));
  RKYOLO_RETURN_IF_ERROR(check_path_text(node.scalar, ds->yaml_path, node.line));
  fs::path p(node.scalar);
  if (p.is_relative()) {
    fs::path joined = fs::path(ds->root) / p;
    std::error_code ec;
    if (!fs::exists(joined, ec) && node.scalar.rfind("../", 0) == 0)
      joined = fs::path(ds->root) / node.scalar.substr(3);
    p = joined;
  }
  p = p.lexically_normal();
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    list_images_recursively(p, ds);
    return Status();
  }
  if (!fs::exists(p, ec))
    return invalid_argument(
        trf(Msg::kDatasetSplitMissing, ds->split, p.string(), ds->yaml_path, std::to_string(node.line)));
  if (has_image_extension(p.string())) {
    ds->images.push_back(p.string());
    return Status();
  }
  std::string text, why;
  if (!read_text_file(p.string(), &text, &why)) return io_error(trf(Msg::kDatasetListFile, p.string(), why));
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    RKYOLO_RETURN_IF_ERROR(check_path_text(line, p.string(), number));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    std::size_t b = 0;
    while (b < line.size() && (line[b] == ' ' || line[b] == '\t')) ++b;
    line.erase(0, b);
    if (line.empty() || line[0] == '#') continue;
    fs::path item(line);
    if (item.is_relative()) item = p.parent_path() / item;
    ds->images.push_back(item.lexically_normal().string());
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
    RKYOLO_RETURN_IF_ERROR(check_path_text(path->scalar, yaml_path, path->line));
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
    for (const YamlNode& item : entry->items) RKYOLO_RETURN_IF_ERROR(add_split_source(item, out));
  } else {
    RKYOLO_RETURN_IF_ERROR(add_split_source(*entry, out));
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

// The shoelace area of the polygon x0 y0 x1 y1 ... (`points` vertices).
double polygon_area(const double* xy, std::size_t points) {
  double twice = 0;
  for (std::size_t i = 0; i < points; ++i) {
    const std::size_t j = (i + 1) % points;
    twice += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
  }
  return std::fabs(twice) / 2;
}

}  // namespace

LabelFile read_label_file(const std::string& path, int num_classes) {
  LabelFile lf;
  std::string text;
  const Status s = read_input_file(path, kMaxTextFileBytes, &text);
  if (s.code() == StatusCode::kNotFound) {
    lf.missing = true;
  } else if (!s.ok()) {
    lf.problems.push_back(trf(Msg::kLabelFileUnreadable, path, localized(s)));
  } else {
    parse_label_text(text, path, num_classes, &lf);
  }
  return lf;
}

void parse_label_text(std::string_view text, const std::string& path, int num_classes, LabelFile* out) {
  LabelFile& lf = *out;
  std::istringstream lines{std::string(text)};
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
    } else if (in_range) {  // polygon: its bounding box and its area
      double x1 = 1, y1 = 1, x2 = 0, y2 = 0;
      for (std::size_t i = 1; i + 1 < n; i += 2) {
        x1 = std::min(x1, v[i]), x2 = std::max(x2, v[i]);
        y1 = std::min(y1, v[i + 1]), y2 = std::max(y2, v[i + 1]);
      }
      l.cx = (x1 + x2) / 2, l.cy = (y1 + y2) / 2, l.w = x2 - x1, l.h = y2 - y1;
      l.area = polygon_area(v.data() + 1, (n - 1) / 2);
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
}

std::vector<LabelBox> to_pixels(const std::vector<NormalizedLabel>& labels, int width, int height) {
  std::vector<LabelBox> out;
  out.reserve(labels.size());
  for (const NormalizedLabel& l : labels) {
    LabelBox b;
    b.class_id = l.class_id;
    b.box = CocoBox{(l.cx - l.w / 2) * width, (l.cy - l.h / 2) * height, l.w * width, l.h * height};
    if (l.area) b.area = *l.area * width * height;
    out.push_back(b);
  }
  return out;
}

CocoImageId image_id_for(const std::string& image_path) {
  CocoImageId id;
  id.text = fs::path(image_path).stem().string();
  const bool digits = !id.text.empty() && id.text.size() <= 18 &&
                      std::all_of(id.text.begin(), id.text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    id.is_number = true;
    id.number = std::stoll(id.text);
  }
  return id;
}

std::string image_id_key(const CocoImageId& id) {
  // append(), not "#" + s: GCC 12 warns falsely (-Wrestrict) on the latter.
  return id.is_number ? std::string("#").append(std::to_string(id.number)) : std::string("$").append(id.text);
}

bool read_image_size(const std::string& path, int* width, int* height) {
  // Headers (and EXIF) sit at the start; 256 KiB covers large EXIF thumbnails.
  std::string head;
  if (!read_input_head(path, 256 * 1024, &head).ok()) return false;
  if (header_image_size(head, width, height)) return true;
  cv::Mat img;
  if (!load_image(path, &img).ok()) return false;
  *width = img.cols;
  *height = img.rows;
  return true;
}

}  // namespace rkyolo::cli

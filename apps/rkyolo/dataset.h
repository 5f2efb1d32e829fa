// rkyolo CLI: Ultralytics-format datasets (a dataset.yaml, image folders or
// lists, YOLO txt labels) as the evaluation commands read them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/evaluation.h"
#include "rkyolo/status.h"

namespace rkyolo::cli {

// More classes than this are refused: the evaluation keeps a confusion matrix
// of (classes + 1)^2 counts (4096 classes: 134 MB), and no detection dataset
// comes close (LVIS has 1203).
constexpr int kMaxDatasetClasses = 4096;

struct Dataset {
  std::string yaml_path;
  std::string root;                 // `path` resolved against the yaml's folder
  std::string split;                // "val", "test", "train"
  std::vector<std::string> names;   // class names, index = class id
  std::vector<std::string> images;  // the split's image files, sorted per source
  // Folders of the split that could not be listed, one sentence each: their
  // images are missing from `images`.
  std::vector<std::string> unreadable_folders;
};

// Reads `yaml_path` and lists the images of `split`. `path` (absent: the
// yaml's folder) resolves against the yaml's folder; each split entry is an
// image folder (searched recursively), a .txt list of image paths (relative
// ones resolve against the list's folder) or a list of those. Folder links
// are followed, each folder listed once; unreadable folders are recorded and
// skipped. Paths containing NUL are refused. `names` is a
// list or a mapping {0: a, 1: b}; without it `nc` gives class0, class1, ...
// Every failure is one sentence naming the file (and line).
Status load_dataset(const std::string& yaml_path, const std::string& split, Dataset* out);

// Where Ultralytics looks for an image's labels: the last "images" path
// component replaced by "labels", the extension by ".txt".
std::string label_path_for(const std::string& image_path);

struct NormalizedLabel {
  int class_id = 0;
  double cx = 0, cy = 0, w = 0, h = 0;  // fractions of the image size
  // A polygon's area (shoelace), as a fraction of the image's; absent for a box.
  std::optional<double> area;
};

struct LabelFile {
  bool missing = false;  // no label file: an image without objects
  std::vector<NormalizedLabel> labels;
  std::vector<std::string> problems;  // "file:line: what; line skipped", one per skipped line
  int duplicates_removed = 0;         // identical lines, kept once (as Ultralytics does)
};

// Reads YOLO txt labels ("class cx cy w h", or "class x1 y1 x2 y2 ..." polygons,
// whose bounding box is taken, and whose own area picks the COCO area range
// as a segmentation's area does). Bad lines are skipped and described.
LabelFile read_label_file(const std::string& path, int num_classes);
// The parsing part: `text` is the content of the label file `path`.
void parse_label_text(std::string_view text, const std::string& path, int num_classes, LabelFile* out);

// Pixel boxes (and polygon areas) for an image of `width` x `height`.
std::vector<LabelBox> to_pixels(const std::vector<NormalizedLabel>& labels, int width, int height);

// The COCO image_id Ultralytics writes: the file stem, as a number when it is
// all ASCII digits and at most 18 of them ("000042" is 42), else the stem
// itself (text keeps the stem in both cases).
CocoImageId image_id_for(const std::string& image_path);
// A key equal for equal ids ("#123" or "$name").
std::string image_id_key(const CocoImageId& id);

// Width and height from the file header (JPEG with its EXIF orientation, PNG,
// BMP), else by decoding the image. False when unreadable.
bool read_image_size(const std::string& path, int* width, int* height);

}  // namespace rkyolo::cli

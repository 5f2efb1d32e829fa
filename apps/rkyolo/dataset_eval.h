// rkyolo CLI: what `val` and `eval` share: their options, the split with its
// labels, COCO predictions files, and the report (table, JSON, plots).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rkyolo/cli_args.h"
#include "rkyolo/dataset.h"
#include "rkyolo/detection.h"
#include "rkyolo/evaluation.h"

namespace rkyolo::cli {

using OrderedJson = nlohmann::ordered_json;

struct EvalCommandOptions {
  std::string data_path;
  std::string split = "val";
  std::string json_path;  // --json
  std::string plots_dir;  // --plots
  double count_conf = 0.25;
  int outliers = 0;  // --list-outliers
  bool verbose = false;
};

// --data --split --plots --list-outliers --json --count-conf --lang -v
std::vector<OptionSpec> eval_option_specs();
// Reads and checks them (the --json and --plots places are checked up front,
// so a long run does not fail at its end).
Status eval_command_options_from(const Args& args, EvalCommandOptions* out);

// The split with every image's labels, read once.
struct SplitData {
  Dataset dataset;
  std::vector<LabelFile> labels;           // per image of dataset.images
  std::vector<CocoImageId> ids;            // per image
  std::map<std::string, int> image_of_id;  // image_id_key -> first image with that id
  int label_problems = 0;                  // label lines or files skipped (exit code 1)
};

// Loads the dataset and its labels; label problems are printed as warnings
// (the first few, then a count), label files that do not exist once.
Status load_split(const EvalCommandOptions& options, SplitData* out);

// A detection as a COCO result is saved: bbox to 3 decimals, score to 5, so
// that `eval` on a saved file reproduces `val` exactly.
PredictedBox prediction_from(const Detection& d);

// The COCO results JSON of `images` (entry i belongs to dataset image
// `image_index[i]`), one result per line.
std::string predictions_json(const SplitData& split, const std::vector<int>& image_index,
                             const std::vector<EvalImage>& images);

// Reads a COCO results file into per-image predictions (indexed like
// dataset.images). Malformed JSON or a wrong schema is an error naming the
// file (and the entry); results for unknown images or classes are counted,
// reported in one warning each, and ignored.
Status read_predictions(const std::string& path, const SplitData& split,
                        std::vector<std::vector<PredictedBox>>* per_image);
// The parsing part: `text` is the content of the predictions file `path`.
Status parse_predictions(std::string_view text, const std::string& path, const SplitData& split,
                         std::vector<std::vector<PredictedBox>>* per_image);

// Scores the evaluated images (entry i is dataset image `image_index[i]`; its
// id is set from the split, so ties rank as COCOeval ranks them), prints the
// table, the COCO APs and ARs, counting metrics and outliers, writes --json
// (with `extra` merged in) and --plots. False when an output could not be
// written (already reported), or when there is no image to score: then --json
// still gets a complete report saying so (with `extra`, e.g. failed_images).
bool report_evaluation(const EvalCommandOptions& options, const SplitData& split, const std::vector<int>& image_index,
                       std::vector<EvalImage> images, const OrderedJson& extra);

}  // namespace rkyolo::cli

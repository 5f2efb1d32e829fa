// rkyolo eval: score a saved COCO results file (rkyolo val --save-preds,
// Ultralytics save_json, any exporter) against a dataset split, without a
// model. Image sizes come from the file headers, so nothing is decoded.
#include <cstdio>
#include <utility>

#include "rkyolo/commands.h"
#include "rkyolo/dataset_eval.h"
#include "rkyolo/i18n.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

int cmd_eval(int argc, char** argv, int first) {
  std::vector<OptionSpec> specs = eval_option_specs();
  specs.push_back({"--preds", true, ""});
  specs.push_back({"--lang", true, ""});
  specs.push_back({"--verbose", false, "-v"});
  Args args;
  int exit_code;
  if (!start_command("eval", argc, argv, first, specs, Msg::kUsageEval, &args, &exit_code)) return exit_code;
  EvalCommandOptions options;
  Status s = eval_command_options_from(args, &options);
  if (s.ok() && !args.has("--preds")) s = invalid_argument(trf(Msg::kMissingOption, "--preds"));
  if (s.ok() && !options.json_path.empty() && same_file(options.json_path, args.get("--preds")))
    s = invalid_argument(trf(Msg::kBadValue, options.json_path, "--json", "it would overwrite the predictions file"));
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  const std::string preds_path = args.get("--preds");
  SplitData split;
  s = load_split(options, &split);
  std::vector<std::vector<PredictedBox>> predictions;
  if (s.ok()) s = read_predictions(preds_path, split, &predictions);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }

  const std::vector<std::string>& paths = split.dataset.images;
  std::vector<EvalImage> images;
  std::vector<int> image_index;
  int failed = 0;
  OrderedJson failed_images = OrderedJson::array();
  for (std::size_t i = 0; i < paths.size(); ++i) {
    int width = 0, height = 0;
    if (!read_image_size(paths[i], &width, &height)) {
      const std::string message = trf(Msg::kImageFailed, paths[i], tr(Msg::kImageSizeUnknown));
      print_error(message);
      failed_images.push_back({{"image", paths[i]}, {"error", message}});
      ++failed;
      continue;
    }
    EvalImage im;
    im.labels = to_pixels(split.labels[i].labels, width, height);
    im.predictions = std::move(predictions[i]);
    images.push_back(std::move(im));
    image_index.push_back(static_cast<int>(i));
  }
  OrderedJson extra;
  extra["predictions_file"] = preds_path;
  extra["settings"] = {{"count_conf", options.count_conf}};
  extra["images_failed"] = failed;
  extra["failed_images"] = failed_images;
  extra["label_problems"] = split.label_problems;
  extra["folders_skipped"] = split.dataset.unreadable_folders.size();
  const bool outputs_ok = report_evaluation(options, split, image_index, std::move(images), extra);
  if (failed > 0) {
    print_error(trf(Msg::kSummaryFailed, std::to_string(failed), std::to_string(paths.size())));
    return kExitInputFailed;
  }
  const bool complete = split.label_problems == 0 && split.dataset.unreadable_folders.empty();
  return outputs_ok && complete ? kExitOk : kExitInputFailed;
}

}  // namespace rkyolo::cli

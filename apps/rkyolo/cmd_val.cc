// rkyolo val: run a model over a dataset split and score it (COCO mAP,
// Ultralytics-style P/R, counting accuracy), on any backend. Unreadable
// images are reported one sentence each and left out; the rest is scored.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "rkyolo/commands.h"
#include "rkyolo/dataset_eval.h"
#include "rkyolo/i18n.h"
#include "rkyolo/image_io.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

int cmd_val(int argc, char** argv, int first) {
  std::vector<OptionSpec> specs = model_option_specs();
  for (const OptionSpec& s : eval_option_specs()) specs.push_back(s);
  for (const char* opt : {"--conf", "--iou", "--max-det", "--save-preds"}) specs.push_back({opt, true, ""});
  Args args;
  int exit_code;
  if (!start_command("val", argc, argv, first, specs, Msg::kUsageVal, &args, &exit_code)) return exit_code;
  DetectorOptions detector_options;
  EvalCommandOptions options;
  Status s = detector_options_from(args, 0.001f, 0.7f, &detector_options);
  if (s.ok()) s = eval_command_options_from(args, &options);
  const std::string save_preds = args.get("--save-preds");
  if (s.ok() && !save_preds.empty()) s = check_output_file(save_preds);
  if (s.ok() && !save_preds.empty() && !options.json_path.empty() && same_file(save_preds, options.json_path))
    s = invalid_argument(trf(Msg::kBadValue, save_preds, "--save-preds", "--json names the same file"));
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  SplitData split;
  s = load_split(options, &split);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }

  std::unique_ptr<Session> session;
  s = open_session(detector_options, options.verbose, &session);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  const int num_classes = static_cast<int>(split.dataset.names.size());
  const int model_classes = static_cast<int>(session->model().labels().size());
  if (model_classes != num_classes)
    print_warning(trf(Msg::kClassCountMismatch, std::to_string(model_classes), std::to_string(num_classes)));

  const std::vector<std::string>& paths = split.dataset.images;
  const int n = static_cast<int>(paths.size());
  const bool progress = !options.verbose && isatty(STDERR_FILENO);
  std::vector<EvalImage> images;
  std::vector<int> image_index;
  images.reserve(paths.size());
  image_index.reserve(paths.size());
  int failed = 0;
  OrderedJson failed_images = OrderedJson::array();
  long long beyond_classes = 0;
  int beyond_example = -1;
  StageTiming total;
  DetectionResult result;
  cv::Mat image;
  for (int i = 0; i < n; ++i) {
    const std::string& path = paths[static_cast<std::size_t>(i)];
    if (progress) std::fprintf(stderr, "\r%d/%d", i + 1, n);
    s = load_image(path, &image);
    if (s.ok()) {
      const ImageView view{image.data, image.cols, image.rows, image.step[0], PixelFormat::kBgr8};
      s = session->detect(view, &result);
      if (!s.ok()) s = Status(s.code(), trf(Msg::kDetectFailed, path, localized(s)));
    } else if (s.code() != StatusCode::kNotFound) {
      s = Status(s.code(), trf(Msg::kImageFailed, path, localized(s)));
    }
    if (!s.ok()) {
      if (progress) std::fputs("\r", stderr);
      print_error(localized(s));
      failed_images.push_back({{"image", path}, {"error", localized(s)}});
      ++failed;
      continue;
    }
    total.preprocess_ms += result.timing.preprocess_ms;
    total.inference_ms += result.timing.inference_ms;
    total.postprocess_ms += result.timing.postprocess_ms;
    EvalImage im;
    im.labels = to_pixels(split.labels[static_cast<std::size_t>(i)].labels, image.cols, image.rows);
    for (const Detection& d : result.detections) {
      if (d.class_id >= num_classes) {
        if (beyond_classes == 0) beyond_example = d.class_id;
        ++beyond_classes;
        continue;
      }
      im.predictions.push_back(prediction_from(d));
    }
    if (options.verbose)
      std::fprintf(
          stderr, "%s\n",
          trf(Msg::kValImageLine, std::to_string(i + 1), std::to_string(n), path, std::to_string(im.labels.size()),
              std::to_string(im.predictions.size()), fixed(result.timing.total_ms(), 1))
              .c_str());
    images.push_back(std::move(im));
    image_index.push_back(i);
  }
  if (progress) std::fputs("\r", stderr);
  if (beyond_classes > 0)
    print_warning(trf(Msg::kPredsBadClass, std::to_string(beyond_classes), std::to_string(num_classes - 1),
                      std::to_string(beyond_example)));

  bool outputs_ok = true;
  if (!save_preds.empty()) {
    s = write_text_atomically(save_preds, predictions_json(split, image_index, images));
    if (!s.ok()) {
      print_error(localized(s));
      outputs_ok = false;
    } else {
      std::fprintf(stderr, "%s\n", trf(Msg::kPredsWritten, save_preds).c_str());
    }
  }
  const int done = static_cast<int>(images.size());
  OrderedJson extra;
  extra["model"] = detector_options.model_path;
  extra["backend"] = session->model().runtime().backend;
  extra["settings"] = {{"conf", round_to(detector_options.conf_threshold, 6)},
                       {"iou", round_to(detector_options.iou_threshold, 6)},
                       {"max_det", detector_options.max_det},
                       {"count_conf", options.count_conf}};
  extra["images_failed"] = failed;
  extra["failed_images"] = failed_images;
  extra["label_problems"] = split.label_problems;
  extra["folders_skipped"] = split.dataset.unreadable_folders.size();
  extra["speed_ms"] = nullptr;
  if (done > 0)
    extra["speed_ms"] = {{"preprocess", round_to(total.preprocess_ms / done, 3)},
                         {"inference", round_to(total.inference_ms / done, 3)},
                         {"postprocess", round_to(total.postprocess_ms / done, 3)}};
  if (!report_evaluation(options, split, image_index, images, extra)) outputs_ok = false;
  if (done > 0)
    std::fprintf(stderr, "%s\n",
                 trf(Msg::kSpeed, fixed(total.preprocess_ms / done, 1), fixed(total.inference_ms / done, 1),
                     fixed(total.postprocess_ms / done, 1))
                     .c_str());
  if (failed > 0) {
    print_error(trf(Msg::kSummaryFailed, std::to_string(failed), std::to_string(n)));
    return kExitInputFailed;
  }
  // Skipped label lines or folders change the metrics: not a clean success.
  const bool complete = split.label_problems == 0 && split.dataset.unreadable_folders.empty();
  return outputs_ok && complete ? kExitOk : kExitInputFailed;
}

}  // namespace rkyolo::cli

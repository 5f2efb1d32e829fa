// rkyolo detect: images, directories and globs -> annotated images, YOLO txt
// labels and one JSON array. Bad inputs are reported one sentence each and
// skipped; the exit code says whether everything succeeded. Progress and
// summaries go to standard error: standard output carries only `--json -`.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "rkyolo/annotate.h"
#include "rkyolo/commands.h"
#include "rkyolo/i18n.h"
#include "rkyolo/image_io.h"
#include "rkyolo/log.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

Json detection_json(const Detection& d) {
  Json j;
  j["class_id"] = d.class_id;
  j["label"] = std::string(d.label);
  j["score"] = round_to(d.score, 5);
  j["box"] = {round_to(d.box.x1, 2), round_to(d.box.y1, 2), round_to(d.box.x2, 2), round_to(d.box.y2, 2)};
  return j;
}

std::string summary_of(const DetectionResult& r, const std::vector<std::string>& labels) {
  if (r.detections.empty()) return tr(Msg::kNoDetections);
  std::map<int, int> counts;
  for (const auto& d : r.detections) ++counts[d.class_id];
  std::string s;
  for (const auto& [cls, n] : counts) {
    if (!s.empty()) s += ", ";
    s += std::to_string(n) + " " + labels[cls];
  }
  return s;
}

// A file name in `dir` for `src` whose stem no earlier image of this run
// used (the txt label takes the stem: a/x.jpg and b/x.png must not share it).
std::string unique_output_name(const std::string& src, std::set<std::string>* used_stems) {
  const fs::path p(src);
  std::string stem = p.stem().string(), ext = p.extension().string();
  if (ext.empty()) ext = ".jpg";
  std::string unique = stem;
  for (int i = 1; used_stems->count(unique); ++i) unique = stem + "_" + std::to_string(i);
  used_stems->insert(unique);
  return unique + ext;
}

}  // namespace

int cmd_detect(int argc, char** argv, int first) {
  std::vector<OptionSpec> specs = model_option_specs();
  for (const char* flag : {"--agnostic-nms", "--save-txt", "--save-conf", "--no-save"})
    specs.push_back({flag, false, ""});
  for (const char* opt : {"--source", "--conf", "--iou", "--max-det", "--classes", "--output", "--json"})
    specs.push_back({opt, true, ""});
  Args args;
  int exit_code;
  if (!start_command("detect", argc, argv, first, specs, Msg::kUsageDetect, &args, &exit_code)) return exit_code;
  const bool verbose = args.has("--verbose");
  DetectorOptions options;
  Status s = detector_options_from(args, 0.25f, 0.45f, &options);
  if (s.ok() && !args.has("--source")) s = invalid_argument(trf(Msg::kMissingOption, "--source"));
  if (!s.ok()) {
    print_error(s.message());
    return kExitUsage;
  }
  const std::string out_dir = args.get("--output", "runs/detect");
  const bool save_images = !args.has("--no-save");
  const bool save_txt = args.has("--save-txt");
  const bool save_conf = args.has("--save-conf");
  if (save_conf && !save_txt) print_warning("--save-conf has no effect without --save-txt");
  const std::string json_path = args.get("--json");
  if (!json_path.empty()) {
    s = check_output_file(json_path);
    if (!s.ok()) {
      print_error(s.message());
      return kExitUsage;
    }
  }
  if (save_images || save_txt) {
    s = ensure_directory(out_dir);
    if (s.ok() && save_txt) s = ensure_directory(out_dir + "/labels");
    if (!s.ok()) {
      print_error(s.message());
      return kExitUsage;
    }
  }

  const std::vector<SourceItem> items = collect_sources(args.all("--source"));
  // Never overwrite an input: not with the JSON, not with an annotated copy.
  for (const SourceItem& item : items) {
    if (!item.error.empty()) continue;
    const fs::path folder = fs::path(item.path).parent_path();
    std::string option, value;
    if (!json_path.empty() && same_file(json_path, item.path))
      option = "--json", value = json_path;
    else if (save_images && same_file(folder.empty() ? "." : folder.string(), out_dir))
      option = "--output", value = out_dir;
    if (!option.empty()) {
      print_error(trf(Msg::kBadValue, value, option, "it would overwrite the input image '" + item.path + "'"));
      return kExitUsage;
    }
  }

  std::unique_ptr<Session> session;
  s = open_session(options, verbose, &session);
  if (!s.ok()) {
    print_error(s.message());
    return kExitUsage;
  }

  Json results = Json::array();
  std::set<std::string> used_names;
  int failed = 0, done = 0, saved = 0;  // saved: image and label files written
  bool outputs_failed = false;          // an output file (not an input) could not be written
  StageTiming total;
  DetectionResult result;
  cv::Mat image;
  const int n = static_cast<int>(items.size());
  // An input that failed keeps its place in the JSON with its sentence.
  auto record_failure = [&](const std::string& path, const std::string& message) {
    Json entry;
    entry["image"] = path;
    entry["width"] = nullptr;
    entry["height"] = nullptr;
    entry["detections"] = Json::array();
    entry["timing_ms"] = nullptr;
    entry["error"] = message;
    results.push_back(entry);
    ++failed;
  };
  auto process = [&](int i) {
    const SourceItem& item = items[i];
    Json entry;
    entry["image"] = item.path;
    auto fail = [&](const std::string& message) {
      print_error(message);
      record_failure(item.path, message);
    };
    if (!item.error.empty()) {
      fail(item.error);
      return;
    }
    s = load_image(item.path, &image);
    if (!s.ok()) {
      fail(s.code() == StatusCode::kNotFound ? s.message() : trf(Msg::kImageFailed, item.path, s.message()));
      return;
    }
    const ImageView view{image.data, image.cols, image.rows, image.step[0], PixelFormat::kBgr8};
    s = session->detect(view, &result);
    if (!s.ok()) {
      fail(trf(Msg::kDetectFailed, item.path, s.message()));
      return;
    }
    ++done;
    total.preprocess_ms += result.timing.preprocess_ms;
    total.inference_ms += result.timing.inference_ms;
    total.postprocess_ms += result.timing.postprocess_ms;
    std::fprintf(
        stderr, "%s\n",
        trf(Msg::kImageLine, std::to_string(i + 1), std::to_string(n), item.path, std::to_string(image.cols),
            std::to_string(image.rows), summary_of(result, session->model().labels()), fixed(result.timing.total_ms(), 1))
            .c_str());
    entry["width"] = image.cols;
    entry["height"] = image.rows;
    Json dets = Json::array();
    for (const auto& d : result.detections) dets.push_back(detection_json(d));
    entry["detections"] = dets;
    entry["timing_ms"] = {{"preprocess", round_to(result.timing.preprocess_ms, 3)},
                          {"inference", round_to(result.timing.inference_ms, 3)},
                          {"postprocess", round_to(result.timing.postprocess_ms, 3)}};
    std::string write_error;
    const std::string name = unique_output_name(item.path, &used_names);
    if (save_images) {
      draw_detections(image, result.detections);
      const Status ws = write_image(out_dir + "/" + name, image);
      if (ws.ok()) {
        ++saved;
      } else {
        write_error = ws.message();
        print_error(write_error);
      }
    }
    if (save_txt) {
      std::string lines;
      for (const auto& d : result.detections) {
        char buf[160];
        const double cx = (d.box.x1 + d.box.x2) / 2 / image.cols, cy = (d.box.y1 + d.box.y2) / 2 / image.rows;
        const double w = d.box.width() / image.cols, h = d.box.height() / image.rows;
        if (save_conf)
          std::snprintf(buf, sizeof buf, "%d %.6f %.6f %.6f %.6f %.5f\n", d.class_id, cx, cy, w, h, d.score);
        else
          std::snprintf(buf, sizeof buf, "%d %.6f %.6f %.6f %.6f\n", d.class_id, cx, cy, w, h);
        lines += buf;
      }
      const std::string out = out_dir + "/labels/" + fs::path(name).stem().string() + ".txt";
      Status ws = write_text_atomically(out, lines);
      if (ws.ok()) {
        ++saved;
      } else {
        print_error(ws.message());
        if (write_error.empty()) write_error = ws.message();
      }
    }
    if (!write_error.empty()) {
      entry["error"] = write_error;
      outputs_failed = true;
    }
    results.push_back(entry);
  };
  // Out of memory (or threads) for one input stops the run: the inputs left
  // keep their places in a complete JSON, and the exit code says the run stopped.
  std::string stopped;
  int stopped_at = n;
  for (int i = 0; i < n; ++i) {
    if (!stopped.empty()) {
      record_failure(items[i].path, trf(Msg::kNotProcessed, stopped));
      continue;
    }
    try {
      process(i);
    } catch (const std::bad_alloc&) {
      stopped = tr(Msg::kOutOfMemory);
    } catch (const std::exception& e) {
      stopped = e.what();
    }
    if (!stopped.empty()) {
      stopped_at = i;
      print_error(trf(Msg::kRunStopped, items[i].path, stopped, std::to_string(n - i), std::to_string(n)));
      record_failure(items[i].path, stopped);
    }
  }

  if (!json_path.empty()) {
    // File names need not be UTF-8: invalid bytes become U+FFFD, never an abort.
    s = write_text_atomically(json_path, results.dump(1, ' ', false, Json::error_handler_t::replace) + "\n");
    if (!s.ok()) {
      print_error(s.message());
      outputs_failed = true;
    } else if (verbose) {
      std::fprintf(stderr, "%s\n", trf(Msg::kJsonWritten, json_path).c_str());
    }
  }
  if (done > 0)
    std::fprintf(stderr, "%s\n",
                 trf(Msg::kSpeed, fixed(total.preprocess_ms / done, 1), fixed(total.inference_ms / done, 1),
                     fixed(total.postprocess_ms / done, 1))
                     .c_str());
  if (saved > 0) std::fprintf(stderr, "%s\n", trf(Msg::kSavedTo, out_dir).c_str());
  if (stopped_at < n) return kExitUsage;  // the run did not finish
  if (failed > 0) {
    print_error(trf(Msg::kSummaryFailed, std::to_string(failed), std::to_string(n)));
    return kExitInputFailed;
  }
  if (outputs_failed) return kExitInputFailed;  // each failure was named above
  std::fprintf(stderr, "%s\n", trf(Msg::kSummaryOk, std::to_string(done)).c_str());
  return kExitOk;
}

}  // namespace rkyolo::cli

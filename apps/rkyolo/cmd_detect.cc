// rkyolo detect: images, directories and globs -> annotated images, YOLO txt
// labels and one JSON array; video files, cameras and network streams go
// through the pipeline (detect_video.cc). Bad inputs are reported one
// sentence each and skipped; the exit code says whether everything
// succeeded. Progress and summaries go to standard error: standard output
// carries only `--json -`.

#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "rkyolo/annotate.h"
#include "rkyolo/commands.h"
#include "rkyolo/detect.h"
#include "rkyolo/detection_json.h"
#include "rkyolo/i18n.h"
#include "rkyolo/image_io.h"
#include "rkyolo/live_options.h"
#include "rkyolo/log.h"
#include "rkyolo/model.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"

namespace rkyolo::cli {

namespace fs = std::filesystem;

namespace {

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

// YOLO txt label lines: "class cx cy w h [score]", normalized.
std::string yolo_label_lines(const std::vector<Detection>& detections, int width, int height, bool with_score) {
  std::string lines;
  for (const auto& d : detections) {
    char buf[160];
    const double cx = (d.box.x1 + d.box.x2) / 2 / width, cy = (d.box.y1 + d.box.y2) / 2 / height;
    const double w = d.box.width() / width, h = d.box.height() / height;
    if (with_score)
      std::snprintf(buf, sizeof buf, "%d %.6f %.6f %.6f %.6f %.5f\n", d.class_id, cx, cy, w, h, d.score);
    else
      std::snprintf(buf, sizeof buf, "%d %.6f %.6f %.6f %.6f\n", d.class_id, cx, cy, w, h);
    lines += buf;
  }
  return lines;
}

Json timing_json(const StageTiming& t) {
  return {{"preprocess", round_to(t.preprocess_ms, 3)},
          {"inference", round_to(t.inference_ms, 3)},
          {"postprocess", round_to(t.postprocess_ms, 3)}};
}

// Output files and folders, checked before any work; an output never
// overwrites an input image.
Status check_image_outputs(const DetectConfig& c, const std::vector<SourceItem>& items) {
  if (!c.json_path.empty()) RKYOLO_RETURN_IF_ERROR(check_output_file(c.json_path));
  if (c.save || c.save_txt) {
    RKYOLO_RETURN_IF_ERROR(ensure_directory(c.out_dir));
    if (c.save_txt) RKYOLO_RETURN_IF_ERROR(ensure_directory(c.out_dir + "/labels"));
  }
  for (const SourceItem& item : items) {
    if (!item.error.empty()) continue;
    const fs::path folder = fs::path(item.path).parent_path();
    if (!c.json_path.empty() && same_file(c.json_path, item.path))
      return invalid_argument(
          trf(Msg::kBadValue, c.json_path, "--json", "it would overwrite the input image '" + item.path + "'"));
    if (c.save && same_file(folder.empty() ? "." : folder.string(), c.out_dir))
      return invalid_argument(
          trf(Msg::kBadValue, c.out_dir, "--output", "it would overwrite the input image '" + item.path + "'"));
  }
  return Status();
}

// One run over still images: each input processed in order, failures kept
// in place in the JSON array.
class ImageRun {
 public:
  ImageRun(const DetectConfig& config, std::vector<SourceItem> items, Session* session)
      : c_(config), items_(std::move(items)), session_(session) {}

  int run() {
    process_all();
    return finish();
  }

 private:
  // Out of memory (or threads) for one input stops the run: the inputs left
  // keep their places in a complete JSON, and the exit code says the run stopped.
  void process_all() {
    const int n = static_cast<int>(items_.size());
    for (int i = 0; i < n; ++i) {
      if (!stopped_.empty()) {
        record_failure(items_[i].path, trf(Msg::kNotProcessed, stopped_));
        continue;
      }
      try {
        process(i);
      } catch (const std::bad_alloc&) {
        stopped_ = tr(Msg::kOutOfMemory);
      } catch (const std::exception& e) {
        stopped_ = e.what();
      }
      if (!stopped_.empty()) {
        stopped_at_ = i;
        print_error(trf(Msg::kRunStopped, items_[i].path, stopped_, std::to_string(n - i), std::to_string(n)));
        record_failure(items_[i].path, stopped_);
      }
    }
  }

  // An input that failed keeps its place in the JSON with its sentence.
  void record_failure(const std::string& path, const std::string& message) {
    Json entry;
    entry["image"] = path;
    entry["width"] = nullptr;
    entry["height"] = nullptr;
    entry["detections"] = Json::array();
    entry["timing_ms"] = nullptr;
    entry["error"] = message;
    results_.push_back(entry);
    ++failed_;
  }

  void fail(const std::string& path, const std::string& message) {
    print_error(message);
    record_failure(path, message);
  }

  void process(int i) {
    const SourceItem& item = items_[i];
    if (!item.error.empty()) return fail(item.path, item.error);
    Status s = load_image(item.path, &image_);
    if (!s.ok())
      return fail(item.path,
                  s.code() == StatusCode::kNotFound ? localized(s) : trf(Msg::kImageFailed, item.path, localized(s)));
    const ImageView view{image_.data, image_.cols, image_.rows, image_.step[0], PixelFormat::kBgr8};
    s = session_->detect(view, &result_);
    if (!s.ok()) return fail(item.path, trf(Msg::kDetectFailed, item.path, localized(s)));
    ++done_;
    total_.preprocess_ms += result_.timing.preprocess_ms;
    total_.inference_ms += result_.timing.inference_ms;
    total_.postprocess_ms += result_.timing.postprocess_ms;
    std::fprintf(stderr, "%s\n",
                 trf(Msg::kImageLine, std::to_string(i + 1), std::to_string(items_.size()), item.path,
                     std::to_string(image_.cols), std::to_string(image_.rows),
                     summary_of(result_, session_->model().labels()), fixed(result_.timing.total_ms(), 1))
                     .c_str());
    Json entry;
    entry["image"] = item.path;
    entry["width"] = image_.cols;
    entry["height"] = image_.rows;
    entry["detections"] = detections_json(result_.detections);
    entry["timing_ms"] = timing_json(result_.timing);
    const std::string write_error = save_outputs(item.path);
    if (!write_error.empty()) {
      entry["error"] = write_error;
      outputs_failed_ = true;
    }
    results_.push_back(entry);
  }

  // The annotated image and the txt labels; returns the first write error.
  std::string save_outputs(const std::string& path) {
    std::string write_error;
    const std::string name = unique_output_name(path, &used_names_);
    auto count = [&](const Status& ws) {
      if (ws.ok()) {
        ++saved_;
        return;
      }
      print_error(localized(ws));
      if (write_error.empty()) write_error = localized(ws);
    };
    if (c_.save) {
      draw_detections(image_, result_.detections);
      count(write_image(c_.out_dir + "/" + name, image_));
    }
    if (c_.save_txt) {
      const std::string out = c_.out_dir + "/labels/" + fs::path(name).stem().string() + ".txt";
      count(write_text_atomically(out, yolo_label_lines(result_.detections, image_.cols, image_.rows, c_.save_conf)));
    }
    return write_error;
  }

  int finish() {
    if (!c_.json_path.empty()) {
      // File names need not be UTF-8: invalid bytes become U+FFFD, never an abort.
      const Status s =
          write_text_atomically(c_.json_path, results_.dump(1, ' ', false, Json::error_handler_t::replace) + "\n");
      if (!s.ok()) {
        print_error(localized(s));
        outputs_failed_ = true;
      } else if (c_.verbose) {
        std::fprintf(stderr, "%s\n", trf(Msg::kJsonWritten, c_.json_path).c_str());
      }
    }
    if (done_ > 0)
      std::fprintf(stderr, "%s\n",
                   trf(Msg::kSpeed, fixed(total_.preprocess_ms / done_, 1), fixed(total_.inference_ms / done_, 1),
                       fixed(total_.postprocess_ms / done_, 1))
                       .c_str());
    if (saved_ > 0) std::fprintf(stderr, "%s\n", trf(Msg::kSavedTo, c_.out_dir).c_str());
    const int n = static_cast<int>(items_.size());
    if (stopped_at_ < n) return kExitUsage;  // the run did not finish
    if (failed_ > 0) {
      print_error(trf(Msg::kSummaryFailed, std::to_string(failed_), std::to_string(n)));
      return kExitInputFailed;
    }
    if (outputs_failed_) return kExitInputFailed;  // each failure was named above
    std::fprintf(stderr, "%s\n", trf(Msg::kSummaryOk, std::to_string(done_)).c_str());
    return kExitOk;
  }

  const DetectConfig& c_;
  const std::vector<SourceItem> items_;
  Session* session_;
  Json results_ = Json::array();
  std::set<std::string> used_names_;
  int failed_ = 0, done_ = 0, saved_ = 0;  // saved: image and label files written
  bool outputs_failed_ = false;            // an output file (not an input) could not be written
  std::string stopped_;
  int stopped_at_ = INT_MAX;
  StageTiming total_;
  DetectionResult result_;
  cv::Mat image_;
};

}  // namespace

std::vector<OptionSpec> detect_option_specs() {
  std::vector<OptionSpec> specs = model_option_specs();
  for (const OptionSpec& o : live_option_specs()) specs.push_back(o);
  for (const char* flag : {"--agnostic-nms", "--save-txt", "--save-conf", "--no-save", "--save", "--stream-buffer"})
    specs.push_back({flag, false, ""});
  for (const char* opt : {"--source", "--conf", "--iou", "--max-det", "--classes", "--output", "--json", "--stats",
                          "--codec", "--vid-stride"})
    specs.push_back({opt, true, ""});
  return specs;
}

Status detect_config_from(const Args& args, DetectConfig* c) {
  RKYOLO_RETURN_IF_ERROR(detector_options_from(args, 0.25f, 0.45f, &c->detector));
  if (!args.has("--source")) return invalid_argument(trf(Msg::kMissingOption, "--source"));
  c->args = &args;
  c->out_dir = args.get("--output", "runs/detect");
  c->json_path = args.get("--json");
  c->stats_path = args.get("--stats");
  c->codec = args.get("--codec");
  c->save = !args.has("--no-save");
  c->save_live = args.has("--save");
  if (c->save_live && !c->save) return invalid_argument(trf(Msg::kContradictingOptions, "--save", "--no-save"));
  c->save_txt = args.has("--save-txt");
  c->save_conf = args.has("--save-conf");
  c->stream_buffer = args.has("--stream-buffer");
  c->verbose = args.has("--verbose");
  if (args.has("--vid-stride"))
    RKYOLO_RETURN_IF_ERROR(parse_int("--vid-stride", args.get("--vid-stride"), 1, 10000, &c->vid_stride));
  if (args.has("--codec") && c->codec.empty())
    return invalid_argument(trf(Msg::kBadValue, "", "--codec", "expected an FFmpeg encoder name such as libx264"));
  return Status();
}

Status split_sources(const std::vector<std::string>& values, std::vector<std::string>* images,
                     std::vector<SourceSpec>* videos) {
  for (const std::string& value : values) {
    const SourceSpec spec = classify_source(value);
    if (spec.kind == SourceKind::kOther) {
      images->push_back(value);
    } else if (spec.kind == SourceKind::kStreamList) {
      std::vector<SourceSpec> listed;
      RKYOLO_RETURN_IF_ERROR(read_stream_list(spec.location, &listed));
      videos->insert(videos->end(), listed.begin(), listed.end());
    } else {
      videos->push_back(spec);
    }
  }
  if (!images->empty() && !videos->empty())
    return invalid_argument(trf(Msg::kVideoMixed, images->front(), videos->front().location));
  return Status();
}

int run_images(const DetectConfig& c, const std::vector<std::string>& sources) {
  if (c.args != nullptr)
    for (const OptionSpec& o : live_option_specs())
      if (c.args->has(o.name)) {
        print_error(trf(Msg::kLiveNeedsVideo, o.name, sources.front()));
        return kExitUsage;
      }
  if (c.save_conf && !c.save_txt) print_warning(tr(Msg::kSaveConfNeedsSaveTxt));
  std::vector<SourceItem> items = collect_sources(sources);
  Status s = check_image_outputs(c, items);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  std::unique_ptr<Session> session;
  s = open_session(c.detector, c.verbose, &session);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  return ImageRun(c, std::move(items), session.get()).run();
}

int cmd_detect(int argc, char** argv, int first) {
  Args args;
  int exit_code;
  if (!start_command("detect", argc, argv, first, detect_option_specs(), Msg::kUsageDetect, &args, &exit_code))
    return exit_code;
  DetectConfig config;
  std::vector<std::string> images;
  std::vector<SourceSpec> videos;
  Status s = detect_config_from(args, &config);
  if (s.ok()) s = split_sources(args.all("--source"), &images, &videos);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  return videos.empty() ? run_images(config, images) : run_video(config, videos);
}

}  // namespace rkyolo::cli

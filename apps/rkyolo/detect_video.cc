// rkyolo detect on video: files, cameras and network streams through the
// pipeline (rkyolo::pipeline), with three outputs as sinks: an annotated
// video per stream, JSON lines, and the summary (standard error, --stats).
// Ctrl-C or SIGTERM stops the sources, drains the queued frames and
// finishes every file before the summary.

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>

#include "rkyolo/commands.h"
#include "rkyolo/detect.h"
#include "rkyolo/i18n.h"
#include "rkyolo/live_options.h"
#include "rkyolo/model.h"
#include "rkyolo/options.h"
#include "rkyolo/output_util.h"
#include "rkyolo/pipeline.h"
#include "rkyolo/signal_watch.h"
#include "rkyolo/video.h"
#include "rkyolo/video_sinks.h"

namespace rkyolo::cli {

namespace fs = std::filesystem;

namespace {

// What a stream's output files are called: a file's stem, a camera's device
// name ("video0"), a URL's host, port and path ("127.0.0.1_8554_cam").
std::string stream_stem(const SourceSpec& spec) {
  if (spec.kind != SourceKind::kNetwork) {
    const std::string stem = fs::path(spec.location).stem().string();
    return stem.empty() ? "stream" : stem;
  }
  std::string text = spec.location;
  const std::size_t scheme = text.find("://");
  if (scheme != std::string::npos) text = text.substr(scheme + 3);
  const std::size_t at = text.rfind('@', text.find('/'));  // leave credentials out of file names
  if (at != std::string::npos) text = text.substr(at + 1);
  std::string stem;
  for (const char ch : text) {
    const bool keep = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-';
    if (keep)
      stem += ch;
    else if (!stem.empty() && stem.back() != '_')
      stem += '_';
    if (stem.size() >= 80) break;
  }
  while (!stem.empty() && (stem.back() == '_' || stem.back() == '.')) stem.pop_back();
  return stem.empty() ? "stream" : stem;
}

// The annotated video of each stream, "" when not saved: files are saved
// unless --no-save, live sources only with --save. Names are unique in the
// run and never an input's.
std::vector<std::string> video_paths(const DetectConfig& c, const std::vector<SourceSpec>& specs,
                                     const std::vector<bool>& live) {
  std::vector<std::string> paths;
  std::set<std::string> used;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (!c.save || (live[i] && !c.save_live)) {
      paths.emplace_back();
      continue;
    }
    const std::string stem = stream_stem(specs[i]);
    std::string path;
    for (int n = 0; path.empty() || used.count(path) != 0; ++n) {
      path = (fs::path(c.out_dir) / ((n == 0 ? stem : stem + "_" + std::to_string(n)) + ".mp4")).string();
      for (const SourceSpec& input : specs)
        if (same_file(path, input.location)) path.clear();
      if (path.empty()) continue;
    }
    used.insert(path);
    paths.push_back(path);
  }
  return paths;
}

// Output files named by options, checked before any work; they never
// overwrite an input video.
Status check_video_outputs(const DetectConfig& c, const std::vector<SourceSpec>& specs) {
  for (const auto& [option, path] : {std::pair<const char*, const std::string&>{"--json", c.json_path},
                                     std::pair<const char*, const std::string&>{"--stats", c.stats_path}}) {
    if (path.empty()) continue;
    RKYOLO_RETURN_IF_ERROR(check_output_file(path));
    for (const SourceSpec& spec : specs)
      if (spec.kind == SourceKind::kVideoFile && same_file(path, spec.location))
        return invalid_argument(
            trf(Msg::kBadValue, path, option, "it would overwrite the input video '" + spec.location + "'"));
  }
  if (!c.json_path.empty() && c.json_path == c.stats_path)
    return invalid_argument(trf(Msg::kBadValue, c.stats_path, "--stats", "--json writes that file already"));
  if (c.save) RKYOLO_RETURN_IF_ERROR(ensure_directory(c.out_dir));
  if (!c.codec.empty()) {
    const Status s = find_video_encoder(c.codec);
    if (!s.ok()) return invalid_argument(trf(Msg::kBadValue, c.codec, "--codec", localized(s)));
  }
  return Status();
}

VideoSourceOptions source_options(const DetectConfig& c) {
  VideoSourceOptions options;
  options.vid_stride = c.vid_stride;
  return options;
}

// A run of the pipeline with the CLI's sinks; the pipeline reports every
// stream's fate to them.
class VideoRun {
 public:
  VideoRun(const DetectConfig& config, std::vector<SourceSpec> specs, const VideoRunHooks& hooks)
      : c_(config), specs_(std::move(specs)), hooks_(hooks) {}

  int run(SignalWatch& signals) {
    int code = start();
    if (code != kExitOk) return code;
    signals.set_handler([this] { pipeline_->stop(); });
    const Status run_status = pipeline_->run();
    signals.set_handler([] {});  // from here on a signal is only remembered: the files are being finished
    return finish(run_status, signals.signal());
  }

 private:
  int start() {
    register_builtin_backends();
    std::shared_ptr<const Model> model;
    Status s = Model::load(c_.detector, &model);
    if (!s.ok()) {
      print_error(trf(Msg::kCannotLoadModel, localized(s)));
      return kExitUsage;
    }
    if (c_.verbose) std::fprintf(stderr, "%s\n", model->backend_choice().c_str());
    if (c_.args != nullptr) {  // q or Esc in a window stops the run as Ctrl-C does
      s = make_live_outputs(
          *c_.args, [this] { pipeline_->stop(); }, &live_outputs_);
      if (!s.ok()) {
        print_error(localized(s));
        return kExitUsage;
      }
      if (live_outputs_.mqtt && hooks_.mqtt) hooks_.mqtt(live_outputs_.mqtt.get());
    }
    pipeline::PipelineOptions options;
    options.stream_buffer = c_.stream_buffer;
    // Two Sessions per NPU core: one letterboxes and decodes while the
    // other's run keeps the core busy (README Performance: 85% of the
    // emulated cores' ceiling with one, 99-100% with two).
    if (!model->placements().empty() && model->placements()[0].device == Placement::Device::kNpu)
      options.sessions_per_placement = 2;
    if (c_.verbose) options.stats_interval = std::chrono::seconds(5);
    if (live_outputs_.stats_interval.count() > 0 &&
        (options.stats_interval.count() == 0 || live_outputs_.stats_interval < options.stats_interval))
      options.stats_interval = live_outputs_.stats_interval;
    s = pipeline::Pipeline::create(std::move(model), options, &pipeline_);
    if (!s.ok()) {
      print_error(localized(s));
      return kExitUsage;
    }
    open_sources();
    for (pipeline::FrameStage* stage : hooks_.stages) pipeline_->add_stage(stage);
    add_sinks();
    return kExitOk;
  }

  // A source that cannot be opened is added as failed: the others go on.
  void open_sources() {
    const VideoSourceOptions options = source_options(c_);
    for (const SourceSpec& spec : specs_) {
      std::unique_ptr<VideoSource> source;
      const Status s = VideoSource::open(spec, options, &source);
      live_.push_back(s.ok() && source->info().live);
      if (s.ok())
        pipeline_->add_source(spec.location, std::move(source));
      else
        pipeline_->add_failed_source(spec.location, s);
    }
  }

  void add_sinks() {
    pipeline_->add_sink(&summary_);
    for (pipeline::Sink* sink : live_outputs_.sinks()) pipeline_->add_sink(sink);
    if (!c_.json_path.empty()) {
      const Status s = lines_.open(c_.json_path);  // checked writable above; a late failure is named
      if (!s.ok()) {
        print_error(localized(s));
        outputs_failed_ = true;
      } else {
        json_ = std::make_unique<JsonLinesSink>(&lines_);
        pipeline_->add_sink(json_.get());
      }
    }
    const std::vector<std::string> paths = video_paths(c_, specs_, live_);
    for (const std::string& path : paths)
      if (!path.empty()) {
        video_ = std::make_unique<AnnotatedVideoSink>(paths, c_.codec);
        if (hooks_.draw) video_->set_draw(hooks_.draw);
        pipeline_->add_sink(video_.get());
        break;
      }
  }

  int finish(const Status& run_status, int signal) {
    if (!run_status.ok()) outputs_failed_ = true;  // each sink named its error
    const pipeline::PipelineStats stats = pipeline_->stats();
    summary_.print(stats);
    if (hooks_.summary) hooks_.summary();
    if (!c_.stats_path.empty()) {
      Json json = summary_.stats_json(stats);
      if (hooks_.stream_stats)
        for (Json& stream : json["streams"]) hooks_.stream_stats(stream["stream"].get<int>(), &stream);
      const Status s = write_text_atomically(c_.stats_path, json.dump(1) + "\n");
      if (!s.ok()) {
        print_error(localized(s));
        outputs_failed_ = true;
      }
    }
    if (video_ != nullptr && !video_->written().empty())
      std::fprintf(stderr, "%s\n", trf(Msg::kVideoSavedTo, c_.out_dir).c_str());
    if (signal != 0) return 128 + signal;
    const int failed = summary_.failed_streams(stats);
    if (failed > 0) {
      print_error(trf(Msg::kVideoStreamsFailed, std::to_string(failed), std::to_string(specs_.size())));
      return kExitInputFailed;
    }
    if (outputs_failed_) return kExitInputFailed;
    std::int64_t processed = 0;
    for (const pipeline::StreamStats& s : stats.streams) processed += s.processed;
    std::fprintf(stderr, "%s\n",
                 trf(Msg::kVideoSummaryOk, std::to_string(processed), std::to_string(specs_.size())).c_str());
    return kExitOk;
  }

  const DetectConfig& c_;
  const std::vector<SourceSpec> specs_;
  const VideoRunHooks& hooks_;
  std::vector<bool> live_;
  std::unique_ptr<pipeline::Pipeline> pipeline_;
  SummarySink summary_{c_.verbose};
  LineWriter lines_;
  std::unique_ptr<JsonLinesSink> json_;
  std::unique_ptr<AnnotatedVideoSink> video_;
  LiveOutputs live_outputs_;
  bool outputs_failed_ = false;
};

}  // namespace

int run_video(const DetectConfig& c, const std::vector<SourceSpec>& specs, const VideoRunHooks& hooks) {
  // Before any thread starts: the signals are then blocked in all of them.
  SignalWatch signals;
  if (c.save_txt) print_warning(trf(Msg::kVideoImagesOnly, "--save-txt"));
  const Status s = check_video_outputs(c, specs);
  if (!s.ok()) {
    print_error(localized(s));
    return kExitUsage;
  }
  return VideoRun(c, specs, hooks).run(signals);
}

}  // namespace rkyolo::cli

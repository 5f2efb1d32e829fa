#include "rkyolo/live_show.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <opencv2/highgui.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "rkyolo/live_frame.h"
#include "rkyolo/live_json.h"

namespace rkyolo::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kKeyPollMs = 15;  // the UI thread's wait for keys between frames
constexpr int kKeyEsc = 27;
constexpr int kGridDefaultFrameWidth = 640, kGridDefaultFrameHeight = 360;  // before any frame
constexpr char kGridWindow[] = "rkyolo";

// One stream: the pipeline thread copies into `staging`, the UI thread takes
// it from there. Every buffer is reused from frame to frame.
struct StreamView {
  int id = 0;
  std::string source, title;
  std::mutex frame_mu;  // staging, pending
  FrameCopy staging;
  bool pending = false;
  // Guarded by Impl::mu.
  Clock::time_point last_copy{}, window_start{};
  std::int64_t window_frames = 0;
  double fps = 0;
  std::int64_t dropped = 0;
  pipeline::StreamStatus status = pipeline::StreamStatus::kStarting;
  // The UI thread's own: the frame on show, its rendering, what the overlay says.
  FrameCopy shown;
  cv::Mat rendered;
  bool render_stale = false, window_open = false;
  double ui_fps = 0;
  std::int64_t ui_dropped = 0;
  pipeline::StreamStatus ui_status = pipeline::StreamStatus::kStarting;
};

bool is_offline(pipeline::StreamStatus status) {
  return status == pipeline::StreamStatus::kReconnecting || status == pipeline::StreamStatus::kEnded ||
         status == pipeline::StreamStatus::kFailed;
}

// White text with a black outline: readable on any picture.
void outlined_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness) {
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), thickness + 2, cv::LINE_AA);
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
}

std::string stats_line(const StreamView& v) {
  char text[128];
  std::snprintf(text, sizeof text, "%.1f FPS  dropped %lld  %s", v.ui_fps, static_cast<long long>(v.ui_dropped),
                std::string(stream_status_word(v.ui_status)).c_str());
  return text;
}

}  // namespace

GridGeometry grid_geometry(int n, int frame_width, int frame_height, int bound_width, int bound_height) {
  GridGeometry g;
  if (n <= 0 || frame_width <= 0 || frame_height <= 0) return g;
  g.cols = 1;
  while (g.cols * g.cols < n) ++g.cols;
  g.rows = (n + g.cols - 1) / g.cols;
  const double s = std::min({1.0, static_cast<double>(bound_width) / (g.cols * frame_width),
                             static_cast<double>(bound_height) / (g.rows * frame_height)});
  constexpr double kEpsilon = 1e-9;  // bound / cols * cols is the bound, not one pixel less
  g.tile_width = std::max(1, static_cast<int>(std::floor(frame_width * s + kEpsilon)));
  g.tile_height = std::max(1, static_cast<int>(std::floor(frame_height * s + kEpsilon)));
  return g;
}

struct ShowSink::Impl {
  ShowOptions options;
  std::mutex mu;
  std::condition_variable cv;
  std::map<int, std::unique_ptr<StreamView>> streams;
  bool changed = false;  // a stream came, or its status or counters changed: the grid is drawn again
  bool stopping = false;
  std::atomic<bool> quit{false};
  std::atomic<std::int64_t> shown{0};
  std::thread ui;
  // The UI thread's own, reused.
  std::vector<StreamView*> views;
  cv::Mat canvas, grey;
  GridGeometry geometry;
  bool grid_open = false;

  StreamView* view_locked(int id, const std::string& source) {
    auto& v = streams[id];
    if (!v) {
      v = std::make_unique<StreamView>();
      v->id = id;
      v->source = source;
      v->title = "rkyolo " + std::to_string(id) + ": " + source;
      changed = true;
    }
    return v.get();
  }

  void ui_loop() {
    for (;;) {
      bool recompose = false;
      {
        std::unique_lock lock(mu);
        cv.wait_for(lock, std::chrono::milliseconds(kKeyPollMs), [&] { return stopping; });
        if (stopping) break;
        views.clear();
        for (auto& [id, v] : streams) {
          views.push_back(v.get());
          v->ui_fps = v->fps;
          v->ui_dropped = v->dropped;
          v->ui_status = v->status;
        }
        recompose = std::exchange(changed, false);
      }
      if (options.layout == ShowLayout::kGrid)
        show_grid(recompose);
      else
        show_windows();
      const int key = cv::waitKey(1);
      if ((key == 'q' || key == 'Q' || key == kKeyEsc) && !quit.exchange(true) && options.on_quit) options.on_quit();
    }
    cv::destroyAllWindows();
    cv::waitKey(1);
  }

  // Takes the stream's pending frame, if any, into `shown`.
  static bool take_frame(StreamView* v) {
    std::lock_guard frame_lock(v->frame_mu);
    if (!v->pending) return false;
    std::swap(v->shown, v->staging);
    v->pending = false;
    return true;
  }

  void show_windows() {
    for (StreamView* v : views) {
      if (!take_frame(v)) continue;
      render_frame(v->shown, options.max_width, &v->rendered);
      if (v->rendered.empty()) continue;
      outlined_text(v->rendered, stats_line(*v), cv::Point(8, 22), 0.6, 1);
      if (!v->window_open) {  // the picture only: no Qt toolbar or status bar
        cv::namedWindow(v->title, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);
        v->window_open = true;
      }
      cv::imshow(v->title, v->rendered);
      ++shown;
    }
  }

  void show_grid(bool recompose) {
    for (StreamView* v : views)
      if (take_frame(v)) v->render_stale = recompose = true;
    if (!recompose || views.empty()) return;
    int frame_width = 0, frame_height = 0;
    for (const StreamView* v : views) {
      frame_width = std::max(frame_width, v->shown.width);
      frame_height = std::max(frame_height, v->shown.height);
    }
    if (frame_width == 0 || frame_height == 0)
      frame_width = kGridDefaultFrameWidth, frame_height = kGridDefaultFrameHeight;
    const GridGeometry g = grid_geometry(static_cast<int>(views.size()), frame_width, frame_height, options.grid_width,
                                         options.grid_height);
    if (g.cols != geometry.cols || g.rows != geometry.rows || g.tile_width != geometry.tile_width ||
        g.tile_height != geometry.tile_height)
      for (StreamView* v : views) v->render_stale = true;
    geometry = g;
    canvas.create(g.rows * g.tile_height, g.cols * g.tile_width, CV_8UC3);
    canvas.setTo(cv::Scalar::all(0));
    for (std::size_t i = 0; i < views.size(); ++i) {
      StreamView& v = *views[i];
      const int index = static_cast<int>(i);
      cv::Mat cell = canvas(
          cv::Rect((index % g.cols) * g.tile_width, (index / g.cols) * g.tile_height, g.tile_width, g.tile_height));
      if (!v.shown.empty()) {
        const double k = std::min(static_cast<double>(g.tile_width) / v.shown.width,
                                  static_cast<double>(g.tile_height) / v.shown.height);
        const int w = std::clamp(static_cast<int>(std::lround(v.shown.width * k)), 1, g.tile_width);
        const int h = std::clamp(static_cast<int>(std::lround(v.shown.height * k)), 1, g.tile_height);
        if (v.render_stale || v.rendered.cols != w || v.rendered.rows != h)
          render_frame_sized(v.shown, cv::Size(w, h), &v.rendered);
        v.render_stale = false;
        cv::Mat picture = cell(cv::Rect((g.tile_width - w) / 2, (g.tile_height - h) / 2, w, h));
        v.rendered.copyTo(picture);
        if (is_offline(v.ui_status)) {
          cv::cvtColor(picture, grey, cv::COLOR_BGR2GRAY);
          cv::cvtColor(grey, picture, cv::COLOR_GRAY2BGR);
          picture.convertTo(picture, -1, 0.5);
        }
      }
      if (is_offline(v.ui_status) || v.shown.empty()) {
        const std::string word(stream_status_word(v.ui_status));
        int base = 0;
        const cv::Size ts = cv::getTextSize(word, cv::FONT_HERSHEY_SIMPLEX, 1.2, 2, &base);
        outlined_text(cell, word, cv::Point((cell.cols - ts.width) / 2, (cell.rows + ts.height) / 2), 1.2, 2);
      }
      outlined_text(cell, std::to_string(v.id) + ": " + v.source, cv::Point(8, 20), 0.5, 1);
      outlined_text(cell, stats_line(v), cv::Point(8, 42), 0.5, 1);
    }
    if (!grid_open) {  // the picture only: no Qt toolbar or status bar
      cv::namedWindow(kGridWindow, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);
      grid_open = true;
    }
    cv::imshow(kGridWindow, canvas);
    ++shown;
  }

  void stop() {
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      stopping = true;
    }
    cv.notify_all();
    if (ui.joinable()) ui.join();
  }

  ~Impl() { stop(); }
};

ShowSink::ShowSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ShowSink::~ShowSink() = default;

Status ShowSink::create(const ShowOptions& options, std::unique_ptr<ShowSink>* out) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland))
    return invalid_argument(
        "--show needs a display (DISPLAY is not set): on a headless board use --serve PORT and a browser");
  if (options.max_width < 16 || options.grid_width < 16 || options.grid_height < 16 || options.max_fps <= 0)
    return invalid_argument("--show: widths and heights >= 16 and fps > 0 are needed");
  // highgui's Qt answers only the thread that first used it: a second UI
  // thread would wait on it forever.
  static std::atomic<bool> used{false};
  if (used.exchange(true))
    return Status(StatusCode::kUnimplemented,
                  "--show: one window sink per process (highgui serves only its first UI thread)");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  Impl* self = impl.get();
  impl->ui = std::thread([self] { self->ui_loop(); });
  out->reset(new ShowSink(std::move(impl)));
  return Status();
}

void ShowSink::on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status&) {
  std::lock_guard lock(impl_->mu);
  StreamView* v = impl_->view_locked(stream.stream, stream.source);
  if (v->status != status) impl_->changed = true;
  v->status = status;
}

void ShowSink::on_frame(const pipeline::FrameResult& r) {
  Impl& s = *impl_;
  const int id = r.stream ? r.stream->stream : (r.result ? r.result->tag.stream : 0);
  const auto now = Clock::now();
  StreamView* v = nullptr;
  {
    std::lock_guard lock(s.mu);
    static const std::string kNoSource;
    v = s.view_locked(id, r.stream ? r.stream->source : kNoSource);  // a reference: no copy per frame
    if (v->window_frames == 0) v->window_start = now;
    ++v->window_frames;
    const double window = std::chrono::duration<double>(now - v->window_start).count();
    if (window >= 1.0) {
      v->fps = (v->window_frames - 1) / window;
      v->window_frames = 0;
    }
    const auto period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / s.options.max_fps));
    if (v->last_copy != Clock::time_point{} && now - v->last_copy < period) return;
    v->last_copy = now;
  }
  static const std::vector<Detection> kNone;
  std::lock_guard frame_lock(v->frame_mu);
  copy_frame(r.image, r.result ? r.result->detections : kNone, r.result ? r.result->tag.frame : -1, &v->staging);
  v->pending = !v->staging.empty();
}

void ShowSink::on_stats(const pipeline::PipelineStats& stats) {
  std::lock_guard lock(impl_->mu);
  for (const pipeline::StreamStats& st : stats.streams) {
    auto it = impl_->streams.find(st.stream);
    if (it == impl_->streams.end()) continue;
    StreamView& v = *it->second;
    if (v.dropped != st.dropped || v.status != st.status) impl_->changed = true;
    v.dropped = st.dropped;
    v.status = st.status;
  }
}

Status ShowSink::close() {
  impl_->stop();
  return Status();
}

std::int64_t ShowSink::frames_shown() const {
  return impl_->shown;
}
bool ShowSink::quit_requested() const {
  return impl_->quit;
}

}  // namespace rkyolo::cli

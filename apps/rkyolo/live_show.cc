#include "rkyolo/live_show.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <opencv2/highgui.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <thread>

#include "rkyolo/live_frame.h"
#include "rkyolo/live_json.h"

namespace rkyolo::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kKeyPollMs = 15;  // the UI thread's wait for keys between frames
constexpr int kKeyEsc = 27;

struct Window {
  std::string name;
  std::mutex frame_mu;  // staging, pending
  FrameCopy staging;
  bool pending = false;
  // Guarded by Impl::mu.
  Clock::time_point last_copy{}, window_start{};
  std::int64_t window_frames = 0;
  double fps = 0;
  std::int64_t dropped = 0;
  std::string status = "starting";
};

}  // namespace

struct ShowSink::Impl {
  ShowOptions options;
  std::mutex mu;
  std::condition_variable cv;
  std::map<int, std::unique_ptr<Window>> windows;
  bool stopping = false;
  std::atomic<bool> quit{false};
  std::atomic<std::int64_t> shown{0};
  std::thread ui;

  Window* window_locked(int id, const std::string& source) {
    auto& w = windows[id];
    if (!w) {
      w = std::make_unique<Window>();
      w->name = "rkyolo " + std::to_string(id) + ": " + source;
    }
    return w.get();
  }

  void ui_loop() {
    FrameCopy work;
    cv::Mat bgr;
    std::set<std::string> opened;
    for (;;) {
      std::vector<Window*> todo;
      {
        std::unique_lock lock(mu);
        cv.wait_for(lock, std::chrono::milliseconds(kKeyPollMs), [&] { return stopping; });
        if (stopping) break;
        for (auto& [id, w] : windows) todo.push_back(w.get());
      }
      for (Window* w : todo) {
        {
          std::lock_guard frame_lock(w->frame_mu);
          if (!w->pending) continue;
          std::swap(work, w->staging);
          w->pending = false;
        }
        render_frame(work, options.max_width, &bgr);
        if (bgr.empty()) continue;
        std::string overlay;
        {
          std::lock_guard lock(mu);
          char text[128];
          std::snprintf(text, sizeof text, "%.1f FPS  dropped %lld  %s", w->fps, static_cast<long long>(w->dropped),
                        w->status.c_str());
          overlay = text;
        }
        cv::putText(bgr, overlay, cv::Point(8, 22), cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
        cv::putText(bgr, overlay, cv::Point(8, 22), cv::FONT_HERSHEY_SIMPLEX, 0.6, cv::Scalar(255, 255, 255), 1,
                    cv::LINE_AA);
        if (opened.insert(w->name).second)  // the picture only: no Qt toolbar or status bar
          cv::namedWindow(w->name, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);
        cv::imshow(w->name, bgr);
        ++shown;
      }
      const int key = cv::waitKey(1);
      if ((key == 'q' || key == 'Q' || key == kKeyEsc) && !quit.exchange(true) && options.on_quit) options.on_quit();
    }
    cv::destroyAllWindows();
    cv::waitKey(1);
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
  if (options.max_width < 16 || options.max_fps <= 0)
    return invalid_argument("--show: width >= 16 and fps > 0 are needed");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  Impl* self = impl.get();
  impl->ui = std::thread([self] { self->ui_loop(); });
  out->reset(new ShowSink(std::move(impl)));
  return Status();
}

void ShowSink::on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status&) {
  std::lock_guard lock(impl_->mu);
  impl_->window_locked(stream.stream, stream.source)->status = std::string(stream_status_word(status));
}

void ShowSink::on_frame(const pipeline::FrameResult& r) {
  Impl& s = *impl_;
  const int id = r.stream ? r.stream->stream : (r.result ? r.result->tag.stream : 0);
  const auto now = Clock::now();
  Window* w = nullptr;
  {
    std::lock_guard lock(s.mu);
    w = s.window_locked(id, r.stream ? r.stream->source : std::string());
    if (w->window_frames == 0) w->window_start = now;
    ++w->window_frames;
    const double window = std::chrono::duration<double>(now - w->window_start).count();
    if (window >= 1.0) {
      w->fps = (w->window_frames - 1) / window;
      w->window_frames = 0;
    }
    const auto period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / s.options.max_fps));
    if (w->last_copy != Clock::time_point{} && now - w->last_copy < period) return;
    w->last_copy = now;
  }
  static const std::vector<Detection> kNone;
  std::lock_guard frame_lock(w->frame_mu);
  copy_frame(r.image, r.result ? r.result->detections : kNone, r.result ? r.result->tag.frame : -1, &w->staging);
  w->pending = !w->staging.empty();
}

void ShowSink::on_stats(const pipeline::PipelineStats& stats) {
  std::lock_guard lock(impl_->mu);
  for (const pipeline::StreamStats& st : stats.streams) {
    auto it = impl_->windows.find(st.stream);
    if (it == impl_->windows.end()) continue;
    it->second->dropped = st.dropped;
    it->second->status = std::string(stream_status_word(st.status));
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

#include "rkyolo/live_web.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>
#include <vector>

#include "rkyolo/live_frame.h"
#include "rkyolo/live_json.h"

namespace rkyolo::cli {

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

constexpr char kBoundary[] = "rkyoloframe";
constexpr auto kViewerPoll = std::chrono::seconds(1);  // a waiting viewer checks its socket and shutdown this often
constexpr int kSpareServerThreads = 4;                 // page, API and health requests beside the viewers

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// One stream as the view knows it. Metadata and the JPEG are guarded by
// Impl::mu; the staging copy by frame_mu (held by on_frame for one memcpy
// and by the encoder for one swap).
struct StreamView {
  int id = 0;
  std::string source;
  std::string status = "starting";
  std::string why;
  int width = 0, height = 0;
  std::int64_t processed = 0, dropped = 0, failed = 0;
  double fps_in = 0, fps_out = 0;
  Clock::time_point window_start{};
  std::int64_t window_frames = 0;
  Clock::time_point last_copy{};
  std::string latest = "null";  // frame_json of the latest copied frame

  std::shared_ptr<const std::string> jpeg;
  std::uint64_t seq = 0;
  int viewers = 0;  // MJPEG viewers and JPEG requests of this stream: only watched streams are encoded

  std::mutex frame_mu;
  FrameCopy staging;
  std::atomic<bool> pending{false};
};

}  // namespace

struct WebSink::Impl {
  WebOptions options;
  httplib::Server server;
  int port = 0;
  std::thread server_thread, encoder;

  mutable std::mutex mu;
  std::condition_variable work_cv;                   // encoder: a pending frame and a viewer, or stop
  std::condition_variable jpeg_cv;                   // viewers: a new JPEG, or stop
  std::vector<std::unique_ptr<StreamView>> streams;  // by stream index; never shrinks
  bool stopping = false;
  WebCounters counters;

  StreamView* view_locked(int id) {
    if (id < 0) id = 0;
    if (static_cast<std::size_t>(id) >= streams.size()) streams.resize(static_cast<std::size_t>(id) + 1);
    auto& v = streams[static_cast<std::size_t>(id)];
    if (!v) {
      v = std::make_unique<StreamView>();
      v->id = id;
    }
    return v.get();
  }

  StreamView* find_locked(int id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= streams.size()) return nullptr;
    return streams[static_cast<std::size_t>(id)].get();
  }

  void encode_loop() {
    FrameCopy work;
    cv::Mat bgr;
    std::vector<uchar> buf;
    const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality};
    std::unique_lock lock(mu);
    for (;;) {
      work_cv.wait(lock, [&] { return stopping || any_watched_pending_locked(); });
      if (stopping) return;
      for (std::size_t i = 0; i < streams.size(); ++i) {
        StreamView* v = streams[i].get();
        if (!v || !v->pending || v->viewers == 0) continue;
        lock.unlock();
        {
          std::lock_guard frame_lock(v->frame_mu);
          std::swap(work, v->staging);
          v->pending = false;
        }
        render_frame(work, options.max_width, &bgr);
        const bool ok = !bgr.empty() && cv::imencode(".jpg", bgr, buf, params);
        lock.lock();
        if (ok) {
          v->jpeg = std::make_shared<const std::string>(buf.begin(), buf.end());
          ++v->seq;
          ++counters.encoded;
          jpeg_cv.notify_all();
        }
      }
    }
  }

  bool any_watched_pending_locked() const {
    for (const auto& v : streams)
      if (v && v->pending && v->viewers > 0) return true;
    return false;
  }

  Json stream_json_locked(const StreamView& v) const {
    const std::string base = "/stream/" + std::to_string(v.id);
    return Json{{"stream", v.id},           {"source", v.source},
                {"status", v.status},       {"why", v.why},
                {"width", v.width},         {"height", v.height},
                {"processed", v.processed}, {"dropped", v.dropped},
                {"failed", v.failed},       {"fps_in", v.fps_in},
                {"fps_out", v.fps_out},     {"mjpeg", base + ".mjpg"},
                {"jpeg", base + ".jpg"},    {"latest", Json::parse(v.latest, nullptr, false)}};
  }

  std::string api_json() const {
    std::lock_guard lock(mu);
    Json streams_json = Json::array();
    for (const auto& v : streams)
      if (v) streams_json.push_back(stream_json_locked(*v));
    return Json{{"streams", std::move(streams_json)}, {"viewers", counters.viewers}}.dump(
               -1, ' ', false, Json::error_handler_t::replace) +
           "\n";
  }

  std::string page() const {
    std::string html =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>rkyolo live</title>\n"
        "<style>body{font-family:sans-serif;background:#111;color:#eee;margin:1em}"
        ".stream{display:inline-block;margin:0 1em 1em 0;vertical-align:top}"
        "img{display:block;max-width:100%;background:#000}table{font-size:90%}"
        "td{padding:0 .6em 0 0}</style></head><body>\n<h1>rkyolo live</h1>\n";
    std::lock_guard lock(mu);
    if (streams.empty()) html += "<p>No streams yet.</p>\n";
    for (const auto& p : streams) {
      if (!p) continue;
      const StreamView& v = *p;
      const std::string id = std::to_string(v.id);
      html += "<div class=\"stream\" id=\"stream-" + id + "\"><h2>" + id + ": " + html_escape(v.source) +
              "</h2>\n<img src=\"/stream/" + id + ".mjpg\" alt=\"stream " + id +
              "\">\n<table>"
              "<tr><td>status</td><td class=\"status\">" +
              html_escape(v.status) +
              "</td></tr>"
              "<tr><td>fps</td><td class=\"fps\">" +
              fixed(v.fps_out, 1) +
              "</td></tr>"
              "<tr><td>processed</td><td class=\"processed\">" +
              std::to_string(v.processed) +
              "</td></tr>"
              "<tr><td>dropped</td><td class=\"dropped\">" +
              std::to_string(v.dropped) +
              "</td></tr>"
              "<tr><td>detections</td><td class=\"detections\"></td></tr></table></div>\n";
    }
    html +=
        "<script>\n"
        "async function refresh(){try{const r=await fetch('/api/streams');const j=await r.json();\n"
        "for(const s of j.streams){const e=document.getElementById('stream-'+s.stream);if(!e)continue;\n"
        "e.querySelector('.status').textContent=s.status;e.querySelector('.fps').textContent=s.fps_out.toFixed(1);\n"
        "e.querySelector('.processed').textContent=s.processed;e.querySelector('.dropped').textContent=s.dropped;\n"
        "const d=(s.latest&&s.latest.detections)||[];\n"
        "e.querySelector('.detections').textContent=d.map(x=>x.label+' '+x.score.toFixed(2)).join(', ');}}catch(e){}}\n"
        "refresh();setInterval(refresh,1000);\n</script>\n</body></html>\n";
    return html;
  }

  void serve_mjpeg(int id, httplib::Response& res) {
    StreamView* v = nullptr;
    {
      std::lock_guard lock(mu);
      v = find_locked(id);
      if (v && counters.viewers >= options.max_viewers) {
        res.status = 503;
        res.set_content("too many viewers (" + std::to_string(options.max_viewers) + ")\n", "text/plain");
        return;
      }
      if (v) {
        ++counters.viewers;
        ++v->viewers;
      }
    }
    if (!v) {
      res.status = 404;
      res.set_content("no stream " + std::to_string(id) + "\n", "text/plain");
      return;
    }
    work_cv.notify_all();
    res.set_header("Cache-Control", "no-cache, no-store");
    res.set_content_provider(
        std::string("multipart/x-mixed-replace; boundary=") + kBoundary,
        [this, v, last = std::uint64_t{0}](std::size_t, httplib::DataSink& sink) mutable {
          std::shared_ptr<const std::string> jpeg;
          {
            std::unique_lock lock(mu);
            jpeg_cv.wait_for(lock, kViewerPoll, [&] { return stopping || (v->seq != last && v->jpeg); });
            if (stopping) return false;
            if (v->seq == last || !v->jpeg) return sink.is_writable();
            last = v->seq;
            jpeg = v->jpeg;
          }
          const std::string head = std::string("--") + kBoundary +
                                   "\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(jpeg->size()) +
                                   "\r\n\r\n";
          if (!sink.write(head.data(), head.size()) || !sink.write(jpeg->data(), jpeg->size()) ||
              !sink.write("\r\n", 2))
            return false;
          std::lock_guard lock(mu);
          ++counters.sent;
          return true;
        },
        [this, v](bool) {
          std::lock_guard lock(mu);
          --counters.viewers;
          --v->viewers;
        });
  }

  void serve_jpeg(int id, httplib::Response& res) {
    std::shared_ptr<const std::string> jpeg;
    {
      std::unique_lock lock(mu);
      StreamView* v = find_locked(id);
      if (!v) {
        res.status = 404;
        res.set_content("no stream " + std::to_string(id) + "\n", "text/plain");
        return;
      }
      // A frame not yet encoded (nobody watched) is encoded for this request.
      const std::uint64_t seq0 = v->seq;
      ++counters.viewers;
      ++v->viewers;
      work_cv.notify_all();
      jpeg_cv.wait_for(lock, std::chrono::seconds(2),
                       [&] { return stopping || v->seq != seq0 || (v->jpeg && !v->pending); });
      --counters.viewers;
      --v->viewers;
      jpeg = v->jpeg;
    }
    if (!jpeg) {
      res.status = 503;
      res.set_content("no frame yet\n", "text/plain");
      return;
    }
    res.set_header("Cache-Control", "no-cache, no-store");
    res.set_content(jpeg->data(), jpeg->size(), "image/jpeg");
  }

  void add_routes() {
    server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(page(), "text/html; charset=utf-8");
    });
    server.Get("/healthz",
               [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    server.Get("/api/streams", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache, no-store");
      res.set_content(api_json(), "application/json");
    });
    server.Get(R"(/stream/(\d{1,6})\.mjpg)", [this](const httplib::Request& req, httplib::Response& res) {
      serve_mjpeg(std::stoi(req.matches[1].str()), res);
    });
    server.Get(R"(/stream/(\d{1,6})\.jpg)", [this](const httplib::Request& req, httplib::Response& res) {
      serve_jpeg(std::stoi(req.matches[1].str()), res);
    });
  }

  void stop() {
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      stopping = true;
    }
    work_cv.notify_all();
    jpeg_cv.notify_all();
    server.stop();
    if (server_thread.joinable()) server_thread.join();
    if (encoder.joinable()) encoder.join();
  }

  ~Impl() { stop(); }
};

WebSink::WebSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebSink::~WebSink() = default;

Status WebSink::create(const WebOptions& options, std::unique_ptr<WebSink>* out) {
  if (options.max_width < 16 || options.max_fps <= 0 || options.jpeg_quality < 1 || options.jpeg_quality > 100 ||
      options.max_viewers < 1)
    return invalid_argument("web view: width >= 16, fps > 0, JPEG quality 1..100 and at least one viewer are needed");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  Impl* self = impl.get();
  const std::size_t threads = static_cast<std::size_t>(options.max_viewers + kSpareServerThreads);
  impl->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl->server.set_write_timeout(options.write_timeout);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which lets a
  // second server bind the same port silently instead of failing.
  impl->server.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  impl->server.set_keep_alive_max_count(100);
  impl->add_routes();
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (options.port == 0) {
    impl->port = impl->server.bind_to_any_port(options.host);
    if (impl->port <= 0) return io_error("--serve " + where + ": cannot listen on that address");
  } else {
    if (!impl->server.bind_to_port(options.host, options.port))
      return io_error("--serve " + where +
                      ": cannot listen there (the port is in use, or the host is not an address of this machine)");
    impl->port = options.port;
  }
  impl->server_thread = std::thread([self] { self->server.listen_after_bind(); });
  impl->encoder = std::thread([self] { self->encode_loop(); });
  out->reset(new WebSink(std::move(impl)));
  return Status();
}

void WebSink::on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status& why) {
  std::lock_guard lock(impl_->mu);
  StreamView* v = impl_->view_locked(stream.stream);
  v->source = stream.source;
  v->status = std::string(stream_status_word(status));
  v->why = why.ok() ? std::string() : why.message();
}

void WebSink::on_frame(const pipeline::FrameResult& r) {
  Impl& s = *impl_;
  const int id = r.stream ? r.stream->stream : (r.result ? r.result->tag.stream : 0);
  const auto now = Clock::now();
  StreamView* v = nullptr;
  bool due = false;
  {
    std::lock_guard lock(s.mu);
    v = s.view_locked(id);
    if (v->source.empty() && r.stream) v->source = r.stream->source;
    if (v->status == "starting") v->status = "online";
    ++v->processed;
    if (!r.error.ok()) ++v->failed;
    // FPS out as seen here, per second (the pipeline's stats refine it).
    if (v->window_frames == 0) v->window_start = now;
    ++v->window_frames;
    const double window = std::chrono::duration<double>(now - v->window_start).count();
    if (window >= 1.0) {
      v->fps_out = (v->window_frames - 1) / window;
      v->window_frames = 0;
    }
    const auto period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / s.options.max_fps));
    due = v->last_copy == Clock::time_point{} || now - v->last_copy >= period;
    if (due) v->last_copy = now;
  }
  if (!due) return;
  std::string latest = frame_json(r);
  static const std::vector<Detection> kNone;
  {
    std::lock_guard frame_lock(v->frame_mu);
    copy_frame(r.image, r.result ? r.result->detections : kNone, r.result ? r.result->tag.frame : -1, &v->staging);
    v->pending = !v->staging.empty();
  }
  {
    std::lock_guard lock(s.mu);
    v->latest = std::move(latest);
    v->width = r.image.width;
    v->height = r.image.height;
    ++s.counters.copied;
  }
  s.work_cv.notify_one();
}

void WebSink::on_stats(const pipeline::PipelineStats& stats) {
  std::lock_guard lock(impl_->mu);
  for (const pipeline::StreamStats& st : stats.streams) {
    StreamView* v = impl_->view_locked(st.stream);
    v->status = std::string(stream_status_word(st.status));
    v->fps_in = st.window.fps_in;  // the last stats window: the rate now
    v->fps_out = st.window.fps_out;
    v->dropped = st.dropped;
    v->processed = std::max(v->processed, st.processed);
    v->failed = std::max(v->failed, st.failed);
  }
}

Status WebSink::close() {
  impl_->stop();
  return Status();
}

int WebSink::port() const {
  return impl_->port;
}

WebCounters WebSink::counters() const {
  std::lock_guard lock(impl_->mu);
  return impl_->counters;
}

}  // namespace rkyolo::cli

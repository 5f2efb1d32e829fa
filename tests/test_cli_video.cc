// `rkyolo detect` on video, run as a user would: clips rendered by the
// project's scene generator (training/scenes.py, the demo model's classes
// moving) and encoded with the ffmpeg tool at test time; live RTSP streams
// from GStreamer's server on loopback (tests/support/rtsp_server.py). The
// expectations are independent of the pipeline: frames extracted losslessly
// with ffmpeg and run as images, frame counts from ffprobe. Every test is
// bounded in time by a watchdog.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/test_env.h"
#include "support/watchdog.h"
#include "video/video_writer.h"
#include "video_fixtures.h"

extern char** environ;

namespace rkyolo {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Json = nlohmann::json;
using test::CommandResult;
using Clock = std::chrono::steady_clock;

// Detections of a video frame and of the same frame as a lossless PNG go
// through different YUV -> RGB conversions (the letterbox's own and
// swscale's), so boxes and scores differ slightly; detections whose score
// is near the threshold may exist on one side only.
constexpr double kMinMatchIou = 0.8;
constexpr double kMaxScoreDelta = 0.08;
constexpr double kClearScore = 0.45;  // detections at or above must match on both sides
constexpr auto kTestLimit = std::chrono::seconds(240);

CommandResult rkyolo(std::vector<std::string> args, int timeout_s = 200) {
  return test::run_cli(RKYOLO_CLI, std::move(args), {"LANG=C"}, timeout_s);
}

// A clip of the scene generator's "demo" set, encoded with x264 (cached per
// run: rendering takes seconds).
std::string scene_clip(const std::string& name, int width, int height, int frames, int index = 0,
                       const std::string& container = "mp4") {
  static std::map<std::string, std::string> made;
  const std::string key = name + container;
  if (made.count(key)) return made[key];
  static const std::string dir = test::temp_dir("cli_video_clips");  // once: temp_dir empties it
  const std::string path = dir + "/" + name + "." + container;
  const std::string mp4 = container == "mp4" ? path : dir + "/" + name + ".src.mp4";
  const CommandResult r = test::run_command(
      {test::python3(), test::source_dir() + "/training/scenes.py", "--video", mp4, "--set", "demo", "--index",
       std::to_string(index), "--size", std::to_string(width) + "x" + std::to_string(height), "--frames",
       std::to_string(frames), "--fps", "25", "--crf", "23"},
      300);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (container != "mp4") {  // remuxed, the frames unchanged
    const CommandResult m =
        test::run_command({"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", mp4, "-c", "copy", path});
    EXPECT_EQ(m.exit_code, 0) << m.err;
  }
  return made[key] = path;
}

std::vector<Json> read_json_lines(const std::string& path) {
  std::vector<Json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    lines.push_back(j);
  }
  return lines;
}

std::vector<Json> lines_of_stream(const std::vector<Json>& lines, int stream) {
  std::vector<Json> out;
  for (const Json& j : lines)
    if (j.contains("frame") && j["stream"] == stream) out.push_back(j);
  return out;
}

// ffprobe's count of the frames it decodes, and the size.
struct Probe {
  int frames = -1, width = 0, height = 0;
};
Probe probe(const std::string& video) {
  const CommandResult r =
      test::run_command({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                         "stream=nb_read_frames,width,height", "-of", "json", video},
                        120);
  Probe p;
  if (r.exit_code != 0) {
    ADD_FAILURE() << "ffprobe cannot read " << video << ": " << r.err;
    return p;
  }
  const Json j = Json::parse(r.out)["streams"][0];
  p.frames = std::stoi(j["nb_read_frames"].get<std::string>());
  p.width = j["width"];
  p.height = j["height"];
  return p;
}

double box_iou(const Json& a, const Json& b) {
  auto v = [](const Json& box, int i) { return box[i].get<double>(); };
  const double ix = std::max(0.0, std::min(v(a, 2), v(b, 2)) - std::max(v(a, 0), v(b, 0)));
  const double iy = std::max(0.0, std::min(v(a, 3), v(b, 3)) - std::max(v(a, 1), v(b, 1)));
  const double ua = (v(a, 2) - v(a, 0)) * (v(a, 3) - v(a, 1)) + (v(b, 2) - v(b, 0)) * (v(b, 3) - v(b, 1)) - ix * iy;
  return ua > 0 ? ix * iy / ua : 0.0;
}

// Every clear detection of `a` has one in `b` of the same class, with the
// box and score close.
void expect_detections_covered(const Json& a, const Json& b, const std::string& where) {
  for (const Json& d : a) {
    if (d["score"].get<double>() < kClearScore) continue;
    bool found = false;
    for (const Json& e : b)
      found = found || (e["class_id"] == d["class_id"] && box_iou(d["box"], e["box"]) >= kMinMatchIou &&
                        std::abs(e["score"].get<double>() - d["score"].get<double>()) <= kMaxScoreDelta);
    EXPECT_TRUE(found) << where << ": " << d.dump() << " has no match in " << b.dump();
  }
}

// A TCP socket listens on `port` (the server is up), read from the kernel's
// table without connecting: ffmpeg's `-listen 1` servers serve the first
// client only, a probe would use them up.
bool wait_listening(int port, std::chrono::seconds limit) {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, ":%04X", static_cast<unsigned>(port));
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
      std::ifstream in(table);
      std::string line;
      std::getline(in, line);  // the header
      while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (state == "0A" && local.size() > 5 && local.compare(local.size() - 5, 5, suffix) == 0) return true;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// rkyolo running in the background (stdout and stderr to files), killed on
// destruction.
class Background {
 public:
  Background(const std::vector<std::string>& args, const std::string& dir) : err_(dir + "/stderr.txt") {
    std::vector<std::string> argv = {RKYOLO_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, (dir + "/stdout.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string lang = "LANG=C";
    char* env[] = {lang.data(), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, cargv[0], &actions, nullptr, cargv.data(), env), 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // The exit code, 128 + signal when killed by one, -2 after `limit`.
  int wait(std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(50ms);
    }
    return -2;
  }
  std::string err() const { return test::read_text(err_); }

 private:
  std::string err_;
  pid_t pid_ = -1;
};

// Waits until `path` holds at least `count` lines of `stream` (-1: any).
bool wait_lines(const std::string& path, int stream, std::size_t count, std::chrono::seconds limit,
                std::int64_t after_frame = -1) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    std::ifstream in(path);
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
      const Json j = Json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.contains("frame")) continue;
      if ((stream < 0 || j["stream"] == stream) && j["frame"].get<std::int64_t>() > after_frame) ++n;
    }
    if (n >= count) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Waits until `path` holds a line of `stream` captured (its "ts") more than
// half a second after `after`.
bool wait_captured_after(const std::string& path, int stream, std::chrono::system_clock::time_point after,
                         std::chrono::seconds limit) {
  const double after_s = std::chrono::duration<double>(after.time_since_epoch()).count() + 0.5;
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    for (const Json& j : lines_of_stream(read_json_lines(path), stream))
      if (j["ts"].get<double>() > after_s) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

// Waits until the run's standard error holds `text`.
bool wait_said(const Background& run, const std::string& text, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (run.err().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// ------------------------------------------------------------- writer ----

TEST(VideoWriter, WritesAPlayableFileWithEveryFrameAndKeepsTheSize) {
  test::Watchdog watchdog(kTestLimit);
  const std::string dir = test::temp_dir("cli_video_writer");
  for (const std::string ext : {".mp4", ".mkv"}) {
    std::unique_ptr<VideoWriter> writer;
    VideoWriterOptions options;
    options.width = 320;
    options.height = 180;
    options.fps = 25;
    ASSERT_TRUE(VideoWriter::open(dir + "/out" + ext, options, &writer).ok());
    std::vector<std::uint8_t> bgr(320 * 180 * 3);
    for (int i = 0; i < 20; ++i) {
      for (std::size_t p = 0; p < bgr.size(); ++p) bgr[p] = static_cast<std::uint8_t>((p / 3 + 7 * i) % 251);
      ASSERT_TRUE(writer->write_bgr(make_image_view(bgr.data(), 320, 180), i * 40).ok());
    }
    EXPECT_FALSE(fs::exists(dir + "/out" + ext)) << "the file appears only once finished";
    ASSERT_TRUE(writer->close().ok());
    EXPECT_FALSE(fs::exists(dir + "/out" + ext + ".part"));
    const Probe p = probe(dir + "/out" + ext);
    EXPECT_EQ(p.frames, 20) << ext;
    EXPECT_EQ(p.width, 320);
    EXPECT_EQ(p.height, 180);
  }
}

TEST(VideoWriter, MissingEncoderAndUnknownContainerAreOneSentence) {
  const std::string dir = test::temp_dir("cli_video_writer_errors");
  std::unique_ptr<VideoWriter> writer;
  VideoWriterOptions options;
  options.width = 64;
  options.height = 64;
  options.codec = "no_such_encoder";
  Status s = VideoWriter::open(dir + "/a.mp4", options, &writer);
  EXPECT_EQ(s.message().rfind("the video encoder 'no_such_encoder' is not in this FFmpeg build", 0), 0u) << s;
  EXPECT_NE(s.message().find("libx264"), std::string::npos) << s;
  options.codec.clear();
  s = VideoWriter::open(dir + "/a.what", options, &writer);
  EXPECT_NE(s.message().find("use the extension .mp4 or .mkv"), std::string::npos) << s;
  EXPECT_FALSE(fs::exists(dir + "/a.mp4.part"));
}

// ---------------------------------------------------------------- CLI ----

TEST(CliVideo, EveryFrameOnceInOrderWithTheDetectionsOfTheFramesAsImages) {
  test::Watchdog watchdog(kTestLimit);
  const int frames = 24;
  const std::string clip = scene_clip("scene360", 640, 360, frames);
  const std::string dir = test::temp_dir("cli_video_frames");
  CommandResult r = rkyolo({"detect", "--model", test::demo_model(), "--source", clip, "--output", dir + "/out",
                            "--json", dir + "/lines.jsonl", "--stats", dir + "/stats.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("decoder h264 (software)"), std::string::npos) << r.err;
  const std::vector<Json> lines = read_json_lines(dir + "/lines.jsonl");
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(frames));
  for (int i = 0; i < frames; ++i) {
    EXPECT_EQ(lines[i]["stream"], 0);
    EXPECT_EQ(lines[i]["source"], clip);
    EXPECT_EQ(lines[i]["frame"], i);
    EXPECT_EQ(lines[i]["pts_ms"], i * 40);
    EXPECT_GT(lines[i]["ts"].get<double>(), 1.6e9);
    EXPECT_FALSE(lines[i].contains("error"));
  }
  // The same frames, extracted losslessly, as images.
  ASSERT_EQ(
      test::run_command({"ffmpeg", "-nostdin", "-v", "error", "-i", clip, "-start_number", "0", dir + "/f%03d.png"})
          .exit_code,
      0);
  r = rkyolo({"detect", "--model", test::demo_model(), "--source", dir, "--no-save", "--json", dir + "/images.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json images = Json::parse(test::read_text(dir + "/images.json"));
  ASSERT_EQ(images.size(), static_cast<std::size_t>(frames));
  int clear = 0;
  for (int i = 0; i < frames; ++i) {
    const std::string where = "frame " + std::to_string(i);
    expect_detections_covered(lines[i]["detections"], images[i]["detections"], where + " (video -> image)");
    expect_detections_covered(images[i]["detections"], lines[i]["detections"], where + " (image -> video)");
    for (const Json& d : images[i]["detections"]) clear += d["score"].get<double>() >= kClearScore;
  }
  EXPECT_GE(clear, frames * 3) << "the clip should show several objects per frame";
  // The annotated video: every frame, the size kept.
  const Probe p = probe(dir + "/out/scene360.mp4");
  EXPECT_EQ(p.frames, frames);
  EXPECT_EQ(p.width, 640);
  EXPECT_EQ(p.height, 360);
  // The statistics.
  const Json stats = Json::parse(test::read_text(dir + "/stats.json"));
  EXPECT_EQ(stats["streams"][0]["decoded"], frames);
  EXPECT_EQ(stats["streams"][0]["processed"], frames);
  EXPECT_EQ(stats["streams"][0]["dropped"], 0);
  EXPECT_EQ(stats["streams"][0]["decoder"], "h264");
}

TEST(CliVideo, VidStrideKeepsTheStreamsFrameNumbers) {
  test::Watchdog watchdog(kTestLimit);
  const std::string clip = scene_clip("scene360", 640, 360, 24);
  const std::string dir = test::temp_dir("cli_video_stride");
  const CommandResult r = rkyolo({"detect", "--model", test::demo_model(), "--source", clip, "--vid-stride", "5",
                                  "--output", dir, "--json", dir + "/lines.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> lines = read_json_lines(dir + "/lines.jsonl");
  ASSERT_EQ(lines.size(), 5u);  // 0, 5, 10, 15, 20
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(lines[i]["frame"], 5 * i);
    EXPECT_EQ(lines[i]["pts_ms"], 5 * i * 40);
  }
  EXPECT_EQ(probe(dir + "/scene360.mp4").frames, 5);
}

TEST(CliVideo, TwoSizesInOneRunEachInOrderWithItsOwnVideo) {
  test::Watchdog watchdog(kTestLimit);
  const std::string a = scene_clip("scene360", 640, 360, 24);
  const std::string b = scene_clip("scene540", 960, 540, 16, 1, "mkv");
  const std::string dir = test::temp_dir("cli_video_sizes");
  const CommandResult r =
      rkyolo({"detect", "--model", test::demo_model(), "--source", a, "--source", b, "--output", dir, "--json", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Json> lines;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) lines.push_back(Json::parse(line));
  const std::vector<Json> s0 = lines_of_stream(lines, 0), s1 = lines_of_stream(lines, 1);
  ASSERT_EQ(s0.size(), 24u);
  ASSERT_EQ(s1.size(), 16u);
  for (std::size_t i = 0; i < s0.size(); ++i) EXPECT_EQ(s0[i]["frame"], i);
  for (std::size_t i = 0; i < s1.size(); ++i) EXPECT_EQ(s1[i]["frame"], i);
  EXPECT_EQ(s1[0]["source"], b);
  for (const Json& d : s1[0]["detections"]) EXPECT_GT(d["box"][2].get<double>(), 0.0);
  const Probe pa = probe(dir + "/scene360.mp4"), pb = probe(dir + "/scene540.mp4");
  EXPECT_EQ(pa.frames, 24);
  EXPECT_EQ(pb.frames, 16);
  EXPECT_EQ(pb.width, 960);
  EXPECT_EQ(pb.height, 540);
}

TEST(CliVideo, TruncatedFileEndsCleanlyWithWhatItHolds) {
  test::Watchdog watchdog(kTestLimit);
  const std::string clip = scene_clip("scene360", 640, 360, 24);
  const std::string dir = test::temp_dir("cli_video_truncated");
  const std::string bytes = test::read_text(clip);
  test::write_bytes(dir + "/cut.mp4", bytes.substr(0, bytes.size() * 8 / 10));
  const CommandResult r = rkyolo({"detect", "--model", test::demo_model(), "--source", dir + "/cut.mp4", "--output",
                                  dir + "/out", "--json", dir + "/lines.jsonl"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  // Frames in order; an error the decoder cannot place in the stream has frame -1.
  std::vector<Json> lines;
  for (const Json& j : lines_of_stream(read_json_lines(dir + "/lines.jsonl"), 0)) {
    if (j.contains("error")) {
      EXPECT_FALSE(j["error"].get<std::string>().empty());
      if (j["frame"] == -1) continue;
    }
    lines.push_back(j);
  }
  ASSERT_GT(lines.size(), 3u);
  EXPECT_LT(lines.size(), 24u);
  for (std::size_t i = 1; i < lines.size(); ++i) EXPECT_GT(lines[i]["frame"], lines[i - 1]["frame"]);
  // The annotated video holds the frames that decoded.
  int decoded = 0;
  for (const Json& j : lines) decoded += j.contains("error") ? 0 : 1;
  EXPECT_EQ(probe(dir + "/out/cut.mp4").frames, decoded);
}

TEST(CliVideo, CorruptPacketInTheMiddleIsReportedAndTheStreamGoesOn) {
  test::Watchdog watchdog(kTestLimit);
  const std::string clip = scene_clip("scene360", 640, 360, 24, 0, "ts");
  const std::string dir = test::temp_dir("cli_video_corrupt");
  std::string bytes = test::read_text(clip);
  // Garbage over 8 TS packets in the middle (a burst of line noise).
  const std::size_t at = bytes.size() / 2 / 188 * 188;
  for (std::size_t i = 0; i < 8 * 188; ++i) bytes[at + i] = static_cast<char>((i * 151 + 7) % 256);
  test::write_bytes(dir + "/noisy.ts", bytes);
  const CommandResult r = rkyolo({"detect", "--model", test::demo_model(), "--source", dir + "/noisy.ts", "--output",
                                  dir, "--json", dir + "/lines.jsonl"});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const std::vector<Json> lines = lines_of_stream(read_json_lines(dir + "/lines.jsonl"), 0);
  ASSERT_GE(lines.size(), 18u) << "frames after the damage still come";
  EXPECT_EQ(lines.back()["frame"].get<int>(), 23) << "the stream reaches its end";
  for (std::size_t i = 1; i < lines.size(); ++i) EXPECT_GT(lines[i]["frame"], lines[i - 1]["frame"]);
  for (const Json& j : lines)
    if (j.contains("error")) {
      EXPECT_FALSE(j["error"].get<std::string>().empty());
    }
}

TEST(CliVideo, CtrlCFinishesAPlayableVideoWithTheFramesOfTheJsonLines) {
  test::Watchdog watchdog(kTestLimit);
  const std::string clip = scene_clip("long360", 640, 360, 150, 2);
  const std::string dir = test::temp_dir("cli_video_ctrl_c");
  Background run({"detect", "--model", test::demo_model(), "--source", clip, "--output", dir, "--json",
                  dir + "/lines.jsonl", "--stats", dir + "/stats.json"},
                 dir);
  ASSERT_TRUE(wait_lines(dir + "/lines.jsonl", 0, 10, 120s)) << run.err();
  run.signal(SIGINT);
  EXPECT_EQ(run.wait(60s), 130) << run.err();
  const std::vector<Json> lines = lines_of_stream(read_json_lines(dir + "/lines.jsonl"), 0);
  ASSERT_GE(lines.size(), 10u);
  EXPECT_LT(lines.size(), 150u) << "Ctrl-C came in the middle";
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i]["frame"], i);
  EXPECT_EQ(probe(dir + "/long360.mp4").frames, static_cast<int>(lines.size()));
  EXPECT_TRUE(fs::exists(dir + "/stats.json"));
  EXPECT_NE(run.err().find("interrupted"), std::string::npos) << run.err();
}

TEST(CliVideo, BadVideoArgumentsAreOneSentence) {
  const std::string m = test::demo_model();
  const std::string clip = scene_clip("scene360", 640, 360, 24);
  const std::string dir = test::temp_dir("cli_video_args");
  test::write_bytes(dir + "/bad.streams", "rtsp://127.0.0.1:1/cam\nsamples/scene1.jpg\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--vid-stride", "0"}, "invalid value '0' for --vid-stride"},
      {{"--codec", "no_such_encoder"}, "the video encoder 'no_such_encoder' is not in this FFmpeg build"},
      {{"--source", test::source_dir() + "/samples/scene1.jpg"}, "cannot be mixed in one run"},
      {{"--source", dir + "/bad.streams"}, "bad.streams"},
      {{"--save", "--no-save"}, "contradict"},
      {{"--json", clip}, "it would overwrite the input video"},
  };
  for (const auto& [extra, expected] : cases) {
    std::vector<std::string> args = {"detect", "--model", m, "--source", clip, "--output", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult r = rkyolo(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << "expected '" << expected << "' in: " << r.err;
    EXPECT_EQ(test::count_lines(r.err), 1) << r.err;
  }
}

// No V4L2 devices here (no v4l2loopback): a camera that is absent is one
// sentence, and the other sources still complete.
TEST(CliVideo, MissingCameraFailsAloneAndTheFileStillCompletes) {
  test::Watchdog watchdog(kTestLimit);
  const std::string clip = scene_clip("scene360", 640, 360, 24);
  const std::string dir = test::temp_dir("cli_video_camera");
  const CommandResult r = rkyolo({"detect", "--model", test::demo_model(), "--source", "/dev/video97", "--source", "98",
                                  "--source", clip, "--output", dir, "--json", dir + "/lines.jsonl"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("/dev/video97"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/dev/video98"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 of 3 streams failed"), std::string::npos) << r.err;
  const std::vector<Json> lines = read_json_lines(dir + "/lines.jsonl");
  EXPECT_EQ(lines_of_stream(lines, 2).size(), 24u);
  int failed = 0;
  for (const Json& j : lines) failed += j.contains("status") && j["status"] == "failed";
  EXPECT_EQ(failed, 2);
}

// Two live RTSP streams at 360p (25 fps); --vid-stride 25 and --stream-buffer
// keep the CPU backend ahead of them on a small, shared machine, so that no
// frame needs to be dropped.
TEST(CliVideo, RtspServerKilledAndRestartedReconnectsAndTheOtherStreamLosesNothing) {
  if (!test::gstreamer_rtsp_available())
    GTEST_SKIP() << "GStreamer's RTSP server is not installed (python3-gi gir1.2-gst-rtsp-server-1.0)";
  test::Watchdog watchdog(kTestLimit);
  constexpr int kStride = 25;
  const std::string dir = test::temp_dir("cli_video_rtsp");
  const int port_a = test::free_loopback_port();
  int port_b = test::free_loopback_port();
  while (port_b == port_a) port_b = test::free_loopback_port();
  test::LiveServer a = test::LiveServer::gstreamer_rtsp(port_a), b = test::LiveServer::gstreamer_rtsp(port_b);
  a.start();
  b.start();
  ASSERT_TRUE(wait_listening(port_a, 30s) && wait_listening(port_b, 30s));
  Background run({"detect", "--model", test::demo_model(), "--source", a.url(), "--source", b.url(), "--vid-stride",
                  std::to_string(kStride), "--stream-buffer", "--no-save", "--json", dir + "/lines.jsonl", "--stats",
                  dir + "/stats.json", "-v"},
                 dir);
  ASSERT_TRUE(wait_lines(dir + "/lines.jsonl", 0, 3, 60s)) << run.err();
  ASSERT_TRUE(wait_lines(dir + "/lines.jsonl", 1, 3, 60s)) << run.err();
  // Kill stream 0's server, restart it on the same port.
  a.kill_now();
  std::this_thread::sleep_for(1500ms);
  a.start();
  const auto restarted = std::chrono::system_clock::now();
  ASSERT_TRUE(wait_listening(port_a, 30s));
  // Stream 0 continues: frames captured after the restart.
  EXPECT_TRUE(wait_captured_after(dir + "/lines.jsonl", 0, restarted, 60s)) << run.err();
  // Freeze stream 0's server: the read timeout fires; restart it: it reconnects again.
  a.freeze();
  std::this_thread::sleep_for(5s);
  a.kill_now();
  a.start();
  ASSERT_TRUE(wait_listening(port_a, 30s));
  std::this_thread::sleep_for(6s);
  run.signal(SIGINT);
  EXPECT_EQ(run.wait(60s), 130) << run.err();
  const Json stats = Json::parse(test::read_text(dir + "/stats.json"));
  EXPECT_GE(stats["streams"][0]["reconnects"].get<int>(), 2) << stats.dump();
  // Each loss said when it happened, naming the stream and the cause, and
  // each return: twice, in that order; nothing of the kind for stream 1.
  const std::string err = run.err();
  const std::string lost = "stream 0 '" + a.url() + "' was lost, reconnecting: ";
  const std::string back = "stream 0 '" + a.url() + "' is back: frames flow again after reconnecting";
  std::size_t at = 0;
  for (int loss = 0; loss < 2; ++loss) {
    at = err.find(lost, at);
    ASSERT_NE(at, std::string::npos) << "loss " << loss << ": " << err;
    const std::string cause = err.substr(at + lost.size(), err.find('\n', at) - at - lost.size());
    EXPECT_NE(cause.find(a.url()), std::string::npos) << "the cause names the source: " << cause;
    at = err.find(back, at);
    ASSERT_NE(at, std::string::npos) << "return " << loss << ": " << err;
  }
  EXPECT_EQ(err.find("stream 1 '" + b.url() + "' was lost"), std::string::npos) << err;
  EXPECT_EQ(err.find("stream 1 '" + b.url() + "' is back"), std::string::npos) << err;
  // -v: each stats window's figures, per stream.
  EXPECT_NE(err.find("stream 1 '" + b.url() + "': online, in the last "), std::string::npos) << err;
  // Stream 1 lost nothing: every kStride-th frame, no gap, nothing dropped.
  const std::vector<Json> s1 = lines_of_stream(read_json_lines(dir + "/lines.jsonl"), 1);
  ASSERT_GT(s1.size(), 10u);
  for (std::size_t i = 1; i < s1.size(); ++i)
    EXPECT_EQ(s1[i]["frame"].get<std::int64_t>() - s1[i - 1]["frame"].get<std::int64_t>(), kStride) << i;
  EXPECT_EQ(stats["streams"][1]["dropped"], 0);
  EXPECT_EQ(stats["streams"][1]["reconnects"], 0);
}

// HTTP (MPEG-TS) and RTMP (FLV) live streams from ffmpeg's own servers,
// serving the sample video in a loop: both carry frames with detections. The
// RTMP server killed and restarted: that stream is said lost, then back, and
// goes on. The HTTP server killed for good: said lost (a live source keeps
// trying), and Ctrl-C ends the run cleanly with what it has.
TEST(CliVideo, HttpAndRtmpStreamsCarryDetectionsAndAKilledServerIsReconnectedOrEndedByCtrlC) {
  test::Watchdog watchdog(60s);
  constexpr int kStride = 25;  // one frame a second per stream: the CPU backend keeps up on a shared machine
  const std::string clip = test::source_dir() + "/samples/shapes.mp4";
  const std::string dir = test::temp_dir("cli_video_http_rtmp");
  const std::string lines = dir + "/lines.jsonl";
  const int port_http = test::free_loopback_port();
  int port_rtmp = test::free_loopback_port();
  while (port_rtmp == port_http) port_rtmp = test::free_loopback_port();
  test::LiveServer http = test::LiveServer::ffmpeg_http(clip, port_http);
  test::LiveServer rtmp = test::LiveServer::ffmpeg_rtmp(clip, port_rtmp);
  http.start();
  rtmp.start();
  ASSERT_TRUE(wait_listening(port_http, 10s) && wait_listening(port_rtmp, 10s));
  Background run(
      {"detect", "--model", test::demo_model(), "--source", http.url(), "--source", rtmp.url(), "--vid-stride",
       std::to_string(kStride), "--stream-buffer", "--no-save", "--json", lines, "--stats", dir + "/stats.json"},
      dir);
  ASSERT_TRUE(wait_lines(lines, 0, 2, 20s)) << run.err();
  ASSERT_TRUE(wait_lines(lines, 1, 2, 20s)) << run.err();
  for (int s = 0; s < 2; ++s) {
    int with_detections = 0;
    for (const Json& j : lines_of_stream(read_json_lines(lines), s)) {
      EXPECT_EQ(j["frame"].get<std::int64_t>() % kStride, 0) << j.dump();
      EXPECT_FALSE(j.contains("error")) << j.dump();
      with_detections += j["detections"].empty() ? 0 : 1;
    }
    EXPECT_GT(with_detections, 0) << "stream " << s << ": the sample's shapes are found";
  }

  // RTMP server killed, then restarted on its port: lost, back, frames go on.
  const std::string rtmp_name = "stream 1 '" + rtmp.url() + "'";
  rtmp.kill_now();
  EXPECT_TRUE(wait_said(run, rtmp_name + " was lost, reconnecting: ", 10s)) << run.err();
  rtmp.start();
  const auto restarted = std::chrono::system_clock::now();
  ASSERT_TRUE(wait_listening(port_rtmp, 10s));
  EXPECT_TRUE(wait_captured_after(lines, 1, restarted, 20s)) << run.err();
  EXPECT_TRUE(wait_said(run, rtmp_name + " is back: frames flow again after reconnecting", 1s)) << run.err();

  // HTTP server killed for good: lost, and still trying when Ctrl-C comes.
  const std::string http_name = "stream 0 '" + http.url() + "'";
  http.kill_now();
  EXPECT_TRUE(wait_said(run, http_name + " was lost, reconnecting: ", 10s)) << run.err();
  run.signal(SIGINT);
  EXPECT_EQ(run.wait(15s), 130) << run.err();
  const std::string err = run.err();
  EXPECT_EQ(err.find(http_name + " is back"), std::string::npos) << err;
  EXPECT_EQ(err.find(http_name + " failed"), std::string::npos) << "a lost live stream is not a failure: " << err;
  const Json stats = Json::parse(test::read_text(dir + "/stats.json"));
  EXPECT_EQ(stats["streams"][0]["status"], "ended") << stats.dump();
  EXPECT_EQ(stats["streams"][0]["reconnects"], 0) << stats.dump();
  EXPECT_EQ(stats["streams"][1]["status"], "ended") << stats.dump();
  EXPECT_GE(stats["streams"][1]["reconnects"].get<int>(), 1) << stats.dump();
  // Every line is whole JSON, each stream's frames in order.
  for (int s = 0; s < 2; ++s) {
    const std::vector<Json> got = lines_of_stream(read_json_lines(lines), s);
    for (std::size_t i = 1; i < got.size(); ++i)
      EXPECT_GT(got[i]["frame"].get<std::int64_t>(), got[i - 1]["frame"].get<std::int64_t>()) << "stream " << s;
  }
}

}  // namespace
}  // namespace rkyolo

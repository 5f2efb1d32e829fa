// --source classification and .streams parsing (standard library only).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rkyolo/stream_source.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

SourceKind kind_of(std::string_view text) {
  return classify_source(text).kind;
}

TEST(StreamSource, VideoFilesByExtensionInAnyCase) {
  for (const char* name : {"a.mp4", "dir/b.MKV", "c.avi", "d.mov", "e.ts", "f.webm", "g.flv", "/abs/h.Mp4", "i.m4v",
                           "j.mpg", "k.h264", "with space.mp4"})
    EXPECT_EQ(kind_of(name), SourceKind::kVideoFile) << name;
  EXPECT_EQ(classify_source("x.MP4").location, "x.MP4");
}

TEST(StreamSource, ImagesFoldersAndGlobsAreOther) {
  for (const char* name : {"a.jpg", "dir", "dir/", "imgs/*.jpg", "", ".mp4", "mp4", "video", "a.mp4.jpg", "-1", "1234",
                           "0x1", " 0", "/dev/video", "/dev/videoX", "/dev/v4l/", "rtsp://"})
    EXPECT_EQ(kind_of(name), SourceKind::kOther) << '"' << name << '"';
}

TEST(StreamSource, CamerasByDeviceOrIndex) {
  EXPECT_EQ(classify_source("0").location, "/dev/video0");
  EXPECT_EQ(classify_source("000").location, "/dev/video0");
  EXPECT_EQ(classify_source("012").location, "/dev/video12");
  EXPECT_EQ(classify_source("999").kind, SourceKind::kCamera);
  EXPECT_EQ(classify_source("/dev/video3").location, "/dev/video3");
  EXPECT_EQ(kind_of("/dev/video11"), SourceKind::kCamera);
  EXPECT_EQ(kind_of("/dev/v4l/by-id/usb-cam-video-index0"), SourceKind::kCamera);
}

TEST(StreamSource, NetworkUrlsBySchemeInAnyCase) {
  for (const char* url :
       {"rtsp://127.0.0.1:8554/cam", "RTSP://host/x", "rtsps://h/x", "rtmp://h/live/s", "http://127.0.0.1:8080/a.ts",
        "https://example.com/v.mp4", "tcp://127.0.0.1:9000", "udp://239.0.0.1:1234", "srt://h:9000"})
    EXPECT_EQ(kind_of(url), SourceKind::kNetwork) << url;
}

TEST(StreamSource, StreamListsByExtension) {
  EXPECT_EQ(kind_of("cams.streams"), SourceKind::kStreamList);
  EXPECT_EQ(kind_of("dir/CAMS.STREAMS"), SourceKind::kStreamList);
  EXPECT_EQ(kind_of(".streams"), SourceKind::kOther);
}

TEST(StreamSource, StreamListSkipsCommentsBlankLinesAndCarriageReturns) {
  std::vector<SourceSpec> sources;
  const Status status = parse_stream_list(
      "# cameras\r\n\r\nrtsp://127.0.0.1:8554/a\r\n   0  \n\t# indented comment\nclip.mp4", "x.streams", &sources);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(sources.size(), 3u);
  EXPECT_EQ(sources[0].kind, SourceKind::kNetwork);
  EXPECT_EQ(sources[0].location, "rtsp://127.0.0.1:8554/a");
  EXPECT_EQ(sources[1].location, "/dev/video0");
  EXPECT_EQ(sources[2].kind, SourceKind::kVideoFile);
}

TEST(StreamSource, StreamListErrorsNameTheLine) {
  std::vector<SourceSpec> sources;
  Status status = parse_stream_list("a.mp4\nphoto.jpg\n", "x.streams", &sources);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 2 of 'x.streams'"), std::string::npos) << status;
  EXPECT_NE(status.message().find("'photo.jpg' is not a video source"), std::string::npos) << status;

  status = parse_stream_list("\n\nother.streams\n", "x.streams", &sources);
  EXPECT_NE(status.message().find("line 3 of 'x.streams' names another .streams file"), std::string::npos) << status;

  status = parse_stream_list(std::string("a\0b.mp4", 7), "x.streams", &sources);
  EXPECT_NE(status.message().find("control character"), std::string::npos) << status;

  status = parse_stream_list("# nothing\n\n", "x.streams", &sources);
  EXPECT_NE(status.message().find("names no source"), std::string::npos) << status;
  EXPECT_TRUE(sources.empty());
}

TEST(StreamSource, ReadStreamListFromFile) {
  const std::string dir = test::temp_dir("stream_list");
  test::write_bytes(dir + "/cams.streams", "# two\nhttp://127.0.0.1:1/a.ts\nb.mkv\n");
  std::vector<SourceSpec> sources;
  ASSERT_TRUE(read_stream_list(dir + "/cams.streams", &sources).ok());
  EXPECT_EQ(sources.size(), 2u);

  const Status missing = read_stream_list(dir + "/none.streams", &sources);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("none.streams"), std::string::npos) << missing;
  const Status folder = read_stream_list(dir, &sources);
  EXPECT_FALSE(folder.ok());
  EXPECT_NE(folder.message().find("folder"), std::string::npos) << folder;
}

}  // namespace
}  // namespace rkyolo

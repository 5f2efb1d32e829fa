// --mqtt: the MQTT sink against a real mosquitto broker on a free loopback
// port, driven through the Sink interface with synthetic results.
#include <gtest/gtest.h>
#include <mosquitto.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "rkyolo/live_address.h"
#include "rkyolo/live_mqtt.h"
#include "support/live_fixtures.h"
#include "support/test_env.h"

namespace rkyolo {
namespace {

using cli::MqttOptions;
using cli::MqttSink;
using Json = nlohmann::json;
using namespace std::chrono_literals;

using test::kNetworkWait;

struct Received {
  std::string topic;
  std::string payload;
  bool retain = false;
};

// A libmosquitto client subscribed to `filter`, recording every message.
class Subscriber {
 public:
  Subscriber(int port, const std::string& filter) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(nullptr, true, this);
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* obj, const mosquitto_message* m) {
      auto* self = static_cast<Subscriber*>(obj);
      std::lock_guard lock(self->mu_);
      self->received_.push_back(
          Received{m->topic, std::string(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen)),
                   m->retain});
      self->cv_.notify_all();
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* obj, int, int, const int*) {
      auto* self = static_cast<Subscriber*>(obj);
      std::lock_guard lock(self->mu_);
      self->subscribed_ = true;
      self->cv_.notify_all();
    });
    if (mosquitto_connect(mosq_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS)
      throw std::runtime_error("subscriber connect");
    mosquitto_loop_start(mosq_);
    mosquitto_subscribe(mosq_, nullptr, filter.c_str(), 1);
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kNetworkWait, [&] { return subscribed_; })) throw std::runtime_error("no SUBACK");
  }
  ~Subscriber() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }
  // Waits until `done(messages)` holds; returns the messages either way.
  std::vector<Received> wait_until(const std::function<bool(const std::vector<Received>&)>& done,
                                   std::chrono::milliseconds timeout = kNetworkWait) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return done(received_); });
    return received_;
  }
  std::vector<Received> messages() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  mosquitto* mosq_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> received_;
  bool subscribed_ = false;
};

std::vector<Received> on_topic(const std::vector<Received>& all, const std::string& topic) {
  std::vector<Received> out;
  for (const Received& r : all)
    if (r.topic == topic) out.push_back(r);
  return out;
}

bool has(const std::vector<Received>& all, const std::string& topic, const std::string& payload) {
  for (const Received& r : all)
    if (r.topic == topic && r.payload == payload) return true;
  return false;
}

bool wait_connected(const MqttSink& sink) {
  const auto end = std::chrono::steady_clock::now() + kNetworkWait;
  while (!sink.connected()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::vector<Detection> two_detections() {
  return {test::make_detection(0, "person", 0.9f, {10, 20, 110, 220}),
          test::make_detection(2, "car", 0.5f, {200.25f, 40, 300, 90.5f})};
}

// Checks one detections message against the JSON-lines schema; returns its frame index.
std::int64_t check_detections_schema(const std::string& payload, int stream) {
  const Json j = Json::parse(payload);
  EXPECT_TRUE(j.is_object());
  for (const char* key : {"stream", "source", "frame", "pts_ms", "ts", "detections"})
    EXPECT_TRUE(j.contains(key)) << key << " missing in " << payload;
  EXPECT_EQ(j["stream"], stream);
  EXPECT_EQ(j["source"], "synthetic://" + std::to_string(stream));
  EXPECT_EQ(j["pts_ms"], j["frame"].get<std::int64_t>() * 40);
  EXPECT_GT(j["ts"].get<double>(), 1.6e9);  // a Unix time in seconds
  EXPECT_EQ(j["detections"].size(), 2u);
  const Json& d = j["detections"][1];
  EXPECT_EQ(d["class_id"], 2);
  EXPECT_EQ(d["label"], "car");
  EXPECT_NEAR(d["score"].get<double>(), 0.5, 1e-6);
  EXPECT_EQ(d["box"], Json::parse("[200.25, 40.0, 300.0, 90.5]"));
  return j["frame"].get<std::int64_t>();
}

MqttOptions options_for(int port) {
  MqttOptions o;
  o.port = port;
  o.prefix = "test/board";
  return o;
}

TEST(LiveMqtt, EveryFrameStatusStatsAndAvailabilityWithTheirSchema) {
  const int port = test::free_tcp_port();
  test::MosquittoBroker broker(test::temp_dir("mqtt_schema"), port);
  broker.start();
  Subscriber sub(port, "test/board/#");

  std::unique_ptr<MqttSink> sink;
  ASSERT_OK(MqttSink::create(options_for(port), &sink));
  ASSERT_TRUE(wait_connected(*sink));
  constexpr int kFrames = 50;
  test::SyntheticFrame f0 = test::make_frame(0, 0, 64, 48, two_detections());
  test::SyntheticFrame f1 = test::make_frame(1, 0, 64, 48, two_detections());
  sink->on_stream(f0.stream, pipeline::StreamStatus::kOnline, Status());
  sink->on_stream(f1.stream, pipeline::StreamStatus::kReconnecting, Status());
  for (int i = 0; i < kFrames; ++i) {
    test::SyntheticFrame f = test::make_frame(0, i, 64, 48, two_detections());
    sink->on_frame(f.view());
  }
  pipeline::PipelineStats stats;
  stats.wall_s = 2;
  pipeline::StreamStats s;
  s.stream = 0, s.status = pipeline::StreamStatus::kOnline, s.processed = kFrames, s.dropped = 3, s.fps_in = 25,
  s.fps_out = 24.5, s.inference.p50_ms = 7.25;
  s.window.duration_s = 5, s.window.decoded = 60, s.window.processed = 55, s.window.dropped = 5, s.window.fps_in = 12,
  s.window.fps_out = 11, s.window.age.count = 55, s.window.age.p50_ms = 30.5, s.window.age.p99_ms = 80;
  stats.streams.push_back(s);
  pipeline::WorkerStats w;
  w.placement = "npu:0", w.frames = kFrames, w.busy_fraction = 0.4, w.inference.p99_ms = 9;
  stats.workers.push_back(w);
  sink->on_stats(stats);
  ASSERT_TRUE(sink->close().ok());

  const auto all =
      sub.wait_until([](const std::vector<Received>& m) { return has(m, "test/board/available", "offline"); });
  // Frames: every one, in order, each with the JSON-lines schema.
  const auto dets = on_topic(all, "test/board/0/detections");
  ASSERT_EQ(dets.size(), static_cast<std::size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    EXPECT_EQ(check_detections_schema(dets[i].payload, 0), i);
    EXPECT_FALSE(dets[i].retain);
  }
  // Status: retained, and offline at the end.
  const auto st0 = on_topic(all, "test/board/0/status");
  ASSERT_GE(st0.size(), 2u);
  EXPECT_EQ(st0.front().payload, "online");
  EXPECT_EQ(st0.back().payload, "offline");
  EXPECT_TRUE(has(all, "test/board/1/status", "reconnecting"));
  EXPECT_TRUE(has(all, "test/board/available", "online"));
  // Stats.
  const auto st = on_topic(all, "test/board/stats");
  ASSERT_EQ(st.size(), 1u);
  const Json j = Json::parse(st[0].payload);
  EXPECT_EQ(j["streams"][0]["fps_in"], 25.0);
  EXPECT_EQ(j["streams"][0]["fps_out"], 24.5);
  EXPECT_EQ(j["streams"][0]["dropped"], 3);
  EXPECT_EQ(j["streams"][0]["status"], "online");
  EXPECT_EQ(j["streams"][0]["inference_ms"]["p50"], 7.25);
  // The last stats window beside the totals: the rates now.
  const Json& window = j["streams"][0]["window"];
  EXPECT_EQ(window["duration_s"], 5.0);
  EXPECT_EQ(window["decoded"], 60);
  EXPECT_EQ(window["processed"], 55);
  EXPECT_EQ(window["dropped"], 5);
  EXPECT_EQ(window["failed"], 0);
  EXPECT_EQ(window["fps_in"], 12.0);
  EXPECT_EQ(window["fps_out"], 11.0);
  EXPECT_EQ(window["age_ms"]["count"], 55);
  EXPECT_EQ(window["age_ms"]["p50"], 30.5);
  EXPECT_EQ(window["age_ms"]["p99"], 80.0);
  EXPECT_EQ(window["inference_ms"]["count"], 0);
  EXPECT_EQ(j["workers"][0]["placement"], "npu:0");
  EXPECT_EQ(j["workers"][0]["inference_ms"]["p99"], 9.0);
  // Nothing else under the prefix; nothing lost.
  for (const Received& r : all) {
    static const std::set<std::string> kTopics = {"test/board/available", "test/board/stats", "test/board/0/status",
                                                  "test/board/1/status", "test/board/0/detections"};
    EXPECT_TRUE(kTopics.count(r.topic)) << r.topic;
  }
  EXPECT_EQ(sink->counters().dropped, 0);

  // A new subscriber sees the retained truth after the run.
  Subscriber late(port, "test/board/#");
  const auto retained = late.wait_until([](const std::vector<Received>& m) { return m.size() >= 3; });
  EXPECT_TRUE(has(retained, "test/board/available", "offline"));
  EXPECT_TRUE(has(retained, "test/board/0/status", "offline"));
  for (const Received& r : retained) EXPECT_TRUE(r.retain) << r.topic;
}

TEST(LiveMqtt, BrokerDownAtStartQueuesUpToTheBoundThenDelivers) {
  const int port = test::free_tcp_port();
  MqttOptions o = options_for(port);
  o.queue_messages = 5;
  std::unique_ptr<MqttSink> sink;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_OK(MqttSink::create(o, &sink));
  for (int i = 0; i < 20; ++i) {
    test::SyntheticFrame f = test::make_frame(0, i, 32, 32, two_detections());
    sink->on_frame(f.view());
  }
  // Never waits for the broker: 20 frames take far less than one reconnection delay (1 s).
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 900ms);
  EXPECT_FALSE(sink->connected());
  EXPECT_EQ(sink->counters().dropped, 15);  // the bound keeps the newest five

  test::MosquittoBroker broker(test::temp_dir("mqtt_down"), port);
  broker.start();
  Subscriber sub(port, "test/board/#");
  ASSERT_TRUE(wait_connected(*sink)) << "no reconnection after the broker came up";
  // The five queued frames go out first (else the next five would push them
  // out of the bound of five: dropped, correctly, but not this test's point).
  for (int i = 0; i < 1500 && sink->counters().published < 5 + sink->counters().republished; ++i)
    std::this_thread::sleep_for(10ms);
  for (int i = 20; i < 25; ++i) {
    test::SyntheticFrame f = test::make_frame(0, i, 32, 32, two_detections());
    sink->on_frame(f.view());
  }
  const auto all = sub.wait_until([](const std::vector<Received>& m) {
    const auto d = on_topic(m, "test/board/0/detections");
    return !d.empty() && Json::parse(d.back().payload)["frame"] == 24;
  });
  // The five queued frames went out on connection, perhaps before the
  // subscriber's subscription was in place: the sink's counters say so, the
  // subscriber sees a tail of 15..24 in order.
  std::vector<std::int64_t> frames;
  for (const Received& r : on_topic(all, "test/board/0/detections"))
    frames.push_back(check_detections_schema(r.payload, 0));
  ASSERT_GE(frames.size(), 5u);
  const std::vector<std::int64_t> all_frames = {15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
  EXPECT_TRUE(std::equal(frames.rbegin(), frames.rend(), all_frames.rbegin())) << "not a tail of 15..24";
  EXPECT_TRUE(has(all, "test/board/available", "online"));
  ASSERT_TRUE(sink->close().ok());
  const cli::MqttCounters c = sink->counters();
  EXPECT_EQ(c.queued, 25 + 1);  // and "offline" at close
  EXPECT_EQ(c.dropped, 15);
  EXPECT_EQ(c.published, 10 + 1 + c.republished)
      << "connects " << c.connects << " republished " << c.republished << " queued " << c.queued;
}

TEST(LiveMqtt, BrokerKilledAndRestartedMidStream) {
  const int port = test::free_tcp_port();
  const std::string dir = test::temp_dir("mqtt_restart");
  test::MosquittoBroker broker(dir, port);
  broker.start();
  std::unique_ptr<MqttSink> sink;
  ASSERT_OK(MqttSink::create(options_for(port), &sink));
  ASSERT_TRUE(wait_connected(*sink));
  test::SyntheticFrame s = test::make_frame(0, 0, 32, 32, {});
  sink->on_stream(s.stream, pipeline::StreamStatus::kOnline, Status());
  std::int64_t frame = 0;
  auto send = [&](int n) {
    for (int i = 0; i < n; ++i) {
      test::SyntheticFrame f = test::make_frame(0, frame++, 32, 32, two_detections());
      sink->on_frame(f.view());
    }
  };
  {
    Subscriber sub(port, "test/board/#");
    send(10);
    sub.wait_until([](const std::vector<Received>& m) { return on_topic(m, "test/board/0/detections").size() >= 10; });
  }
  broker.kill_now();  // SIGKILL: no goodbye to anyone
  const auto t0 = std::chrono::steady_clock::now();
  send(20);  // while the broker is gone
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 900ms) << "on_frame waited for a dead broker";
  broker.start();
  Subscriber sub(port, "test/board/#");
  // Persistence is off: the retained availability and status come back only
  // because the sink publishes them again on reconnection.
  auto all = sub.wait_until([](const std::vector<Received>& m) {
    return has(m, "test/board/available", "online") && has(m, "test/board/0/status", "online");
  });
  EXPECT_TRUE(has(all, "test/board/available", "online"));
  EXPECT_TRUE(has(all, "test/board/0/status", "online"));
  ASSERT_TRUE(wait_connected(*sink));
  EXPECT_GE(sink->counters().connects, 2);
  const std::int64_t first_after = frame;
  send(10);
  all = sub.wait_until([&](const std::vector<Received>& m) {
    for (const Received& r : on_topic(m, "test/board/0/detections"))
      if (Json::parse(r.payload)["frame"] == first_after + 9) return true;
    return false;
  });
  std::set<std::int64_t> seen;
  for (const Received& r : on_topic(all, "test/board/0/detections")) seen.insert(check_detections_schema(r.payload, 0));
  for (std::int64_t i = first_after; i < first_after + 10; ++i) EXPECT_TRUE(seen.count(i)) << "frame " << i;
  ASSERT_TRUE(sink->close().ok());
  // Every message accounted for.
  const cli::MqttCounters c = sink->counters();
  EXPECT_EQ(c.republished, 1 + 2) << "available on the first connection; available and status on the second";
  EXPECT_EQ(c.queued + c.republished, c.published + c.dropped)
      << "queued " << c.queued << " published " << c.published << " dropped " << c.dropped;
}

TEST(LiveMqtt, RateLimitPerStream) {
  const int port = test::free_tcp_port();
  test::MosquittoBroker broker(test::temp_dir("mqtt_rate"), port);
  broker.start();
  Subscriber sub(port, "test/board/+/detections");
  MqttOptions o = options_for(port);
  o.detections_max_hz = 0.5;  // one every 2 s per stream: the loop below takes milliseconds
  std::unique_ptr<MqttSink> sink;
  ASSERT_OK(MqttSink::create(o, &sink));
  ASSERT_TRUE(wait_connected(*sink));
  for (int i = 0; i < 30; ++i) {
    test::SyntheticFrame f = test::make_frame(i % 2, i, 32, 32, two_detections());
    sink->on_frame(f.view());
  }
  ASSERT_TRUE(sink->close().ok());
  const auto all = sub.wait_until([](const std::vector<Received>& m) { return m.size() >= 2; });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(sink->counters().rate_limited, 28);
  EXPECT_EQ(check_detections_schema(on_topic(all, "test/board/0/detections").at(0).payload, 0), 0);
  EXPECT_EQ(check_detections_schema(on_topic(all, "test/board/1/detections").at(0).payload, 1), 1);
}

TEST(LiveMqtt, UsernameAndPasswordFromAFileOrTheEnvironment) {
  const int port = test::free_tcp_port();
  const std::string dir = test::temp_dir("mqtt_auth");
  const auto made = test::run_command({"mosquitto_passwd", "-b", "-c", dir + "/passwd", "board", "s3cret"}, 30);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  test::MosquittoBroker broker(dir, port, "allow_anonymous false\npassword_file " + dir + "/passwd");
  broker.start();

  test::write_bytes(dir + "/creds", "board\ns3cret\n");
  MqttOptions o = options_for(port);
  ASSERT_TRUE(cli::load_mqtt_credentials(dir + "/creds", &o).ok());
  EXPECT_EQ(o.username, "board");
  EXPECT_EQ(o.password, "s3cret");
  std::unique_ptr<MqttSink> sink;
  ASSERT_OK(MqttSink::create(o, &sink));
  EXPECT_TRUE(wait_connected(*sink));
  ASSERT_TRUE(sink->close().ok());

  ::setenv("RKYOLO_MQTT_USERNAME", "board", 1);
  ::setenv("RKYOLO_MQTT_PASSWORD", "wrong", 1);
  MqttOptions bad = options_for(port);
  ASSERT_TRUE(cli::load_mqtt_credentials("", &bad).ok());
  ::unsetenv("RKYOLO_MQTT_USERNAME");
  ::unsetenv("RKYOLO_MQTT_PASSWORD");
  EXPECT_EQ(bad.password, "wrong");
  ASSERT_OK(MqttSink::create(bad, &sink));
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(sink->connected()) << "the broker accepted a wrong password";
  ASSERT_TRUE(sink->close().ok());

  test::write_bytes(dir + "/one_line", "board:s3cret\n");
  MqttOptions one = options_for(port);
  ASSERT_TRUE(cli::load_mqtt_credentials(dir + "/one_line", &one).ok());
  EXPECT_EQ(one.username, "board");
  EXPECT_EQ(one.password, "s3cret");
  test::write_bytes(dir + "/junk", "nocolon\n");
  const Status junk = cli::load_mqtt_credentials(dir + "/junk", &one);
  EXPECT_FALSE(junk.ok());
  EXPECT_NE(junk.message().find("two lines"), std::string::npos) << junk;
  EXPECT_EQ(cli::load_mqtt_credentials(dir + "/absent", &one).code(), StatusCode::kNotFound);
}

TEST(LiveMqtt, BadOptionsAreOneSentence) {
  std::unique_ptr<MqttSink> sink;
  MqttOptions o;
  o.prefix = "a/#";
  EXPECT_FALSE(MqttSink::create(o, &sink).ok());
  o = MqttOptions();
  o.qos = 3;
  EXPECT_FALSE(MqttSink::create(o, &sink).ok());
  o = MqttOptions();
  o.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_FALSE(MqttSink::create(o, &sink).ok());
  o = MqttOptions();
  o.tls_ca_file = "/nonexistent/ca.pem";
  const Status s = MqttSink::create(o, &sink);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("TLS"), std::string::npos) << s;
  EXPECT_EQ(cli::default_mqtt_prefix().rfind("rkyolo/", 0), 0u);
}

TEST(LiveAddress, HostAndPort) {
  cli::HostPort hp;
  ASSERT_TRUE(cli::parse_host_port("--serve", "8080", "127.0.0.1", 0, true, &hp).ok());
  EXPECT_EQ(hp.host, "127.0.0.1");
  EXPECT_EQ(hp.port, 8080);
  ASSERT_TRUE(cli::parse_host_port("--serve", "0.0.0.0:9000", "127.0.0.1", 0, true, &hp).ok());
  EXPECT_EQ(hp.host, "0.0.0.0");
  EXPECT_EQ(hp.port, 9000);
  ASSERT_TRUE(cli::parse_host_port("--mqtt", "broker.lan", "", 1883, false, &hp).ok());
  EXPECT_EQ(hp.host, "broker.lan");
  EXPECT_EQ(hp.port, 1883);
  ASSERT_TRUE(cli::parse_host_port("--mqtt", "[::1]:1884", "", 1883, false, &hp).ok());
  EXPECT_EQ(hp.host, "::1");
  EXPECT_EQ(hp.port, 1884);
  for (const char* bad : {"host:", "host:0", "host:65536", "host:12a", "::1:80", "[::1", "a b:1"}) {
    const Status s = cli::parse_host_port("--mqtt", bad, "", 1883, false, &hp);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("--mqtt"), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace rkyolo

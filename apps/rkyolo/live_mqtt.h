// rkyolo CLI: --mqtt, a pipeline sink that publishes to an MQTT broker
// (libmosquitto, its own target rkyolo_mqtt).
//
// Topics under the prefix (default rkyolo/<hostname>):
//   available              "online"; "offline" on close and as the retained last will
//   <stream>/status        "starting" | "online" | "reconnecting" | "offline", retained
//   <stream>/detections    one message per processed frame: the JSON-lines object
//   stats                  every stats interval: the pipeline's counters as JSON
//   events                 reserved for tracking (new/update/end per object)
//
// The pipeline never waits for the broker: on_frame formats the message and
// queues it (a bounded queue; beyond it the oldest message is dropped and
// counted); a sender thread hands queued messages to libmosquitto's network
// thread while connected, with a bounded number in flight. The network
// thread reconnects with exponential backoff; on every (re)connection the
// availability and every stream's status are published again, so a broker
// restarted without persistence shows the truth.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "rkyolo/pipeline.h"
#include "rkyolo/status.h"

namespace rkyolo::cli {

struct MqttOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string prefix;              // empty: default_mqtt_prefix()
  std::string client_id;           // empty: "rkyolo-<hostname>-<pid>"
  std::string username, password;  // from a file or the environment, never the command line
  // TLS, passed to libmosquitto: TLS is on when a CA file or directory is set.
  std::string tls_ca_file, tls_ca_path, tls_cert_file, tls_key_file;
  bool tls_insecure = false;     // skip the server host name check (test brokers only)
  int qos = 0;                   // detections and stats; status and availability always use 1
  double detections_max_hz = 0;  // per stream; 0: every processed frame
  int queue_messages = 1000;     // queued while disconnected or slow, then the oldest is dropped
  int inflight_messages = 100;   // handed to libmosquitto and not yet written
  int keepalive_s = 30;
  int reconnect_min_s = 1, reconnect_max_s = 30;  // exponential backoff between attempts
  std::chrono::milliseconds close_timeout{2000};  // close(): time to flush the queue
};

struct MqttCounters {
  std::int64_t queued = 0;        // messages accepted from the pipeline
  std::int64_t republished = 0;   // availability and statuses sent again on each (re)connection
  std::int64_t published = 0;     // written to the broker's socket
  std::int64_t dropped = 0;       // lost: queue full, in flight when the connection broke, or unsent at close
  std::int64_t rate_limited = 0;  // detections skipped by detections_max_hz
  std::int64_t connects = 0;      // successful connections (reconnects = connects - 1)
};

// "rkyolo/<hostname>" (characters MQTT reserves, '+', '#' and '/', become '_').
std::string default_mqtt_prefix();

// Username and password for the broker: from `path` when not empty (first
// line the username, second the password; or one line "user:password"),
// else from RKYOLO_MQTT_USERNAME / RKYOLO_MQTT_PASSWORD. Leaves both empty
// when neither is set.
Status load_mqtt_credentials(const std::string& path, MqttOptions* options);

class MqttSink final : public pipeline::Sink {
 public:
  // Checks the options and starts connecting in the background: a broker
  // that is down is not an error (the sink keeps trying).
  static Status create(const MqttOptions& options, std::unique_ptr<MqttSink>* out);
  ~MqttSink() override;

  void on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status& why) override;
  void on_frame(const pipeline::FrameResult& result) override;
  void on_stats(const pipeline::PipelineStats& stats) override;
  // One tracking event (new/update/end, the --events JSON object) on
  // <prefix>/events; thread-safe, never blocks (queued like detections).
  void publish_event(std::string event_json);
  // Publishes "offline" for every stream and the process, flushes for up to
  // close_timeout and disconnects. Never fails the run for the broker's sake.
  Status close() override;

  const std::string& prefix() const;
  bool connected() const;
  MqttCounters counters() const;

  struct Impl;

 private:
  explicit MqttSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rkyolo::cli

#include "rkyolo/live_mqtt.h"

#include <mosquitto.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "rkyolo/live_json.h"
#include "rkyolo/log.h"

namespace rkyolo::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStatusQos = 1;
constexpr auto kNoConnRetry =
    std::chrono::milliseconds(20);  // availability and status: retained, delivered at least once

struct Message {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
};

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

// MQTT topic levels must not contain the wildcards or the separator.
std::string topic_safe(std::string s) {
  for (char& c : s)
    if (c == '+' || c == '#' || c == '/' || static_cast<unsigned char>(c) < 0x20) c = '_';
  return s;
}

Status mosquitto_error(const std::string& what, int rc) {
  return invalid_argument("MQTT: " + what + ": " + mosquitto_strerror(rc));
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

}  // namespace

std::string default_mqtt_prefix() {
  return "rkyolo/" + topic_safe(host_name());
}

Status load_mqtt_credentials(const std::string& path, MqttOptions* options) {
  if (path.empty()) {
    const char* user = std::getenv("RKYOLO_MQTT_USERNAME");
    const char* pass = std::getenv("RKYOLO_MQTT_PASSWORD");
    options->username = user ? user : "";
    options->password = pass ? pass : "";
    if (options->username.empty() && !options->password.empty())
      return invalid_argument(
          "RKYOLO_MQTT_PASSWORD is set but RKYOLO_MQTT_USERNAME is not: MQTT needs a username with a password");
    return Status();
  }
  std::ifstream in(path);
  if (!in) return not_found("MQTT credentials file '" + path + "' cannot be opened");
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  first = trim(first), second = trim(second);
  if (second.empty()) {
    const auto colon = first.find(':');
    if (colon == std::string::npos)
      return invalid_argument("MQTT credentials file '" + path +
                              "' must hold the username and the password on two lines, or one line user:password");
    second = first.substr(colon + 1);
    first.resize(colon);
  }
  if (first.empty()) return invalid_argument("MQTT credentials file '" + path + "' has an empty username");
  options->username = first;
  options->password = second;
  return Status();
}

struct MqttSink::Impl {
  MqttOptions options;
  std::string prefix;
  std::string available_topic;
  mosquitto* mosq = nullptr;
  bool loop_started = false;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<Message> queue;
  std::map<int, std::string> statuses;               // stream -> word, published again on every connection
  std::map<int, Clock::time_point> last_detections;  // stream -> last published (rate limit)
  bool connected = false;
  bool stopping = false;
  bool closed = false;
  int inflight = 0;
  MqttCounters counters;
  std::thread sender;

  ~Impl() {
    shut_down();
    if (mosq) mosquitto_destroy(mosq);
  }

  std::string stream_topic(int stream, const char* leaf) const {
    return prefix + "/" + std::to_string(stream) + "/" + leaf;
  }

  // Under mu. Beyond the bound the oldest message goes: live data ages.
  void push_locked(Message m) {
    if (static_cast<int>(queue.size()) >= options.queue_messages) {
      queue.pop_front();
      ++counters.dropped;
    }
    queue.push_back(std::move(m));
    ++counters.queued;
    cv.notify_all();
  }

  void push(Message m) {
    std::lock_guard lock(mu);
    if (closed) return;
    push_locked(std::move(m));
  }

  // Called on libmosquitto's network thread.
  void on_connect(int rc) {
    if (rc != 0) {
      RKYOLO_LOG(kWarning) << "MQTT: the broker at " << options.host << ':' << options.port
                           << " refused the connection: " << mosquitto_connack_string(rc);
      return;
    }
    std::map<int, std::string> current;
    {
      std::lock_guard lock(mu);
      connected = true;
      counters.dropped += inflight;  // a new session: what the old one had in flight is gone
      inflight = 0;
      ++counters.connects;
      current = statuses;
    }
    publish_now(available_topic, "online");
    for (const auto& [stream, word] : current) publish_now(stream_topic(stream, "status"), word);
    cv.notify_all();
  }

  void on_disconnect() {
    {
      std::lock_guard lock(mu);
      connected = false;
    }
    cv.notify_all();
  }

  void on_publish() {
    {
      std::lock_guard lock(mu);
      if (inflight > 0) --inflight;
      ++counters.published;
    }
    cv.notify_all();
  }

  // A retained status sent again, on the network thread (inside on_connect).
  void publish_now(const std::string& topic, const std::string& payload) {
    {
      std::lock_guard lock(mu);
      ++inflight;
      ++counters.republished;
    }
    const int rc = mosquitto_publish(mosq, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(),
                                     kStatusQos, true);
    if (rc != MOSQ_ERR_SUCCESS) {
      std::lock_guard lock(mu);
      --inflight;
      ++counters.dropped;
    }
  }

  // Until the first connection starts, libmosquitto's network thread does
  // not retry by itself: try here with the same backoff, then hand over.
  bool connect_and_start_loop() {
    const int min_s = std::max(1, options.reconnect_min_s);
    std::chrono::seconds delay(min_s);
    for (bool warned = false;;) {
      int rc = mosquitto_connect_async(mosq, options.host.c_str(), options.port, options.keepalive_s);
      if (rc == MOSQ_ERR_SUCCESS) {
        rc = mosquitto_loop_start(mosq);
        if (rc == MOSQ_ERR_SUCCESS) {
          std::lock_guard lock(mu);
          loop_started = true;
          return true;
        }
      }
      if (rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_NOMEM) {
        RKYOLO_LOG(kError) << "MQTT: cannot connect to " << options.host << ':' << options.port << ": "
                           << mosquitto_strerror(rc) << "; not publishing";
        return false;
      }
      if (!warned) {
        RKYOLO_LOG(kWarning) << "MQTT: cannot reach the broker at " << options.host << ':' << options.port << " yet ("
                             << mosquitto_strerror(rc) << "); retrying in the background";
        warned = true;
      }
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, delay, [&] { return stopping; })) return false;
      delay = std::min(delay * 2, std::chrono::seconds(std::max(min_s, options.reconnect_max_s)));
    }
  }

  void send_loop() {
    if (!connect_and_start_loop()) return;
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stopping || (connected && !queue.empty() && inflight < options.inflight_messages); });
      if (stopping) return;
      Message m = std::move(queue.front());
      queue.pop_front();
      ++inflight;
      lock.unlock();
      // Threaded libmosquitto only queues the packet for its network thread.
      const int rc = mosquitto_publish(mosq, nullptr, m.topic.c_str(), static_cast<int>(m.payload.size()),
                                       m.payload.data(), m.qos, m.retain);
      lock.lock();
      if (rc != MOSQ_ERR_SUCCESS) {
        --inflight;
        if (rc == MOSQ_ERR_NO_CONN) {
          // The network thread has not caught up (a session starting or
          // ending): keep the message and look again shortly. on_disconnect,
          // not this, says whether the connection is gone.
          queue.push_front(std::move(m));
          cv.wait_for(lock, kNoConnRetry, [&] { return stopping; });
        } else {
          ++counters.dropped;
        }
      }
    }
  }

  void shut_down() {
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      stopping = true;
      closed = true;
    }
    cv.notify_all();
    if (sender.joinable()) sender.join();  // after this, loop_started is stable
    if (mosq && loop_started) {
      mosquitto_disconnect(mosq);
      mosquitto_loop_stop(mosq, false);
      loop_started = false;
    }
  }
};

MqttSink::MqttSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MqttSink::~MqttSink() = default;

Status MqttSink::create(const MqttOptions& options, std::unique_ptr<MqttSink>* out) {
  static std::once_flag init_once;
  std::call_once(init_once, [] { mosquitto_lib_init(); });
  if (options.qos < 0 || options.qos > 2) return invalid_argument("MQTT QoS must be 0, 1 or 2");
  if (options.queue_messages < 1 || options.inflight_messages < 1)
    return invalid_argument("MQTT queue and in-flight bounds must be at least 1");
  if (options.detections_max_hz < 0) return invalid_argument("MQTT detection rate must not be negative");
  if (options.host.empty()) return invalid_argument("MQTT broker host is empty");

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->prefix = options.prefix.empty() ? default_mqtt_prefix() : options.prefix;
  while (!impl->prefix.empty() && impl->prefix.back() == '/') impl->prefix.pop_back();
  if (impl->prefix.empty() || impl->prefix.find_first_of("+#") != std::string::npos)
    return invalid_argument("MQTT topic prefix '" + options.prefix + "' must be non-empty and free of '+' and '#'");
  impl->available_topic = impl->prefix + "/available";
  const std::string client_id = options.client_id.empty()
                                    ? "rkyolo-" + topic_safe(host_name()) + "-" + std::to_string(getpid())
                                    : options.client_id;

  Impl* self = impl.get();
  impl->mosq = mosquitto_new(client_id.c_str(), true, self);
  if (!impl->mosq) return Status(StatusCode::kOutOfMemory, "MQTT: cannot create a client");
  mosquitto_connect_callback_set(impl->mosq,
                                 [](mosquitto*, void* obj, int rc) { static_cast<Impl*>(obj)->on_connect(rc); });
  mosquitto_disconnect_callback_set(impl->mosq,
                                    [](mosquitto*, void* obj, int) { static_cast<Impl*>(obj)->on_disconnect(); });
  mosquitto_publish_callback_set(impl->mosq, [](mosquitto*, void* obj, int) { static_cast<Impl*>(obj)->on_publish(); });

  int rc = mosquitto_will_set(impl->mosq, impl->available_topic.c_str(), 7, "offline", kStatusQos, true);
  if (rc != MOSQ_ERR_SUCCESS) return mosquitto_error("cannot set the last will on '" + impl->available_topic + "'", rc);
  if (!options.username.empty()) {
    rc = mosquitto_username_pw_set(impl->mosq, options.username.c_str(),
                                   options.password.empty() ? nullptr : options.password.c_str());
    if (rc != MOSQ_ERR_SUCCESS) return mosquitto_error("cannot set the username", rc);
  }
  if (!options.tls_ca_file.empty() || !options.tls_ca_path.empty()) {
    auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    rc = mosquitto_tls_set(impl->mosq, opt(options.tls_ca_file), opt(options.tls_ca_path), opt(options.tls_cert_file),
                           opt(options.tls_key_file), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) return mosquitto_error("cannot use the TLS files given", rc);
    rc = mosquitto_tls_insecure_set(impl->mosq, options.tls_insecure);
    if (rc != MOSQ_ERR_SUCCESS) return mosquitto_error("cannot set the TLS host name check", rc);
  } else if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    return invalid_argument("MQTT TLS client certificate and key need a CA file or directory as well");
  }
  const int min_s = std::max(1, options.reconnect_min_s);
  rc = mosquitto_reconnect_delay_set(impl->mosq, static_cast<unsigned>(min_s),
                                     static_cast<unsigned>(std::max(min_s, options.reconnect_max_s)), true);
  if (rc != MOSQ_ERR_SUCCESS) return mosquitto_error("cannot set the reconnection delay", rc);

  impl->sender = std::thread([self] { self->send_loop(); });
  out->reset(new MqttSink(std::move(impl)));
  return Status();
}

void MqttSink::on_stream(const pipeline::StreamInfo& stream, pipeline::StreamStatus status, const Status&) {
  const std::string word(stream_status_word(status));
  std::lock_guard lock(impl_->mu);
  if (impl_->closed) return;
  impl_->statuses[stream.stream] = word;
  impl_->push_locked(Message{impl_->stream_topic(stream.stream, "status"), word, kStatusQos, true});
}

void MqttSink::on_frame(const pipeline::FrameResult& result) {
  const int stream = result.stream ? result.stream->stream : (result.result ? result.result->tag.stream : 0);
  const auto now = Clock::now();
  if (impl_->options.detections_max_hz > 0) {
    std::lock_guard lock(impl_->mu);
    auto [it, first] = impl_->last_detections.try_emplace(stream, now);
    const auto period = std::chrono::duration<double>(1.0 / impl_->options.detections_max_hz);
    if (!first && now - it->second < period) {
      ++impl_->counters.rate_limited;
      return;
    }
    it->second = now;
  }
  impl_->push(Message{impl_->stream_topic(stream, "detections"), frame_json(result), impl_->options.qos, false});
}

void MqttSink::on_stats(const pipeline::PipelineStats& stats) {
  impl_->push(Message{impl_->prefix + "/stats", pipeline::stats_json(stats), impl_->options.qos, false});
}

void MqttSink::publish_event(std::string event_json) {
  impl_->push(Message{impl_->prefix + "/events", std::move(event_json), impl_->options.qos, false});
}

Status MqttSink::close() {
  Impl& s = *impl_;
  {
    std::unique_lock lock(s.mu);
    if (s.closed) return Status();
    for (auto& [stream, word] : s.statuses) {
      word = "offline";
      s.push_locked(Message{s.stream_topic(stream, "status"), word, kStatusQos, true});
    }
    s.push_locked(Message{s.available_topic, "offline", kStatusQos, true});
    s.closed = true;
    // Flush while connected; a broker that is away gets no more time.
    s.cv.wait_for(lock, s.options.close_timeout, [&] { return !s.connected || (s.queue.empty() && s.inflight == 0); });
    s.counters.dropped += static_cast<std::int64_t>(s.queue.size());
    s.queue.clear();
  }
  s.shut_down();
  return Status();
}

const std::string& MqttSink::prefix() const {
  return impl_->prefix;
}

bool MqttSink::connected() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connected;
}

MqttCounters MqttSink::counters() const {
  std::lock_guard lock(impl_->mu);
  return impl_->counters;
}

}  // namespace rkyolo::cli

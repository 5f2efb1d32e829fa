#include "rkyolo/live_options.h"

#include "rkyolo/live_address.h"
#include "rkyolo/options.h"

namespace rkyolo::cli {

namespace {

constexpr int kDefaultMqttPort = 1883;
constexpr int kDefaultMqttStatsS = 10;

const char* const kMqttValueOptions[] = {"--mqtt-prefix", "--mqtt-credentials", "--mqtt-qos",      "--mqtt-max-rate",
                                         "--mqtt-stats",  "--mqtt-tls-ca",      "--mqtt-tls-cert", "--mqtt-tls-key"};
const char* const kServeValueOptions[] = {"--serve-width", "--serve-fps"};
const char* const kShowValueOptions[] = {"--show-layout", "--show-width"};
constexpr int kGridAspectNum = 9, kGridAspectDen = 16;  // --show-width N bounds the grid to N x N*9/16

Status mqtt_options_from(const Args& args, MqttOptions* o) {
  const std::string where = args.get("--mqtt");
  if (where.find('@') != std::string::npos)
    return invalid_argument("--mqtt '" + where +
                            "': credentials on the command line are visible to every user of the machine; use "
                            "--mqtt-credentials FILE or RKYOLO_MQTT_USERNAME and RKYOLO_MQTT_PASSWORD");
  HostPort hp;
  RKYOLO_RETURN_IF_ERROR(parse_host_port("--mqtt", where, "127.0.0.1", kDefaultMqttPort, false, &hp));
  o->host = hp.host;
  o->port = hp.port;
  o->prefix = args.get("--mqtt-prefix");
  RKYOLO_RETURN_IF_ERROR(load_mqtt_credentials(args.get("--mqtt-credentials"), o));
  if (args.has("--mqtt-qos")) RKYOLO_RETURN_IF_ERROR(parse_int("--mqtt-qos", args.get("--mqtt-qos"), 0, 2, &o->qos));
  if (args.has("--mqtt-max-rate")) {
    float hz = 0;
    RKYOLO_RETURN_IF_ERROR(parse_float("--mqtt-max-rate", args.get("--mqtt-max-rate"), 0, 1000, &hz));
    o->detections_max_hz = hz;
  }
  o->tls_ca_file = args.get("--mqtt-tls-ca");
  o->tls_cert_file = args.get("--mqtt-tls-cert");
  o->tls_key_file = args.get("--mqtt-tls-key");
  o->tls_insecure = args.has("--mqtt-tls-insecure");
  return Status();
}

Status web_options_from(const Args& args, WebOptions* o) {
  HostPort hp;
  RKYOLO_RETURN_IF_ERROR(parse_host_port("--serve", args.get("--serve"), "127.0.0.1", 0, true, &hp));
  if (hp.port == 0)
    return invalid_argument("--serve '" + args.get("--serve") + "': give a port, e.g. 8080 or 0.0.0.0:8080");
  o->host = hp.host;
  o->port = hp.port;
  if (args.has("--serve-width"))
    RKYOLO_RETURN_IF_ERROR(parse_int("--serve-width", args.get("--serve-width"), 16, 7680, &o->max_width));
  if (args.has("--serve-fps")) {
    float fps = 0;
    RKYOLO_RETURN_IF_ERROR(parse_float("--serve-fps", args.get("--serve-fps"), 0.1f, 60, &fps));
    o->max_fps = fps;
  }
  return Status();
}

Status show_options_from(const Args& args, ShowOptions* o) {
  const std::string layout = args.get("--show-layout", "windows");
  if (layout == "grid")
    o->layout = ShowLayout::kGrid;
  else if (layout != "windows")
    return invalid_argument("--show-layout '" + layout + "': use windows (a window per stream) or grid (one window)");
  if (args.has("--show-width")) {
    int width = 0;
    RKYOLO_RETURN_IF_ERROR(parse_int("--show-width", args.get("--show-width"), 32, 7680, &width));
    o->max_width = o->grid_width = width;
    o->grid_height = width * kGridAspectNum / kGridAspectDen;
  }
  return Status();
}

}  // namespace

std::vector<OptionSpec> live_option_specs() {
  std::vector<OptionSpec> specs = {
      {"--mqtt", true, ""}, {"--mqtt-tls-insecure", false, ""}, {"--serve", true, ""}, {"--show", false, ""}};
  for (const char* name : kMqttValueOptions) specs.push_back({name, true, ""});
  for (const char* name : kServeValueOptions) specs.push_back({name, true, ""});
  for (const char* name : kShowValueOptions) specs.push_back({name, true, ""});
  return specs;
}

std::vector<pipeline::Sink*> LiveOutputs::sinks() const {
  std::vector<pipeline::Sink*> out;
  if (mqtt) out.push_back(mqtt.get());
  if (web) out.push_back(web.get());
  if (show) out.push_back(show.get());
  return out;
}

Status make_live_outputs(const Args& args, std::function<void()> stop_run, LiveOutputs* out) {
  for (const char* name : kMqttValueOptions)
    if (args.has(name) && !args.has("--mqtt")) return invalid_argument(std::string(name) + " needs --mqtt HOST[:PORT]");
  if (args.has("--mqtt-tls-insecure") && !args.has("--mqtt"))
    return invalid_argument("--mqtt-tls-insecure needs --mqtt HOST[:PORT]");
  for (const char* name : kServeValueOptions)
    if (args.has(name) && !args.has("--serve"))
      return invalid_argument(std::string(name) + " needs --serve [HOST:]PORT");
  for (const char* name : kShowValueOptions)
    if (args.has(name) && !args.has("--show")) return invalid_argument(std::string(name) + " needs --show");
  ShowOptions show;  // checked before any output starts
  if (args.has("--show")) RKYOLO_RETURN_IF_ERROR(show_options_from(args, &show));

  if (args.has("--serve")) {
    WebOptions web;
    RKYOLO_RETURN_IF_ERROR(web_options_from(args, &web));
    RKYOLO_RETURN_IF_ERROR(WebSink::create(web, &out->web));
  }
  if (args.has("--mqtt")) {
    MqttOptions mqtt;
    RKYOLO_RETURN_IF_ERROR(mqtt_options_from(args, &mqtt));
    int stats_s = kDefaultMqttStatsS;
    if (args.has("--mqtt-stats"))
      RKYOLO_RETURN_IF_ERROR(parse_int("--mqtt-stats", args.get("--mqtt-stats"), 1, 86400, &stats_s));
    RKYOLO_RETURN_IF_ERROR(MqttSink::create(mqtt, &out->mqtt));
    out->stats_interval = std::chrono::seconds(stats_s);
  }
  if (args.has("--show")) {
    show.on_quit = std::move(stop_run);
    RKYOLO_RETURN_IF_ERROR(ShowSink::create(show, &out->show));
  }
  return Status();
}

}  // namespace rkyolo::cli

// rkyolo CLI: the live outputs' options (--mqtt..., --serve...) and the
// sinks they make, for the commands that run the video pipeline. A command
// adds live_option_specs() to its own, calls make_live_outputs() once its
// arguments are parsed, adds outputs.sinks() to the pipeline and asks it for
// on_stats every outputs.stats_interval.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "rkyolo/cli_args.h"
#include "rkyolo/live_mqtt.h"
#include "rkyolo/live_show.h"
#include "rkyolo/live_web.h"
#include "rkyolo/pipeline.h"

namespace rkyolo::cli {

std::vector<OptionSpec> live_option_specs();

struct LiveOutputs {
  std::unique_ptr<MqttSink> mqtt;
  std::unique_ptr<WebSink> web;
  std::unique_ptr<ShowSink> show;
  std::chrono::milliseconds stats_interval{0};  // 0: only at the end
  std::vector<pipeline::Sink*> sinks() const;
};

// Checks the options (one sentence naming the option on a bad value, an
// --mqtt-... option without --mqtt, a password on the command line) and
// starts the outputs asked for: the web server listens, the MQTT client
// starts connecting in the background, the windows' UI thread starts.
// `stop_run` is what q or Esc in a window does (the same as Ctrl-C).
Status make_live_outputs(const Args& args, std::function<void()> stop_run, LiveOutputs* out);

}  // namespace rkyolo::cli

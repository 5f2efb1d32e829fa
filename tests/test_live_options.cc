// The live outputs' command-line options: bad values are one sentence
// naming the option; good ones start the outputs.
#include <gtest/gtest.h>
#include <httplib.h>

#include "rkyolo/live_options.h"
#include "support/live_fixtures.h"

namespace rkyolo {
namespace {

Status make(std::vector<std::string> argv, cli::LiveOutputs* out) {
  argv.insert(argv.begin(), {"rkyolo", "detect"});
  std::vector<char*> ptrs;
  for (std::string& a : argv) ptrs.push_back(a.data());
  cli::Args args;
  const Status parsed = args.parse("detect", static_cast<int>(ptrs.size()), ptrs.data(), 2, cli::live_option_specs());
  if (!parsed.ok()) return parsed;
  return cli::make_live_outputs(
      args, [] {}, out);
}

TEST(LiveOptions, BadValuesNameTheOption) {
  struct Case {
    std::vector<std::string> argv;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"--mqtt-prefix", "x"}, "--mqtt-prefix needs --mqtt"},
      {{"--serve-fps", "5"}, "--serve-fps needs --serve"},
      {{"--mqtt", "user:pw@broker"}, "visible to every user"},
      {{"--mqtt", "broker:99999"}, "--mqtt 'broker:99999'"},
      {{"--mqtt", "broker", "--mqtt-qos", "3"}, "--mqtt-qos"},
      {{"--mqtt", "broker", "--mqtt-max-rate", "fast"}, "--mqtt-max-rate"},
      {{"--mqtt", "broker", "--mqtt-prefix", "a/+/b"}, "prefix"},
      {{"--mqtt", "broker", "--mqtt-credentials", "/nonexistent/creds"}, "/nonexistent/creds"},
      {{"--serve", "localhost:"}, "--serve 'localhost:'"},
      {{"--serve", "8080", "--serve-width", "5"}, "--serve-width"},
      {{"--show-layout", "grid"}, "--show-layout needs --show"},
      {{"--show-width", "800"}, "--show-width needs --show"},
      {{"--show", "--show-layout", "tiles"}, "--show-layout 'tiles': use windows"},
      {{"--show", "--show-width", "8"}, "--show-width"},
      // Checked before any output starts: the web view is not left listening.
      {{"--serve", "8080", "--show", "--show-layout", "mosaic"}, "--show-layout 'mosaic'"},
  };
  for (const Case& c : cases) {
    cli::LiveOutputs out;
    const Status s = make(c.argv, &out);
    EXPECT_FALSE(s.ok()) << c.argv[0] << ' ' << c.argv.back();
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s;
    EXPECT_TRUE(out.sinks().empty());
  }
}

TEST(LiveOptions, GoodValuesStartTheOutputs) {
  const int web_port = test::free_tcp_port();
  const int mqtt_port = test::free_tcp_port();  // no broker there: the client keeps trying, the run goes on
  cli::LiveOutputs out;
  const Status s = make({"--serve", std::to_string(web_port), "--mqtt", "127.0.0.1:" + std::to_string(mqtt_port),
                         "--mqtt-prefix", "fleet/board7", "--mqtt-stats", "3"},
                        &out);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(out.sinks().size(), 2u);
  EXPECT_EQ(out.stats_interval, std::chrono::seconds(3));
  EXPECT_EQ(out.mqtt->prefix(), "fleet/board7");
  EXPECT_EQ(out.web->port(), web_port);
  httplib::Client cli("127.0.0.1", web_port);
  auto health = cli.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  for (pipeline::Sink* sink : out.sinks()) EXPECT_TRUE(sink->close().ok());
}

}  // namespace
}  // namespace rkyolo

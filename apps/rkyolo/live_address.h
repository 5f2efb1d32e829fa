// rkyolo CLI: HOST[:PORT] for --mqtt and --serve.
#pragma once

#include <string>

#include "rkyolo/status.h"

namespace rkyolo::cli {

struct HostPort {
  std::string host;
  int port = 0;
};

// "host", "host:port", "[v6::addr]:port" or, when `port_only_is_port`,
// a bare "port" (--serve 8080). A missing host is `default_host`, a missing
// port `default_port`. Errors name `option` and the text.
Status parse_host_port(const std::string& option, const std::string& text, const std::string& default_host,
                       int default_port, bool port_only_is_port, HostPort* out);

}  // namespace rkyolo::cli

#include "rkyolo/live_address.h"

#include <cctype>

namespace rkyolo::cli {

namespace {

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

Status bad(const std::string& option, const std::string& text, const char* why) {
  return invalid_argument(option + " '" + text + "': " + why);
}

}  // namespace

Status parse_host_port(const std::string& option, const std::string& text, const std::string& default_host,
                       int default_port, bool port_only_is_port, HostPort* out) {
  std::string host = text, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return bad(option, text, "an IPv6 address needs its closing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return bad(option, text, "expected ':PORT' after ']'");
      port = text.substr(close + 2);
      if (port.empty()) return bad(option, text, "the port after ':' is empty");
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon) return bad(option, text, "write an IPv6 address in brackets, e.g. [::1]:8080");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return bad(option, text, "the port after ':' is empty");
  } else if (port_only_is_port && all_digits(text)) {
    host.clear();
    port = text;
  }
  for (char c : host)
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return bad(option, text, "the host contains a space or a control character");
  int value = default_port;
  if (!port.empty()) {
    if (!all_digits(port) || port.size() > 5) return bad(option, text, "the port is not a number from 1 to 65535");
    value = std::stoi(port);
    if (value < 1 || value > 65535) return bad(option, text, "the port is not a number from 1 to 65535");
  }
  out->host = host.empty() ? default_host : host;
  out->port = value;
  return Status();
}

}  // namespace rkyolo::cli

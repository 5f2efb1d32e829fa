// Test support: where things are, and running commands.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rkyolo/model.h"

namespace rkyolo::test {

// Loads a Model and opens one Session at its first placement (the Session
// keeps the Model alive). Backends must be registered by the caller.
Status load_session(const DetectorOptions& options, std::unique_ptr<Session>* out);

std::string source_dir();
// The demo model (models/rkyolo-shapes.onnx unless configured otherwise).
std::string demo_model();
std::string binary_dir();
// ../shared beside the checkout, or "" when it is absent (tests then skip).
std::string shared_dir();
// A fresh empty directory under the build tree for one test.
std::string temp_dir(const std::string& name);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs argv (no shell) with a timeout in seconds; captures stdout/stderr.
CommandResult run_command(const std::vector<std::string>& argv, int timeout_s = 300,
                          const std::vector<std::string>& env = {});

// Runs a command-line tool (path `cli`) with `args` under a neutral locale:
// LC_ALL, LC_MESSAGES and LANGUAGE are cleared unless `env` sets them. A run
// longer than `timeout_s` is killed and reads as exit code -2 (a hang fails
// the test instead of stalling it).
CommandResult run_cli(const std::string& cli, std::vector<std::string> args, std::vector<std::string> env = {"LANG=C"},
                      int timeout_s = 300);
// Seconds a test on hostile input allows one command before calling it a hang.
constexpr int kHangTimeoutS = 60;

// The argv prefix that runs a command as an unprivileged user (nobody), for
// tests of permission errors: root ignores permission bits. Empty when the
// tests do not run as root; false when they do and setpriv is missing.
bool unprivileged_prefix(std::vector<std::string>* prefix);
int count_lines(const std::string& s);

// Debian's python3 with numpy and cv2, or "" if unavailable.
std::string python3();

std::string read_text(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);

}  // namespace rkyolo::test

#define RKYOLO_REQUIRE_SHARED()                                                         \
  do {                                                                                  \
    if (::rkyolo::test::shared_dir().empty())                                           \
      GTEST_SKIP() << "../shared is absent: skipping the test on shared models/photos"; \
  } while (0)

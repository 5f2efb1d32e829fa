// Test support: where things are, and running commands.
#pragma once

#include <string>
#include <vector>

namespace rkyolo::test {

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
// LC_ALL, LC_MESSAGES and LANGUAGE are cleared unless `env` sets them.
CommandResult run_cli(const std::string& cli, std::vector<std::string> args,
                      std::vector<std::string> env = {"LANG=C"});
int count_lines(const std::string& s);

// Debian's python3 with numpy and cv2, or "" if unavailable.
std::string python3();

std::string read_text(const std::string& path);
void write_bytes(const std::string& path, const std::string& bytes);

}  // namespace rkyolo::test

#define RKYOLO_REQUIRE_SHARED()                                                     \
  do {                                                                              \
    if (::rkyolo::test::shared_dir().empty())                                       \
      GTEST_SKIP() << "../shared is absent: skipping the test on shared models/photos"; \
  } while (0)

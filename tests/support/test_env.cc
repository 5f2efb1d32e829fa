#include "support/test_env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace rkyolo::test {

Status load_session(const DetectorOptions& options, std::unique_ptr<Session>* out) {
  std::shared_ptr<const Model> model;
  RKYOLO_RETURN_IF_ERROR(Model::load(options, &model));
  return model->create_session(out);
}

std::string source_dir() {
  return RKYOLO_SOURCE_DIR;
}
std::string binary_dir() {
  return RKYOLO_BINARY_DIR;
}
std::string demo_model() {
  return RKYOLO_DEMO_MODEL;
}

std::string shared_dir() {
  const char* env = std::getenv("RKYOLO_SHARED_DIR");
  std::string dir = env != nullptr ? env : RKYOLO_SHARED_DIR;
  std::error_code ec;
  if (std::filesystem::exists(dir + "/models/yolov5n-coco.onnx", ec)) return dir;
  return "";
}

std::string temp_dir(const std::string& name) {
  // Per test: ctest runs tests of one suite in parallel processes, and two
  // tests sharing a folder would delete each other's files.
  std::string scope;
  if (const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info()) {
    scope = std::string(t->test_suite_name()) + "." + t->name();
    std::replace(scope.begin(), scope.end(), '/', '_');  // parameterized names contain '/'
    scope += '/';
  }
  const std::string dir = binary_dir() + "/test-tmp/" + scope + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

CommandResult run_command(const std::vector<std::string>& argv, int timeout_s, const std::vector<std::string>& env) {
  CommandResult r;
  int out_pipe[2], err_pipe[2];
  // Close-on-exec: a command started at the same time from another thread
  // must not inherit this one's pipes (it would hold them open, and this
  // reader would wait for its end instead of this command's).
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return r;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
  posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> envs;
  // Overrides replace inherited variables of the same name.
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string var(*e);
    const std::string name = var.substr(0, var.find('='));
    bool overridden = false;
    for (const auto& o : env) overridden |= o.substr(0, o.find('=')) == name;
    if (!overridden) envs.push_back(var);
  }
  for (const auto& e : env) envs.push_back(e);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    r.err = std::string("cannot start ") + argv[0] + ": " + std::strerror(rc);
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  bool killed = false;
  while (open_fds > 0) {
    const int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    if (poll(fds, 2, std::min(left, 1000)) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (killed)
    r.exit_code = -2;  // timed out
  else if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else
    r.exit_code = 128 + WTERMSIG(status);
  return r;
}

std::string python3() {
  static const std::string py = [] {
    for (const char* candidate : {"/usr/bin/python3"}) {
      CommandResult r = run_command({candidate, "-c", "import cv2, numpy"}, 60);
      if (r.exit_code == 0) return std::string(candidate);
    }
    return std::string();
  }();
  return py;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

CommandResult run_cli(const std::string& cli, std::vector<std::string> args, std::vector<std::string> env,
                      int timeout_s) {
  for (std::string var : {"LC_ALL=", "LC_MESSAGES=", "LANGUAGE="}) {
    bool given = false;
    for (const auto& e : env) given |= e.rfind(var, 0) == 0;
    if (!given) env.push_back(var);
  }
  args.insert(args.begin(), cli);
  return run_command(args, timeout_s, env);
}

bool unprivileged_prefix(std::vector<std::string>* prefix) {
  prefix->clear();
  if (geteuid() != 0) return true;
  const char* setpriv = "/usr/bin/setpriv";
  if (access(setpriv, X_OK) != 0) return false;
  *prefix = {setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
  return true;
}

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace rkyolo::test

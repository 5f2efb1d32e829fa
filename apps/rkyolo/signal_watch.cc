#include "rkyolo/signal_watch.h"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <ctime>

#include "rkyolo/i18n.h"

namespace rkyolo::cli {
namespace {

sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalWatch::SignalWatch() {
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { watch(); });
}

SignalWatch::~SignalWatch() {
  done_ = true;
  thread_.join();
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void SignalWatch::set_handler(std::function<void()> handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

void SignalWatch::watch() {
  const sigset_t set = watched_signals();
  const timespec poll{0, 100 * 1000 * 1000};  // how soon the destructor is noticed
  while (!done_) {
    const int sig = sigtimedwait(&set, nullptr, &poll);
    if (sig <= 0) continue;  // timeout or EINTR
    std::function<void()> handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handler = handler_;
    }
    int expected = 0;
    if (handler == nullptr || !signal_.compare_exchange_strong(expected, sig)) {
      std::fflush(stdout);
      ::_exit(128 + sig);  // nothing to finish yet, or asked twice
    }
    std::fprintf(stderr, "%s\n", tr(Msg::kVideoInterrupted));
    handler();
  }
}

}  // namespace rkyolo::cli

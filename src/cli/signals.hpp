#pragma once

#include <csignal>
#include <pthread.h>

namespace karpenter::cli {

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts afterwards (call it
// before starting any), so that waitForTermination() in the main thread receives them.
inline sigset_t blockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Waits for SIGTERM or SIGINT and returns it.
inline int waitForTermination(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

}  // namespace karpenter::cli

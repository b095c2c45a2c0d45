// Waiting on a condition with a deadline, the only way tests wait for state (never a bare sleep):
// polls `condition` every few milliseconds until it holds or `timeout` passes.
#pragma once

#include <chrono>
#include <thread>

namespace sup::testing {

template <typename Condition>
bool WaitUntil(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace sup::testing

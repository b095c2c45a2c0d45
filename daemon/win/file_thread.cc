#include "daemon/win/file_thread.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>

namespace sup::win {

struct FileThread::State {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::pair<std::string, std::function<void()>>> waiting;  // one per key at most
  std::optional<std::string> running_key;
  std::chrono::steady_clock::time_point running_since{};
  bool stopping = false;

  void Run() {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [&] { return stopping || !waiting.empty(); });
      if (waiting.empty()) return;  // stopping, and nothing left to do
      auto [key, task] = std::move(waiting.front());
      waiting.pop_front();
      running_key = key;
      running_since = std::chrono::steady_clock::now();
      lock.unlock();
      task();
      lock.lock();
      running_key.reset();
      changed.notify_all();
    }
  }
};

FileThread::FileThread() : state_(std::make_shared<State>()) {
  thread_ = std::thread([state = state_] { state->Run(); });
}

FileThread::~FileThread() {
  std::unique_lock lock(state_->mutex);
  state_->stopping = true;
  state_->changed.notify_all();
  const bool done = state_->changed.wait_for(
      lock, kStopWait, [&] { return state_->waiting.empty() && !state_->running_key; });
  lock.unlock();
  if (done) {
    thread_.join();
  } else {
    // A file that does not answer: its thread keeps the State alive and ends with the process.
    thread_.detach();
  }
}

void FileThread::Post(const std::string& key, std::function<void()> task) {
  std::lock_guard lock(state_->mutex);
  for (auto& [waiting_key, waiting_task] : state_->waiting) {
    if (waiting_key == key) {
      waiting_task = std::move(task);
      return;
    }
  }
  state_->waiting.emplace_back(key, std::move(task));
  state_->changed.notify_all();
}

std::optional<std::chrono::steady_clock::duration> FileThread::RunningFor(
    const std::string& key) const {
  std::lock_guard lock(state_->mutex);
  if (state_->running_key != key) return std::nullopt;
  return std::chrono::steady_clock::now() - state_->running_since;
}

}  // namespace sup::win

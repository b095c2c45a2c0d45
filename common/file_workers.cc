#include "common/file_workers.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace sup {

struct FileWorkers::State {
  struct Key {
    std::deque<std::function<void()>> waiting;
    bool running = false;
    std::chrono::steady_clock::time_point running_since{};
  };

  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, Key> keys;  // only keys with work waiting or running
  std::deque<std::string> ready;    // keys with work waiting and none running, oldest first
  std::vector<std::thread> threads;
  int idle_threads = 0;
  bool stopping = false;

  bool Done() const { return keys.empty(); }

  // With the mutex held: `key` has new work. A new thread holds `self`: it may outlive the
  // FileWorkers (see the destructor).
  void Queue(const std::string& key, const std::shared_ptr<State>& self) {
    if (!keys[key].running && std::find(ready.begin(), ready.end(), key) == ready.end()) {
      ready.push_back(key);
    }
    // A thread for each key ready to run that no idle thread will take (a key whose task runs
    // now waits for that thread, not for a new one).
    if (idle_threads < static_cast<int>(ready.size()) &&
        static_cast<int>(threads.size()) < kMaxThreads) {
      ++idle_threads;  // idle from its start: it takes work the next Queue need not count again
      threads.emplace_back([self] { self->Run(); });
    }
    changed.notify_all();
  }

  void Run() {
    std::unique_lock lock(mutex);
    for (;;) {
      changed.wait(lock, [&] { return stopping || !ready.empty(); });
      --idle_threads;
      if (ready.empty()) return;  // stopping, and nothing left to start
      const std::string name = std::move(ready.front());
      ready.pop_front();
      Key& key = keys.at(name);
      std::function<void()> task = std::move(key.waiting.front());
      key.waiting.pop_front();
      key.running = true;
      key.running_since = std::chrono::steady_clock::now();
      lock.unlock();
      task();
      task = nullptr;  // what the task held goes before the next one starts
      lock.lock();
      Key& ran = keys.at(name);
      ran.running = false;
      if (ran.waiting.empty()) {
        keys.erase(name);
      } else {
        ready.push_back(name);
      }
      ++idle_threads;
      changed.notify_all();
    }
  }
};

FileWorkers::FileWorkers() : state_(std::make_shared<State>()) {}

FileWorkers::~FileWorkers() {
  std::unique_lock lock(state_->mutex);
  const bool done = state_->changed.wait_for(lock, kStopWait, [&] { return state_->Done(); });
  state_->stopping = true;
  state_->changed.notify_all();
  std::vector<std::thread> threads = std::move(state_->threads);
  lock.unlock();
  for (std::thread& thread : threads) {
    if (done) {
      thread.join();
    } else {
      // A file that does not answer: its thread keeps the State alive and ends with the process.
      thread.detach();
    }
  }
}

void FileWorkers::Post(const std::string& key, std::function<void()> task) {
  std::lock_guard lock(state_->mutex);
  state_->keys[key].waiting.push_back(std::move(task));
  state_->Queue(key, state_);
}

void FileWorkers::Replace(const std::string& key, std::function<void()> task) {
  std::lock_guard lock(state_->mutex);
  std::deque<std::function<void()>>& waiting = state_->keys[key].waiting;
  waiting.clear();
  waiting.push_back(std::move(task));
  state_->Queue(key, state_);
}

std::optional<std::chrono::steady_clock::duration> FileWorkers::RunningFor(
    const std::string& key) const {
  std::lock_guard lock(state_->mutex);
  const auto found = state_->keys.find(key);
  if (found == state_->keys.end() || !found->second.running) return std::nullopt;
  return std::chrono::steady_clock::now() - found->second.running_since;
}

int FileWorkers::threads() const {
  std::lock_guard lock(state_->mutex);
  return static_cast<int>(state_->threads.size());
}

}  // namespace sup

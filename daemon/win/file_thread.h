// A thread of its own for file work, so that the io thread never waits on a file: a file another
// program holds (an oplock, an antivirus scan, a share that stopped answering) can keep a write
// or a rename waiting for minutes, and while the io thread waited nothing would be supervised and
// the control pipe would not answer. Work is posted under a key, at most one waiting per key
// (the newest replaces one that has not started: for a file rewritten whole, only the newest
// content matters), so the queue is bounded by the keys. Whoever posts can ask how long the work
// under a key has been running, to say a file is stuck.
//
// Threading: Post, RunningFor from any thread; tasks run on the file thread, one at a time. The
// destructor waits up to kStopWait for the running task (a last write at supd's stop), then leaves
// it to end with the process rather than hold the service's stop on a file.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace sup::win {

class FileThread {
 public:
  static constexpr std::chrono::seconds kStopWait{2};

  FileThread();
  ~FileThread();
  FileThread(const FileThread&) = delete;
  FileThread& operator=(const FileThread&) = delete;

  // Runs `task` on the file thread after what runs and waits there; replaces a task of `key` that
  // has not started.
  void Post(const std::string& key, std::function<void()> task);
  // How long the task of `key` has been running; nullopt when none of that key runs now.
  std::optional<std::chrono::steady_clock::duration> RunningFor(const std::string& key) const;

 private:
  struct State;  // shared with the thread, which may outlive this object (see the destructor)
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace sup::win

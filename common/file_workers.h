// FileWork on threads of their own, so that the io thread never waits on a file: a file another
// program holds (an oplock, an antivirus scan, a share that stopped answering) can keep a write,
// a rename, an open or a CreateProcess waiting for minutes, and while the io thread waited
// nothing would be supervised and the control pipe would not answer.
//
// Tasks of different keys run side by side, on up to kMaxThreads threads started when work finds
// none free, so one stuck file holds one thread and the other files go on. Whoever posts bounds
// what waits under its key (Replace keeps one task; the log queues count their bytes), and can
// ask how long the task of a key has been running, to say a file is stuck.
//
// Threading: Post, Replace, RunningFor from any thread; tasks run on the workers' threads. The
// destructor waits up to kStopWait for what was posted (the last lines and figures at supd's
// stop), then leaves the rest to end with the process rather than hold the service's stop on a
// file.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/file_work.h"

namespace sup {

class FileWorkers final : public FileWork {
 public:
  static constexpr std::chrono::seconds kStopWait{2};
  // Each thread costs supd about 1.2 MB under Wine (measured with 200 workers: 15.6 MB with 2,
  // 17.5 MB with 4, 22.3 MB with 8), and four files held at once already take a determined
  // local user.
  static constexpr int kMaxThreads = 4;

  FileWorkers();
  ~FileWorkers() override;
  FileWorkers(const FileWorkers&) = delete;
  FileWorkers& operator=(const FileWorkers&) = delete;

  void Post(const std::string& key, std::function<void()> task) override;
  void Replace(const std::string& key, std::function<void()> task) override;
  std::optional<std::chrono::steady_clock::duration> RunningFor(
      const std::string& key) const override;
  // How many threads there are now (for tests: a stuck key takes one, never all).
  int threads() const;

 private:
  struct State;  // shared with the threads, which may outlive this object (see the destructor)
  std::shared_ptr<State> state_;
};

}  // namespace sup

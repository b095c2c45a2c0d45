// Where file work runs, as a port: the portable parts (the output part's log queues) hand their
// file work here and never wait for it; supd runs it on FileWorkers (file_workers.h), threads of
// their own, so that a file another program holds never keeps the io thread waiting.
//
// Work is posted under a key (one key per file): the tasks of a key run one at a time, in the
// order they were posted.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace sup {

class FileWork {
 public:
  virtual ~FileWork() = default;
  // Runs `task` after the tasks of `key` posted before it.
  virtual void Post(const std::string& key, std::function<void()> task) = 0;
  // The same, but `task` replaces the tasks of `key` that have not started: for a file rewritten
  // whole, only the newest content matters.
  virtual void Replace(const std::string& key, std::function<void()> task) = 0;
  // How long the task of `key` has been running; nullopt when none of that key runs now.
  virtual std::optional<std::chrono::steady_clock::duration> RunningFor(
      const std::string& key) const = 0;
};

}  // namespace sup

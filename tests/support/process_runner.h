// Runs a program for a test and captures its stdout and stderr separately: to completion, or in
// the background while the test goes on.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::testing {

struct ProcessOutput {
  unsigned long exit_code = 0;
  std::string out;
  std::string err;
};

// A program left running while the test goes on (a follower such as `supctl logs -f`), its output
// read as it comes. Terminated on destruction if it is still running.
class BackgroundProcess {
 public:
  // Starts `arguments` (program first, quoted by the Windows rules); `input`, if given, is its
  // whole standard input (a few KiB at most: written before it starts reading), else it has none.
  static Result<std::unique_ptr<BackgroundProcess>> Start(
      const std::vector<std::string>& arguments,
      const std::optional<std::string>& input = std::nullopt);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // What it wrote so far.
  std::string Out() const;
  std::string Err() const;
  // Its exit code if it exits within `timeout` (its output is then complete); nullopt if not.
  std::optional<unsigned long> WaitForExit(std::chrono::milliseconds timeout);

 private:
  BackgroundProcess() = default;
  void Drain(HANDLE pipe, std::string& into);

  win::UniqueHandle process_;
  win::UniqueHandle out_read_;
  win::UniqueHandle err_read_;
  mutable std::mutex mutex_;
  std::string out_;
  std::string err_;
  std::thread out_reader_;
  std::thread err_reader_;
};

// Runs `arguments` (program first, quoted by the Windows rules) and waits up to `timeout` for it
// to exit; a program still running then is terminated and reported as an error.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& arguments,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60),
                                 const std::optional<std::string>& input = std::nullopt);

// The folder of the running test executable, where supd.exe and supctl.exe are built too.
std::string ExecutableDirectory();

// A path in the temp folder unique to this test process; any file already there is deleted.
std::string TempPath(const std::string& name);

// The pid a test worker wrote to `path` (--pid-file, --grandchild), waiting for it up to
// `timeout`; 0 if none appeared.
unsigned long ReadPidFile(const std::string& path,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace sup::testing

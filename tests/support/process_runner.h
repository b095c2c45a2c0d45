// Runs a program to completion for a test and captures its stdout and stderr separately.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace sup::testing {

struct ProcessOutput {
  unsigned long exit_code = 0;
  std::string out;
  std::string err;
};

// Runs `arguments` (program first, quoted by the Windows rules) and waits up to `timeout` for it
// to exit; a program still running then is terminated and reported as an error.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& arguments,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The folder of the running test executable, where supd.exe and supctl.exe are built too.
std::string ExecutableDirectory();

// A path in the temp folder unique to this test process; any file already there is deleted.
std::string TempPath(const std::string& name);

// The pid a test worker wrote to `path` (--pid-file, --grandchild), waiting for it up to
// `timeout`; 0 if none appeared.
unsigned long ReadPidFile(const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace sup::testing

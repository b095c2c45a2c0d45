// Helpers shared by the Windows benchmarks: starting the test worker, registry configuration,
// a whole supd in the benchmark's process, and timing.
#pragma once

#include <windows.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/win/unique_handle.h"
#include "daemon/win/daemon.h"

namespace sup::win::bench {

using Seconds = std::chrono::duration<double>;

// testworker.exe beside the running benchmark.
std::wstring TestWorkerPath();

// Starts `command_line` (the program first, already quoted) with `out` as its stdout, stderr on
// NUL and `flags` (DETACHED_PROCESS, ...), on `desktop` ("<station>\<desktop>"; null: this
// process's); returns the process handle. Exits the benchmark with a message if the program
// cannot start: a benchmark has nothing useful to say after that.
UniqueHandle StartProcess(const std::wstring& command_line, HANDLE out, DWORD flags,
                          wchar_t* desktop = nullptr);

[[noreturn]] void Fail(const std::string& what);

// Quick mode (`--quick`, as the test run uses it): every measurement once and small, to prove the
// benchmark still runs to its end; the ratios it prints are then noise.
void ParseArguments(int argc, char** argv);
bool Quick();
template <typename T>
T FullOrQuick(T full, T quick) {
  return Quick() ? quick : full;
}

// This process's private bytes (PROCESS_MEMORY_COUNTERS::PagefileUsage).
std::size_t PrivateBytes();

// Registry values below HKEY_CURRENT_USER, for a benchmark's own configuration key.
void SetString(const std::wstring& key, const wchar_t* value, const std::wstring& data);
void SetDword(const std::wstring& key, const wchar_t* value, DWORD data);
void SetMultiString(const std::wstring& key, const wchar_t* value,
                    const std::vector<std::wstring>& items);

// The benchmark's own configuration key below HKCU, named after `purpose` and this process; its
// workers go under <key>\Workers. Deleted with the object.
class BenchConfigKey {
 public:
  explicit BenchConfigKey(const std::wstring& purpose);
  ~BenchConfigKey();
  BenchConfigKey(const BenchConfigKey&) = delete;
  BenchConfigKey& operator=(const BenchConfigKey&) = delete;

  const std::wstring& Root() const { return key_; }  // where the daemon values go
  std::wstring Worker(const std::wstring& name) const { return key_ + L"\\Workers\\" + name; }
  // "HKCU\...", as supd's --config-key takes it.
  std::string ForSupd() const;

 private:
  std::wstring key_;
};

// A whole supd (Daemon) in this process, on its own io thread, serving pipes named
// <pipe_prefix>-control and <pipe_prefix>-health; stopped (workers and all) on destruction.
class InProcessSupd {
 public:
  InProcessSupd(const BenchConfigKey& config, const std::string& pipe_prefix);
  ~InProcessSupd();
  InProcessSupd(const InProcessSupd&) = delete;
  InProcessSupd& operator=(const InProcessSupd&) = delete;

 private:
  std::unique_ptr<Daemon> daemon_;
  std::thread io_thread_;
};

}  // namespace sup::win::bench

// Helpers shared by the Windows benchmarks: starting the test worker and timing.
#pragma once

#include <windows.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/win/unique_handle.h"

namespace sup::win::bench {

using Seconds = std::chrono::duration<double>;

// testworker.exe beside the running benchmark.
std::wstring TestWorkerPath();

// Starts `command_line` (the program first, already quoted) with `out` as its stdout, stderr on
// NUL and `flags` (DETACHED_PROCESS, ...); returns the process handle. Exits the benchmark with a
// message if the program cannot start: a benchmark has nothing useful to say after that.
UniqueHandle StartProcess(const std::wstring& command_line, HANDLE out, DWORD flags);

[[noreturn]] void Fail(const std::string& what);

// Registry values below HKEY_CURRENT_USER, for a benchmark's own configuration key.
void SetString(const std::wstring& key, const wchar_t* value, const std::wstring& data);
void SetDword(const std::wstring& key, const wchar_t* value, DWORD data);
void SetMultiString(const std::wstring& key, const wchar_t* value, const std::vector<std::wstring>& items);

}  // namespace sup::win::bench

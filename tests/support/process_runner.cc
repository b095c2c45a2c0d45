#include "process_runner.h"

#include <windows.h>

#include <fstream>
#include <thread>

#include "common/command_line.h"
#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"
#include "wait_until.h"

namespace sup::testing {
namespace {

using win::UniqueHandle;

void ReadAll(HANDLE pipe, std::string& into) {
  char buffer[4096];
  DWORD read = 0;
  while (::ReadFile(pipe, buffer, sizeof(buffer), &read, nullptr) && read > 0) into.append(buffer, read);
}

}  // namespace

std::string ExecutableDirectory() {
  wchar_t path[MAX_PATH];
  const DWORD length = ::GetModuleFileNameW(nullptr, path, MAX_PATH);
  std::wstring directory(path, length);
  return win::Narrow(directory.substr(0, directory.find_last_of(L"\\/")));
}

std::string TempPath(const std::string& name) {
  wchar_t directory[MAX_PATH];
  ::GetTempPathW(MAX_PATH, directory);
  const std::string path = win::Narrow(directory) + "sup-test-" + std::to_string(::GetCurrentProcessId()) + "-" + name;
  ::DeleteFileW(win::Widen(path).c_str());
  return path;
}

unsigned long ReadPidFile(const std::string& path, std::chrono::milliseconds timeout) {
  unsigned long pid = 0;
  WaitUntil(
      [&] {
        std::ifstream file(path);
        return static_cast<bool>(file >> pid);
      },
      timeout);
  return pid;
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& arguments, std::chrono::milliseconds timeout) {
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE out_read_raw = nullptr, out_write_raw = nullptr, err_read_raw = nullptr, err_write_raw = nullptr;
  if (!::CreatePipe(&out_read_raw, &out_write_raw, &inheritable, 0)) return win::Win32Error("CreatePipe");
  UniqueHandle out_read{out_read_raw}, out_write{out_write_raw};
  if (!::CreatePipe(&err_read_raw, &err_write_raw, &inheritable, 0)) return win::Win32Error("CreatePipe");
  UniqueHandle err_read{err_read_raw}, err_write{err_write_raw};
  ::SetHandleInformation(out_read.get(), HANDLE_FLAG_INHERIT, 0);
  ::SetHandleInformation(err_read.get(), HANDLE_FLAG_INHERIT, 0);

  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = nullptr;
  startup.hStdOutput = out_write.get();
  startup.hStdError = err_write.get();
  std::wstring command_line = win::Widen(JoinWindowsCommandLine(arguments));
  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE, CREATE_NO_WINDOW, nullptr, nullptr,
                        &startup, &info)) {
    return win::Win32Error("starting " + arguments.front());
  }
  UniqueHandle process{info.hProcess}, thread{info.hThread};
  out_write.reset();  // only the child holds the write ends now: reads end when it exits
  err_write.reset();

  ProcessOutput output;
  // Both pipes are drained while the child runs, so a chatty child never blocks on a full pipe.
  std::thread out_reader([&] { ReadAll(out_read.get(), output.out); });
  std::thread err_reader([&] { ReadAll(err_read.get(), output.err); });
  const DWORD waited = ::WaitForSingleObject(process.get(), static_cast<DWORD>(timeout.count()));
  if (waited != WAIT_OBJECT_0) ::TerminateProcess(process.get(), 1);
  out_reader.join();
  err_reader.join();
  if (waited != WAIT_OBJECT_0) {
    return Error(ErrorKind::kUnavailable, arguments.front() + " did not exit within " +
                                              std::to_string(timeout.count()) + " ms; output: " + output.out);
  }
  ::GetExitCodeProcess(process.get(), &output.exit_code);
  return output;
}

}  // namespace sup::testing

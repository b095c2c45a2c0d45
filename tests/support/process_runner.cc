#include "process_runner.h"

#include "retry_log.h"

#include <windows.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "common/command_line.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "wait_until.h"

namespace sup::testing {

using win::UniqueHandle;

std::string ExecutableDirectory() {
  wchar_t path[MAX_PATH];
  const DWORD length = ::GetModuleFileNameW(nullptr, path, MAX_PATH);
  std::wstring directory(path, length);
  return win::Narrow(directory.substr(0, directory.find_last_of(L"\\/")));
}

std::string TempPath(const std::string& name) {
  wchar_t directory[MAX_PATH];
  ::GetTempPathW(MAX_PATH, directory);
  const std::string path =
      win::Narrow(directory) + "sup-test-" + std::to_string(::GetCurrentProcessId()) + "-" + name;
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

Result<std::unique_ptr<BackgroundProcess>> BackgroundProcess::Start(
    const std::vector<std::string>& arguments, const std::optional<std::string>& input) {
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE out_read_raw = nullptr, out_write_raw = nullptr, err_read_raw = nullptr,
         err_write_raw = nullptr;
  if (!::CreatePipe(&out_read_raw, &out_write_raw, &inheritable, 0))
    return win::Win32Error("CreatePipe");
  UniqueHandle out_read{out_read_raw}, out_write{out_write_raw};
  if (!::CreatePipe(&err_read_raw, &err_write_raw, &inheritable, 0))
    return win::Win32Error("CreatePipe");
  UniqueHandle err_read{err_read_raw}, err_write{err_write_raw};
  ::SetHandleInformation(out_read.get(), HANDLE_FLAG_INHERIT, 0);
  ::SetHandleInformation(err_read.get(), HANDLE_FLAG_INHERIT, 0);
  // Its standard input: `input`, already written into a pipe whose write end is closed, so the
  // child reads it and then its end.
  UniqueHandle in_read;
  if (input) {
    HANDLE in_read_raw = nullptr, in_write_raw = nullptr;
    if (!::CreatePipe(&in_read_raw, &in_write_raw, &inheritable, 64 * 1024))
      return win::Win32Error("CreatePipe");
    in_read.reset(in_read_raw);
    const UniqueHandle in_write{in_write_raw};
    ::SetHandleInformation(in_write.get(), HANDLE_FLAG_INHERIT, 0);
    DWORD written = 0;
    if (!::WriteFile(in_write.get(), input->data(), static_cast<DWORD>(input->size()), &written,
                     nullptr)) {
      return win::Win32Error("writing the standard input of " + arguments.front());
    }
  }

  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = in_read.get();
  startup.hStdOutput = out_write.get();
  startup.hStdError = err_write.get();
  std::wstring command_line = win::Widen(JoinWindowsCommandLine(arguments));
  PROCESS_INFORMATION info{};
  // Under Wine, CreateProcessW once failed with ERROR_INTERNAL_ERROR on a loaded machine (1 start
  // in thousands); a start that fails so is tried again, any other failure is the test's.
  for (int attempt = 1;; ++attempt) {
    if (::CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE, CREATE_NO_WINDOW,
                         nullptr, nullptr, &startup, &info)) {
      break;
    }
    if (::GetLastError() != ERROR_INTERNAL_ERROR || attempt == 3)
      return win::Win32Error("starting " + arguments.front());
    NoteRetry("CreateProcessW",
              "starting " + arguments.front() + " failed with ERROR_INTERNAL_ERROR");
  }
  std::unique_ptr<BackgroundProcess> started(new BackgroundProcess);
  started->process_.reset(info.hProcess);
  UniqueHandle thread{info.hThread};
  // Only the child holds the write ends now: the reads end when it exits. Both pipes are drained
  // while it runs, so a chatty child never blocks on a full pipe.
  out_write.reset();
  err_write.reset();
  started->out_read_ = std::move(out_read);
  started->err_read_ = std::move(err_read);
  BackgroundProcess& self = *started;
  started->out_reader_ = std::thread([&self] { self.Drain(self.out_read_.get(), self.out_); });
  started->err_reader_ = std::thread([&self] { self.Drain(self.err_read_.get(), self.err_); });
  return started;
}

void BackgroundProcess::Drain(HANDLE pipe, std::string& into) {
  char buffer[4096];
  DWORD read = 0;
  while (::ReadFile(pipe, buffer, sizeof(buffer), &read, nullptr) && read > 0) {
    std::lock_guard lock(mutex_);
    into.append(buffer, read);
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (::WaitForSingleObject(process_.get(), 0) != WAIT_OBJECT_0)
    ::TerminateProcess(process_.get(), 1);
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

std::string BackgroundProcess::Out() const {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string BackgroundProcess::Err() const {
  std::lock_guard lock(mutex_);
  return err_;
}

std::optional<unsigned long> BackgroundProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (::WaitForSingleObject(process_.get(), static_cast<DWORD>(timeout.count())) != WAIT_OBJECT_0)
    return std::nullopt;
  // The pipes end with the process (unless it left a child holding them): all output is in.
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
  DWORD code = 0;
  ::GetExitCodeProcess(process_.get(), &code);
  return code;
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& arguments,
                                 std::chrono::milliseconds timeout,
                                 const std::optional<std::string>& input) {
  Result<std::unique_ptr<BackgroundProcess>> process = BackgroundProcess::Start(arguments, input);
  if (!process) return process.error();
  const std::optional<unsigned long> code = (*process)->WaitForExit(timeout);
  if (!code) {
    return Error(ErrorKind::kUnavailable, arguments.front() + " did not exit within " +
                                              std::to_string(timeout.count()) +
                                              " ms; output: " + (*process)->Out());
  }
  return ProcessOutput{*code, (*process)->Out(), (*process)->Err()};
}

}  // namespace sup::testing

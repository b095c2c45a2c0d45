#include "daemon/engine/win/launch_in_job.h"

#include "common/win/win32_error.h"

namespace sup::win {

Result<StartedProcess> LaunchInJob(HANDLE job, ProcessStart start) {
  STARTUPINFOW default_startup{};
  default_startup.cb = sizeof(default_startup);
  PROCESS_INFORMATION info{};
  wchar_t* environment =
      start.environment ? const_cast<wchar_t*>(start.environment->data()) : nullptr;
  STARTUPINFOW* startup = start.startup ? start.startup : &default_startup;
  const BOOL inherit = start.inherit_handles ? TRUE : FALSE;
  const DWORD flags = start.flags | start.priority_class | CREATE_SUSPENDED;
  // A token derived from supd's own (a reduced one) needs no SeAssignPrimaryTokenPrivilege.
  const auto create = [&] {
    return start.token
               ? ::CreateProcessAsUserW(start.token, nullptr, start.command_line.data(),
                                        start.process_security, start.thread_security, inherit,
                                        flags, environment, start.directory, startup, &info)
               : ::CreateProcessW(nullptr, start.command_line.data(), start.process_security,
                                  start.thread_security, inherit, flags, environment,
                                  start.directory, startup, &info);
  };
  // Under Wine on a loaded machine a start fails now and then with ERROR_INTERNAL_ERROR (about 1
  // in thousands; a run-once worker then ended as a spawn error): tried once more, and said.
  int attempts = 1;
  BOOL created = create();
  if (!created && ::GetLastError() == ERROR_INTERNAL_ERROR) {
    ++attempts;
    created = create();
  }
  if (!created) return Win32Error("starting " + start.what);
  StartedProcess started{UniqueHandle{info.hProcess}, info.dwProcessId, attempts};
  const UniqueHandle thread{info.hThread};
  if (!::AssignProcessToJobObject(job, started.process.get())) {
    const Error error = Win32Error("assigning " + start.what + " to its job object");
    ::TerminateProcess(started.process.get(), 1);
    return error;
  }
  if (start.priority_class != NORMAL_PRIORITY_CLASS &&
      !::SetPriorityClass(started.process.get(), start.priority_class)) {
    const Error error = Win32Error("setting the priority class of " + start.what);
    ::TerminateProcess(started.process.get(), 1);
    return error;
  }
  ::ResumeThread(thread.get());
  return started;
}

Result<UniqueHandle> OpenNul(DWORD access) {
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE nul = ::CreateFileW(L"NUL", access, FILE_SHARE_READ | FILE_SHARE_WRITE, &inheritable,
                             OPEN_EXISTING, 0, nullptr);
  if (nul == INVALID_HANDLE_VALUE) return Win32Error("opening NUL");
  return UniqueHandle{nul};
}

}  // namespace sup::win

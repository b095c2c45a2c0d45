// Starting a program inside a job object, the one way supd starts anything (workers and exec
// probes): created suspended, assigned to the job, then resumed, so it never runs an instruction
// outside the job (if the assignment fails it is terminated and the error returned).
#pragma once

#include <windows.h>

#include <string>

#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::win {

struct ProcessStart {
  std::wstring command_line;
  DWORD flags = 0;  // CreateProcessW's creation flags; CREATE_SUSPENDED is added
  // The priority class (NORMAL_PRIORITY_CLASS, ...), set before the process runs: Wine ignores one
  // given in the creation flags (the process runs NORMAL), SetPriorityClass it honours.
  DWORD priority_class = NORMAL_PRIORITY_CLASS;
  // A CREATE_UNICODE_ENVIRONMENT block (entries ended by NUL, the block by two); nullptr: supd's
  // own. Typed, not CreateProcessW's void*: any pointer would do there.
  const std::wstring* environment = nullptr;
  const wchar_t* directory = nullptr;  // nullptr: supd's own
  STARTUPINFOW* startup = nullptr;     // a STARTUPINFOEXW's header when flags say so
  bool inherit_handles = false;
  // The token the process runs with (CreateProcessAsUserW); nullptr: supd's own (CreateProcessW).
  HANDLE token = nullptr;
  // The descriptors of the new process and its first thread; nullptr: the token's default DACL.
  SECURITY_ATTRIBUTES* process_security = nullptr;
  SECURITY_ATTRIBUTES* thread_security = nullptr;
  std::string what;  // for errors: "\"api.exe --port 80\""
};

struct StartedProcess {
  UniqueHandle process;
  DWORD pid = 0;
  int attempts = 1;  // 2 when the first CreateProcess failed with ERROR_INTERNAL_ERROR (Wine)
};

Result<StartedProcess> LaunchInJob(HANDLE job, ProcessStart start);

// An inheritable handle on the NUL device, for a child's stdio that goes nowhere.
Result<UniqueHandle> OpenNul(DWORD access);

}  // namespace sup::win

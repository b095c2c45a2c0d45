#include "daemon/engine/win/close_messages.h"

#include <tlhelp32.h>

#include <set>
#include <vector>

#include "common/win/unique_handle.h"
#include "daemon/engine/win/job_processes.h"

namespace sup::win {
// WM_CLOSE to every top-level window of the job's processes, WM_QUIT to each of their threads:
// what a GUI worker or a bare message loop understands as "please exit".
void PostCloseMessages(HANDLE job, HDESK desktop) {
  const std::vector<DWORD> in_job = JobProcessIds(job);
  const std::set<DWORD> pids(in_job.begin(), in_job.end());
  struct Context {
    const std::set<DWORD>* pids;
  } context{&pids};
  const WNDENUMPROC close = [](HWND window, LPARAM param) -> BOOL {
    DWORD pid = 0;
    ::GetWindowThreadProcessId(window, &pid);
    if (reinterpret_cast<Context*>(param)->pids->contains(pid))
      ::PostMessageW(window, WM_CLOSE, 0, 0);
    return TRUE;
  };
  if (desktop) {
    ::EnumDesktopWindows(desktop, close, reinterpret_cast<LPARAM>(&context));
  } else {
    ::EnumWindows(close, reinterpret_cast<LPARAM>(&context));
  }
  UniqueFileHandle snapshot{::CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0)};
  if (!snapshot) return;
  THREADENTRY32 thread{};
  thread.dwSize = sizeof(thread);
  for (BOOL more = ::Thread32First(snapshot.get(), &thread); more;
       more = ::Thread32Next(snapshot.get(), &thread)) {
    if (pids.contains(thread.th32OwnerProcessID))
      ::PostThreadMessageW(thread.th32ThreadID, WM_QUIT, 0, 0);
  }
}

}  // namespace sup::win

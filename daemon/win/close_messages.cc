#include "daemon/win/close_messages.h"

#include <tlhelp32.h>

#include <set>
#include <vector>

#include "common/win/unique_handle.h"

namespace sup::win {
namespace {

// The pids of the processes in `job`.
std::set<DWORD> JobProcessIds(HANDLE job) {
  std::vector<char> buffer(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) + 255 * sizeof(ULONG_PTR));
  auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buffer.data());
  std::set<DWORD> pids;
  if (!::QueryInformationJobObject(job, JobObjectBasicProcessIdList, list,
                                   static_cast<DWORD>(buffer.size()), nullptr)) {
    return pids;
  }
  for (DWORD i = 0; i < list->NumberOfProcessIdsInList; ++i)
    pids.insert(static_cast<DWORD>(list->ProcessIdList[i]));
  return pids;
}

}  // namespace

// WM_CLOSE to every top-level window of the job's processes, WM_QUIT to each of their threads:
// what a GUI worker or a bare message loop understands as "please exit".
void PostCloseMessages(HANDLE job) {
  const std::set<DWORD> pids = JobProcessIds(job);
  struct Context {
    const std::set<DWORD>* pids;
  } context{&pids};
  ::EnumWindows(
      [](HWND window, LPARAM param) -> BOOL {
        DWORD pid = 0;
        ::GetWindowThreadProcessId(window, &pid);
        if (reinterpret_cast<Context*>(param)->pids->contains(pid))
          ::PostMessageW(window, WM_CLOSE, 0, 0);
        return TRUE;
      },
      reinterpret_cast<LPARAM>(&context));
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

#include "daemon/engine/win/job_processes.h"

#include <psapi.h>

namespace sup::win {

std::vector<DWORD> JobProcessIds(HANDLE job) {
  std::vector<BYTE> buffer(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) + 64 * sizeof(ULONG_PTR));
  while (true) {
    auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buffer.data());
    if (::QueryInformationJobObject(job, JobObjectBasicProcessIdList, list,
                                    static_cast<DWORD>(buffer.size()), nullptr) ||
        ::GetLastError() == ERROR_MORE_DATA) {
      if (list->NumberOfProcessIdsInList < list->NumberOfAssignedProcesses) {
        buffer.resize(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) +
                      list->NumberOfAssignedProcesses * 2 * sizeof(ULONG_PTR));
        continue;
      }
      std::vector<DWORD> pids;
      for (DWORD i = 0; i < list->NumberOfProcessIdsInList; ++i)
        pids.push_back(static_cast<DWORD>(list->ProcessIdList[i]));
      return pids;
    }
    return {};
  }
}

ProcessMemory MemoryOfProcess(HANDLE process) {
  PROCESS_MEMORY_COUNTERS_EX memory{};
  memory.cb = sizeof(memory);
  if (!::GetProcessMemoryInfo(process, reinterpret_cast<PROCESS_MEMORY_COUNTERS*>(&memory),
                              sizeof(memory))) {
    return {};
  }
  return {memory.WorkingSetSize, memory.PrivateUsage};
}

}  // namespace sup::win

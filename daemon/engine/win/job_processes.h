// The processes in a job object now (JobObjectBasicProcessIdList), for the adapters that act on or
// measure a worker's whole tree: stop messages, resource samples, the wait for an empty job; and
// the one reading of their memory, which the MemoryRestartMB check and the MEM column of status
// both take, so the two cannot count differently.
#pragma once

#include <windows.h>

#include <cstdint>
#include <vector>

namespace sup::win {

// The ids of the processes in `job`; empty also when it cannot be told.
std::vector<DWORD> JobProcessIds(HANDLE job);

// What a process uses of memory (GetProcessMemoryInfo); zero when it cannot be read (the process
// exited meanwhile, or supd may not read it).
struct ProcessMemory {
  std::uint64_t working_set_bytes = 0;
  std::uint64_t private_bytes = 0;
};
// `process` needs PROCESS_QUERY_INFORMATION and PROCESS_VM_READ (kMemoryReadAccess).
ProcessMemory MemoryOfProcess(HANDLE process);
inline constexpr DWORD kMemoryReadAccess = PROCESS_QUERY_INFORMATION | PROCESS_VM_READ;

}  // namespace sup::win

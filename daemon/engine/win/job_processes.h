// The processes in a job object now (JobObjectBasicProcessIdList), for the adapters that act on or
// measure a worker's whole tree: stop messages, resource samples, the wait for an empty job.
#pragma once

#include <windows.h>

#include <vector>

namespace sup::win {

// The ids of the processes in `job`; empty also when it cannot be told.
std::vector<DWORD> JobProcessIds(HANDLE job);

}  // namespace sup::win

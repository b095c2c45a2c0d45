// Each running worker's resources, from its job object (control::ResourceSource). Windows gives
// CPU times, process count and I/O of a whole job in one QueryInformationJobObject call, exited
// children included; memory and handles are summed over the job's processes. Where that call fails
// (Wine), CPU and I/O come from the processes too: GetProcessTimes, or the sum of their threads'
// times when that reports nothing (Wine gives another process's times as zero).
//
// A sample is kept for a second: a burst of requests (monitoring polling Status, clients at once)
// asks the OS once, which matters where asking is slow (under Wine, 200 workers take ~50 ms).
//
// Threading: io thread. Sampled only when asked (Status, Describe), never by a timer.
#pragma once

#include <windows.h>

#include <map>
#include <string>
#include <vector>

#include "daemon/control/resource_source.h"
#include "daemon/engine/win/job_launcher.h"

namespace sup::win {

class ResourceSampler final : public control::ResourceSource {
 public:
  explicit ResourceSampler(const JobLauncher& launcher) : launcher_(launcher) {}
  std::map<std::string, control::ResourceSample> Sample(
      const std::vector<std::string>& workers) override;

 private:
  // A worker's sample, fresh or (if under kFreshFor old and of the same process) kept.
  static constexpr std::chrono::seconds kFreshFor{1};
  const JobLauncher& launcher_;
  std::map<std::string, control::ResourceSample> kept_;
};

}  // namespace sup::win

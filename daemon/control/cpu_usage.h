// CPU percent of each worker over the last interval, from cumulative CPU times: 100 % is one CPU
// busy (as top, pm2 and docker stats count; a worker using two CPUs shows 200 %). The interval is
// the time between the worker's previous sample and this one (their sampled_at); the first sample
// of a process covers its life so far; the same sample again gives the same percent. A new
// process of the worker (restart) starts afresh, over its own life. No figure exceeds 100 % per
// processor of the machine: counters that do not belong to the interval are clamped, not shown.
// (A soak under Wine once showed 7131 % for a worker half a second old: Wine had reported supd's
// own CPU time for the worker in its first milliseconds; the sampler now drops such figures, and
// this bound stays for whatever else a platform reports.)
// Threading: io thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <string>

#include "daemon/control/resource_source.h"

namespace sup::control {

class CpuUsage {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `processors`: the machine's logical processors (at least 1).
  explicit CpuUsage(unsigned processors = 1) : most_percent_(100.0 * std::max(processors, 1u)) {}

  // The percent since `worker`'s previous sample (of the same process), and remembers this one.
  double Percent(const std::string& worker, const ResourceSample& sample);
  // Forgets workers not in `present` (removed ones), so the memory does not grow.
  void Keep(const std::map<std::string, ResourceSample>& present);

 private:
  struct Previous {
    std::uint64_t launch = 0;
    std::chrono::nanoseconds cpu{0};
    TimePoint at;
    double percent = 0;  // from the sample before
  };
  double most_percent_;
  std::map<std::string, Previous> previous_;
};

}  // namespace sup::control

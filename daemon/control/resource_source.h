// Workers' resource use, for Status, Describe and (later) metrics: the control plane's port, as
// OutputSource is for output. daemon/control/win/resource_sampler implements it from each worker's
// job object; tests use a fake. Sampled when asked, never by a timer of its own: a supd nobody asks
// costs no CPU.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sup::control {

// What the OS reports for a worker's running job: cumulative CPU and I/O, current memory.
struct ResourceSample {
  std::uint64_t launch = 0;  // which process of the worker (JobLauncher's launch number)
  std::chrono::steady_clock::time_point launched_at;  // when that process started
  std::chrono::steady_clock::time_point sampled_at;   // when the OS was asked
  std::chrono::nanoseconds cpu_user{0};    // all the job's processes, exited ones too where the OS
  std::chrono::nanoseconds cpu_kernel{0};  // keeps them (Windows' job accounting does)
  std::uint64_t working_set_bytes = 0;
  std::uint64_t private_bytes = 0;
  std::uint32_t processes = 0;
  std::uint32_t handles = 0;
  std::uint64_t io_read_bytes = 0;
  std::uint64_t io_write_bytes = 0;
};

class ResourceSource {
 public:
  virtual ~ResourceSource() = default;
  // A sample of each of `workers` that has a running job; the others are left out. A sample may
  // be up to a second old (sampled_at says): a burst of requests asks the OS once.
  virtual std::map<std::string, ResourceSample> Sample(const std::vector<std::string>& workers) = 0;
};

}  // namespace sup::control

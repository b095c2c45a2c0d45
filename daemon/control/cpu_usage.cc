#include "daemon/control/cpu_usage.h"

#include <algorithm>
#include <iterator>

namespace sup::control {

double CpuUsage::Percent(const std::string& worker, const ResourceSample& sample) {
  const std::chrono::nanoseconds cpu = sample.cpu_user + sample.cpu_kernel;
  const TimePoint now = sample.sampled_at;
  Previous from{sample.launch, std::chrono::nanoseconds(0), sample.launched_at};
  if (const auto found = previous_.find(worker);
      found != previous_.end() && found->second.launch == sample.launch) {
    if (found->second.at == now) return found->second.percent;  // the same sample again
    if (found->second.at < now) from = found->second;
  }
  const auto wall = std::chrono::duration<double>(now - from.at).count();
  const auto used = std::chrono::duration<double>(cpu - from.cpu).count();
  const double percent = wall <= 0 || used <= 0 ? 0 : std::min(100.0 * used / wall, most_percent_);
  previous_[worker] = Previous{sample.launch, cpu, now, percent};
  return percent;
}

void CpuUsage::Keep(const std::map<std::string, ResourceSample>& present) {
  std::erase_if(previous_, [&](const auto& entry) { return !present.contains(entry.first); });
}

}  // namespace sup::control

#include "daemon/control/cpu_usage.h"

#include <gtest/gtest.h>

namespace sup::control {
namespace {

using namespace std::chrono_literals;

ResourceSample Sample(std::uint64_t launch, std::chrono::nanoseconds cpu,
                      std::chrono::steady_clock::time_point launched_at,
                      std::chrono::steady_clock::time_point sampled_at) {
  ResourceSample sample;
  sample.launch = launch;
  sample.launched_at = launched_at;
  sample.sampled_at = sampled_at;
  sample.cpu_user = cpu;
  return sample;
}

TEST(CpuUsageTest, PercentOfOneCpuOverTheIntervalSinceThePreviousSample) {
  CpuUsage usage;
  const std::chrono::steady_clock::time_point start{};
  EXPECT_DOUBLE_EQ(usage.Percent("api", Sample(1, 500ms, start, start + 1s)), 50.0);    // its life
  EXPECT_DOUBLE_EQ(usage.Percent("api", Sample(1, 2500ms, start, start + 2s)), 200.0);  // 2 CPUs
  EXPECT_DOUBLE_EQ(usage.Percent("api", Sample(1, 2500ms, start, start + 12s)), 0.0);   // idle
  EXPECT_DOUBLE_EQ(usage.Percent("web", Sample(1, 1s, start, start + 12s)), 100.0 / 12);
  // The same sample again (a cached one): the same answer, not 0 over no time.
  EXPECT_DOUBLE_EQ(usage.Percent("web", Sample(1, 1s, start, start + 12s)), 100.0 / 12);
}

TEST(CpuUsageTest, NoIntervalOrACounterThatWentBackIsZeroNotNonsense) {
  CpuUsage usage;
  const std::chrono::steady_clock::time_point start{};
  EXPECT_DOUBLE_EQ(usage.Percent("api", Sample(1, 1s, start, start)), 0.0);  // no time yet
  usage.Percent("api", Sample(1, 5s, start, start + 10s));
  EXPECT_DOUBLE_EQ(usage.Percent("api", Sample(1, 4s, start, start + 11s)), 0.0);
}

TEST(CpuUsageTest, ForgottenWorkersStartAfreshFromTheirLife) {
  CpuUsage usage;
  const std::chrono::steady_clock::time_point start{};
  usage.Percent("api", Sample(1, 1s, start, start + 10s));
  usage.Keep({});
  EXPECT_DOUBLE_EQ(usage.Percent("api", Sample(1, 2s, start, start + 20s)), 10.0);
}

}  // namespace
}  // namespace sup::control

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
  CpuUsage usage(2);
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

// A restart between two samples: the new process is measured over its own half second, not over
// the interval since the old one's sample (nor with the old one's CPU taken off).
TEST(CpuUsageTest, ARestartBetweenTwoSamplesIsMeasuredOverTheNewProcesssLife) {
  CpuUsage usage(4);
  const std::chrono::steady_clock::time_point start{};
  usage.Percent("api", Sample(1, 5s, start, start + 10s));
  EXPECT_DOUBLE_EQ(usage.Percent("api", Sample(2, 100ms, start + 10500ms, start + 11s)), 20.0);
}

// Counters that cannot belong to the interval (more CPU than the machine has in it) are clamped
// to 100 % per processor, not shown as 7131 %.
TEST(CpuUsageTest, NoWorkerUsesMoreThanEveryProcessor) {
  const std::chrono::steady_clock::time_point start{};
  CpuUsage four(4);
  EXPECT_DOUBLE_EQ(four.Percent("api", Sample(1, 35s, start, start + 500ms)), 400.0);
  CpuUsage none(0);  // the count was not known: one
  EXPECT_DOUBLE_EQ(none.Percent("api", Sample(1, 35s, start, start + 500ms)), 100.0);
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

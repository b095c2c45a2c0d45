#include "common/config/config_diff.h"

#include <gtest/gtest.h>

namespace sup::config {
namespace {

WorkerConfig Worker(std::string name, std::string command) {
  WorkerConfig worker;
  worker.name = std::move(name);
  worker.launch.command = std::move(command);
  return worker;
}

TEST(ConfigDiffTest, ClassifiesEveryWorker) {
  const std::map<std::string, WorkerConfig> current = {{"same", Worker("same", "a.exe")},
                                                       {"relaunch", Worker("relaunch", "b.exe")},
                                                       {"policy", Worker("policy", "c.exe")},
                                                       {"gone", Worker("gone", "d.exe")},
                                                       {"broken", Worker("broken", "e.exe")}};
  ValidatedConfig next;
  next.workers["same"] = Worker("same", "a.exe");
  next.workers["relaunch"] = Worker("relaunch", "b2.exe");
  next.workers["policy"] = Worker("policy", "c.exe");
  next.workers["policy"].policy.stop_timeout = Millis(5);
  next.workers["new"] = Worker("new", "f.exe");
  next.invalid_workers["broken"] = {
      ConfigError{"Workers\\broken", "Command", "a value", "nothing"}};
  next.invalid_workers["newbroken"] = {
      ConfigError{"Workers\\newbroken", "Command", "a value", "nothing"}};

  ConfigDiff expected;
  expected.added = {"new"};
  expected.removed = {"gone"};
  expected.launch_changed = {"relaunch"};
  expected.policy_changed = {"policy"};
  expected.unchanged = {"same"};
  expected.invalid = {"broken", "newbroken"};
  EXPECT_EQ(DiffConfigs(current, next), expected);
}

TEST(ConfigDiffTest, LaunchChangeWinsOverPolicyChange) {
  const std::map<std::string, WorkerConfig> current = {{"w", Worker("w", "a.exe")}};
  ValidatedConfig next;
  next.workers["w"] = Worker("w", "b.exe");
  next.workers["w"].policy.max_failures = 9;
  EXPECT_EQ(DiffConfigs(current, next).launch_changed, std::vector<std::string>{"w"});
  EXPECT_TRUE(DiffConfigs(current, next).policy_changed.empty());
}

}  // namespace
}  // namespace sup::config

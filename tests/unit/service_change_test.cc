#include "client/service/service_change.h"

#include <gtest/gtest.h>

#include <set>

namespace sup::client {
namespace {

using namespace std::chrono_literals;

// An SCM that holds one service in memory and records what it was asked, in order. A spec
// whose binary is in `unstartable` starts but never answers its health pipe. A failing
// configure has changed the service before it fails (ChangeServiceConfigW went through,
// ChangeServiceConfig2W did not), so only a real rollback restores it.
class FakeServiceManager final : public ServiceManager {
 public:
  Result<ServiceSpec> Query(const std::string& name) override {
    calls.push_back("query");
    if (name != installed.name)
      return Error(ErrorKind::kNotFound, "service " + name + " is not installed");
    return installed;
  }
  Result<std::vector<std::string>> Configure(const ServiceSpec& spec,
                                             const std::optional<std::string>& password) override {
    calls.push_back("configure " + spec.binary + (password ? " with password" : ""));
    installed = spec;
    if (failing_configures > 0) {
      --failing_configures;
      return Error(ErrorKind::kInvalidArgument, "the SCM refused");
    }
    return warnings;
  }
  Result<bool> IsRunning(const std::string&) override { return running; }
  Result<void> Stop(const std::string&, std::chrono::milliseconds) override {
    calls.push_back("stop");
    running = false;
    return Ok();
  }
  Result<void> StartAndVerify(const ServiceSpec& spec, std::chrono::milliseconds) override {
    calls.push_back("start " + spec.binary);
    if (unstartable.contains(spec.binary))
      return Error(ErrorKind::kUnavailable, spec.binary + " did not answer");
    running = true;
    return Ok();
  }

  ServiceSpec installed = DefaultServiceSpec("C:\\sup\\supd.exe");
  bool running = true;
  int failing_configures = 0;
  std::set<std::string> unstartable;
  std::vector<std::string> warnings;
  std::vector<std::string> calls;
};

TEST(ServiceChangeTest, WhatIfOnlyReportsTheChange) {
  FakeServiceManager scm;
  ServiceOverrides overrides;
  overrides.binary = "C:\\new\\supd.exe";
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", overrides, /*what_if=*/true, 5s);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->applied);
  ASSERT_EQ(outcome->change.fields.size(), 1u);
  EXPECT_EQ(outcome->change.fields[0].field, "binary");
  EXPECT_EQ(scm.calls, std::vector<std::string>{"query"});
}

TEST(ServiceChangeTest, ADescriptionChangeKeepsTheServiceRunning) {
  FakeServiceManager scm;
  scm.warnings = {"failure actions: not supported by this system"};
  ServiceOverrides overrides;
  overrides.description = "new";
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", overrides, false, 5s);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_TRUE(outcome->applied);
  EXPECT_FALSE(outcome->restarted);
  EXPECT_EQ(outcome->warnings, scm.warnings);
  EXPECT_EQ(scm.installed.description, "new");
  EXPECT_EQ(scm.calls, (std::vector<std::string>{"query", "configure C:\\sup\\supd.exe"}));
}

TEST(ServiceChangeTest, NothingToChangeTouchesNothing) {
  FakeServiceManager scm;
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", ServiceOverrides{}, false, 5s);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->applied);
  EXPECT_EQ(scm.calls, std::vector<std::string>{"query"});
}

TEST(ServiceChangeTest, NewArgumentsRestartARunningService) {
  FakeServiceManager scm;
  ServiceOverrides overrides;
  overrides.arguments = "--log-level debug";
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", overrides, false, 5s);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_TRUE(outcome->restarted);
  EXPECT_EQ(scm.installed.arguments, "--log-level debug");
  EXPECT_EQ(scm.calls, (std::vector<std::string>{"query", "configure C:\\sup\\supd.exe", "stop",
                                                 "start C:\\sup\\supd.exe"}));
}

TEST(ServiceChangeTest, AStoppedServiceIsOnlyReconfigured) {
  FakeServiceManager scm;
  scm.running = false;
  ServiceOverrides overrides;
  overrides.binary = "C:\\new\\supd.exe";
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", overrides, false, 5s);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->restarted);
  EXPECT_FALSE(scm.running);
}

TEST(ServiceChangeTest, ABinaryThatDoesNotStartIsRolledBackAndTheOldOneRunsAgain) {
  FakeServiceManager scm;
  scm.unstartable = {"C:\\nowhere\\supd.exe"};
  ServiceOverrides overrides;
  overrides.binary = "C:\\nowhere\\supd.exe";
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", overrides, false, 5s);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().message(),
            "restarting supd with the change: C:\\nowhere\\supd.exe did not answer; rolled back to "
            "the previous "
            "configuration, which runs again");
  EXPECT_EQ(scm.installed.binary, "C:\\sup\\supd.exe");
  EXPECT_TRUE(scm.running);
  EXPECT_EQ(scm.calls,
            (std::vector<std::string>{"query", "configure C:\\nowhere\\supd.exe", "stop",
                                      "start C:\\nowhere\\supd.exe", "configure C:\\sup\\supd.exe",
                                      "stop", "start C:\\sup\\supd.exe"}));
}

TEST(ServiceChangeTest, SaysSoWhenTheRollbackFailsToo) {
  FakeServiceManager scm;
  scm.unstartable = {"C:\\nowhere\\supd.exe", "C:\\sup\\supd.exe"};
  ServiceOverrides overrides;
  overrides.binary = "C:\\nowhere\\supd.exe";
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", overrides, false, 5s);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find(
                "but it did not start again either: C:\\sup\\supd.exe did not answer"),
            std::string::npos)
      << outcome.error().message();
}

TEST(ServiceChangeTest, ARefusedConfigurationRestoresTheSnapshot) {
  FakeServiceManager scm;
  scm.failing_configures = 1;
  ServiceOverrides overrides;
  overrides.display_name = "x";
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "supd", overrides, false, 5s);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().message(),
            "changing supd: the SCM refused; rolled back to the previous configuration");
  EXPECT_EQ(scm.installed.display_name, DefaultServiceSpec("").display_name);
  EXPECT_EQ(scm.calls, (std::vector<std::string>{"query", "configure C:\\sup\\supd.exe",
                                                 "configure C:\\sup\\supd.exe"}));
}

TEST(ServiceChangeTest, AnUninstalledServiceIsNotFound) {
  FakeServiceManager scm;
  Result<ServiceSetOutcome> outcome = ChangeService(scm, "other", ServiceOverrides{}, false, 5s);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().kind(), ErrorKind::kNotFound);
}

}  // namespace
}  // namespace sup::client

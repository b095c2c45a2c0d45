// The one rule by which supctl finds an instance's health pipe (client/instance_pipes.h).
#include "client/instance_pipes.h"

#include <gtest/gtest.h>

namespace sup::client {
namespace {

DaemonConfig Configured(std::string control, std::string health) {
  DaemonConfig values;
  values.control_pipe = std::move(control);
  values.health_pipe = std::move(health);
  return values;
}

TEST(InstancePipesTest, TheDefaultInstanceHasItsSiblingHealthPipe) {
  EXPECT_EQ(HealthPipeFor("sup-control", Configured("sup-control", "sup-health")), "sup-health");
}

// HealthPipe set apart from ControlPipe: `supctl health` used to ask sup-health.
TEST(InstancePipesTest, AHealthPipeSetApartIsTheConfiguredInstancesOwn) {
  const DaemonConfig configured = Configured("sup-control", "monitoring-health");
  EXPECT_EQ(HealthPipeFor("sup-control", configured), "monitoring-health");
  EXPECT_EQ(HealthPipeFor("\\\\.\\pipe\\sup-control", configured),
            "\\\\.\\pipe\\monitoring-health");
  const DaemonConfig renamed = Configured("plant-a", "plant-a-probes");
  EXPECT_EQ(HealthPipeFor("plant-a", renamed), "plant-a-probes");
}

// Another instance (supd --pipe-prefix P serves P-control and P-health).
TEST(InstancePipesTest, AnotherInstancesHealthPipeIsItsSibling) {
  const DaemonConfig configured = Configured("sup-control", "monitoring-health");
  EXPECT_EQ(HealthPipeFor("sup-b-control", configured), "sup-b-health");
  EXPECT_EQ(HealthPipeFor("\\\\.\\pipe\\sup-b-control", configured), "\\\\.\\pipe\\sup-b-health");
  EXPECT_EQ(HealthPipeFor("-control", configured), "monitoring-health");  // no prefix to keep
  EXPECT_EQ(HealthPipeFor("elsewhere", configured), "monitoring-health");
}

}  // namespace
}  // namespace sup::client

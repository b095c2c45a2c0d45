#include "daemon/control/authorization.h"

#include <gtest/gtest.h>

namespace sup::control {
namespace {

using Verb = sup::v1::Request::BodyCase;

TEST(AuthorizationTest, EachRoleGetsExactlyItsVerbs) {
  const Verb read_and_run[] = {Verb::kVersion, Verb::kStatus, Verb::kDescribe,
                               Verb::kLogs,    Verb::kEvents, Verb::kReread,
                               Verb::kStart,   Verb::kStop,   Verb::kRestart};
  const Verb administrators_only[] = {Verb::kReset, Verb::kUpdate};
  for (Verb verb : read_and_run) {
    EXPECT_TRUE(MayUse(Role::kAdministrator, verb)) << VerbName(verb);
    EXPECT_TRUE(MayUse(Role::kOperator, verb)) << VerbName(verb);
    EXPECT_FALSE(MayUse(Role::kNone, verb)) << VerbName(verb);
  }
  for (Verb verb : administrators_only) {
    EXPECT_TRUE(MayUse(Role::kAdministrator, verb)) << VerbName(verb);
    EXPECT_FALSE(MayUse(Role::kOperator, verb)) << VerbName(verb);
    EXPECT_FALSE(MayUse(Role::kNone, verb)) << VerbName(verb);
  }
}

}  // namespace
}  // namespace sup::control

// The structures `supctl service install|set` hands to ChangeServiceConfig2W, checked field by
// field: this is what real Windows receives. Wine drops failure actions and refuses the flag,
// delayed auto-start and the service SID (error 124); the last test shows supctl turns exactly
// those refusals into warnings against Wine's real SCM.
#include "client/win/service_config2.h"

#include <gtest/gtest.h>

#include "client/win/scm_service.h"
#include "common/win/unique_handle.h"
#include "common/win/win32_error.h"
#include "throwaway_service.h"

namespace sup::client::win {
namespace {

using std::chrono::milliseconds;

ServiceSpec EveryOption() {
  ServiceSpec spec = DefaultServiceSpec("C:\\sup\\supd.exe");
  spec.description = "the description";
  spec.start_type = StartType::kDelayedAuto;
  spec.failure_actions = {{FailureAction::Kind::kRestart, milliseconds(5000)},
                          {FailureAction::Kind::kRestart, milliseconds(10000)},
                          {FailureAction::Kind::kNone, milliseconds(0)}};
  spec.reset_period = std::chrono::seconds(3600);
  spec.preshutdown_timeout = milliseconds(20000);
  return spec;
}

template <typename Info>
const Info& InfoOf(const std::vector<ServiceConfig2::Call>& calls, DWORD level) {
  for (const ServiceConfig2::Call& call : calls) {
    if (call.level == level) return *static_cast<const Info*>(call.info);
  }
  ADD_FAILURE() << "no call for level " << level;
  static const Info none{};
  return none;
}

TEST(ServiceConfig2Test, CarriesEveryOptionInItsStructure) {
  ServiceConfig2 config(EveryOption());
  const std::vector<ServiceConfig2::Call> calls = config.Calls();
  ASSERT_EQ(calls.size(), 6u);

  EXPECT_STREQ(InfoOf<SERVICE_DESCRIPTIONW>(calls, SERVICE_CONFIG_DESCRIPTION).lpDescription,
               L"the description");

  const auto& actions = InfoOf<SERVICE_FAILURE_ACTIONSW>(calls, SERVICE_CONFIG_FAILURE_ACTIONS);
  EXPECT_EQ(actions.dwResetPeriod, 3600u);
  EXPECT_EQ(actions.lpRebootMsg, nullptr);
  EXPECT_EQ(actions.lpCommand, nullptr);
  ASSERT_EQ(actions.cActions, 3u);
  EXPECT_EQ(actions.lpsaActions[0].Type, SC_ACTION_RESTART);
  EXPECT_EQ(actions.lpsaActions[0].Delay, 5000u);
  EXPECT_EQ(actions.lpsaActions[1].Type, SC_ACTION_RESTART);
  EXPECT_EQ(actions.lpsaActions[1].Delay, 10000u);
  EXPECT_EQ(actions.lpsaActions[2].Type, SC_ACTION_NONE);

  // Failure actions also when supd stops with an error, not only when it crashes.
  EXPECT_TRUE(InfoOf<SERVICE_FAILURE_ACTIONS_FLAG>(calls, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG)
                  .fFailureActionsOnNonCrashFailures);
  EXPECT_TRUE(InfoOf<SERVICE_DELAYED_AUTO_START_INFO>(calls, SERVICE_CONFIG_DELAYED_AUTO_START_INFO)
                  .fDelayedAutostart);
  EXPECT_EQ(
      InfoOf<SERVICE_PRESHUTDOWN_INFO>(calls, SERVICE_CONFIG_PRESHUTDOWN_INFO).dwPreshutdownTimeout,
      20000u);
  EXPECT_EQ(InfoOf<SERVICE_SID_INFO>(calls, SERVICE_CONFIG_SERVICE_SID_INFO).dwServiceSidType,
            static_cast<DWORD>(SERVICE_SID_TYPE_UNRESTRICTED));
}

TEST(ServiceConfig2Test, PlainAutoStartIsNotDelayedAndNoPreshutdownMeansTheSystemDefault) {
  ServiceConfig2 config(DefaultServiceSpec("C:\\sup\\supd.exe"));
  const std::vector<ServiceConfig2::Call> calls = config.Calls();
  EXPECT_FALSE(
      InfoOf<SERVICE_DELAYED_AUTO_START_INFO>(calls, SERVICE_CONFIG_DELAYED_AUTO_START_INFO)
          .fDelayedAutostart);
  for (const ServiceConfig2::Call& call : calls)
    EXPECT_NE(call.level, static_cast<DWORD>(SERVICE_CONFIG_PRESHUTDOWN_INFO));
}

// Against the SCM this runs on: every call is made; under Wine the refused levels are warnings.
TEST(ServiceConfig2Test, RefusedLevelsBecomeWarnings) {
  Result<testing::ThrowawayService> service = testing::ThrowawayService::Create("sup-config2-test");
  ASSERT_TRUE(service.ok()) << service.error().message();
  ServiceSpec spec = EveryOption();
  Result<std::vector<std::string>> warnings = ApplyConfig2(service->handle(), spec);
  ASSERT_TRUE(warnings.ok()) << warnings.error().message();
  // Wine 8 refuses exactly these three levels (error 124); Windows accepts every one.
  const bool wine =
      ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
  const std::vector<std::string> expected =
      wine ? std::vector<
                 std::string>{"failure actions on non-crash failures: not supported by this system",
                              "delayed auto-start: not supported by this system",
                              "service SID: not supported by this system"}
           : std::vector<std::string>{};
  EXPECT_EQ(*warnings, expected);
}

// `service prepare`, which the MSI runs, sets the flag too: the MSI's own failure actions cover
// crashes only, and supd's SelfRestart ends it with an error code. Under Wine the call is made and
// refused (error 124); on Windows the flag reads back set.
TEST(ServiceConfig2Test, PrepareAppliesTheFailureActionsToExitsWithAnErrorCode) {
  Result<testing::ThrowawayService> service = testing::ThrowawayService::Create("sup-flag-test");
  ASSERT_TRUE(service.ok()) << service.error().message();
  Result<std::string> done = ApplyFailureActionsOnErrorExits(service->handle(), service->name());
  SERVICE_FAILURE_ACTIONS_FLAG flag{};
  DWORD needed = 0;
  const bool read = ::QueryServiceConfig2W(service->handle(), SERVICE_CONFIG_FAILURE_ACTIONS_FLAG,
                                           reinterpret_cast<BYTE*>(&flag), sizeof(flag), &needed);
  ASSERT_TRUE(done.ok()) << done.error().message();
  const bool wine =
      ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
  if (wine) {
    EXPECT_EQ(*done, "failure actions on non-crash failures: not supported by this system");
  } else {
    EXPECT_EQ(*done, "failure actions also on exits with an error code");
    ASSERT_TRUE(read);
    EXPECT_TRUE(flag.fFailureActionsOnNonCrashFailures);
  }
}

}  // namespace
}  // namespace sup::client::win

#include "client/win/service_config2.h"

#include "common/win/text.h"

namespace sup::client::win {

using sup::win::Widen;

ServiceConfig2::ServiceConfig2(const ServiceSpec& spec) : description_(Widen(spec.description)) {
  description_info_.lpDescription = description_.data();

  for (const FailureAction& action : spec.failure_actions) {
    actions_.push_back(
        {action.kind == FailureAction::Kind::kRestart ? SC_ACTION_RESTART : SC_ACTION_NONE,
         static_cast<DWORD>(action.delay.count())});
  }
  failure_actions_.dwResetPeriod = static_cast<DWORD>(spec.reset_period.count());
  failure_actions_.lpRebootMsg = nullptr;  // nullptr: unchanged
  failure_actions_.lpCommand = nullptr;
  failure_actions_.cActions = static_cast<DWORD>(actions_.size());
  failure_actions_.lpsaActions = actions_.empty() ? nullptr : actions_.data();
  failure_actions_flag_.fFailureActionsOnNonCrashFailures = TRUE;

  delayed_auto_start_.fDelayedAutostart = spec.start_type == StartType::kDelayedAuto ? TRUE : FALSE;
  has_preshutdown_ = spec.preshutdown_timeout.has_value();
  if (has_preshutdown_)
    preshutdown_.dwPreshutdownTimeout = static_cast<DWORD>(spec.preshutdown_timeout->count());
  service_sid_.dwServiceSidType = SERVICE_SID_TYPE_UNRESTRICTED;
}

std::vector<ServiceConfig2::Call> ServiceConfig2::Calls() {
  std::vector<Call> calls = {
      {SERVICE_CONFIG_DESCRIPTION, "description", &description_info_},
      {SERVICE_CONFIG_FAILURE_ACTIONS, "failure actions", &failure_actions_},
      {SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, "failure actions on non-crash failures",
       &failure_actions_flag_},
      {SERVICE_CONFIG_DELAYED_AUTO_START_INFO, "delayed auto-start", &delayed_auto_start_},
  };
  if (has_preshutdown_)
    calls.push_back({SERVICE_CONFIG_PRESHUTDOWN_INFO, "preshutdown timeout", &preshutdown_});
  calls.push_back({SERVICE_CONFIG_SERVICE_SID_INFO, "service SID", &service_sid_});
  return calls;
}

}  // namespace sup::client::win

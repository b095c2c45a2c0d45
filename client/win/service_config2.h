// The optional settings of a service, as the ChangeServiceConfig2W calls that carry them: one
// object owns every structure and the memory they point into, so the calls can be made, and a
// test can check each structure without an SCM that keeps them (Wine drops or refuses several).
#pragma once

#include <windows.h>

#include <string>
#include <vector>

#include "client/service/service_spec.h"

namespace sup::client::win {

class ServiceConfig2 {
 public:
  struct Call {
    DWORD level;       // SERVICE_CONFIG_DESCRIPTION, ...
    const char* what;  // "description", for messages
    void* info;        // the structure of that level
  };

  explicit ServiceConfig2(const ServiceSpec& spec);
  ServiceConfig2(const ServiceConfig2&) = delete;
  ServiceConfig2& operator=(const ServiceConfig2&) = delete;

  // Every call, in the order they are made: description, failure actions, the flag that also
  // applies them when supd exits with an error (not only when it crashes), delayed auto-start,
  // the preshutdown timeout (if set), an unrestricted service SID.
  std::vector<Call> Calls();

 private:
  std::wstring description_;
  SERVICE_DESCRIPTIONW description_info_{};
  std::vector<SC_ACTION> actions_;
  SERVICE_FAILURE_ACTIONSW failure_actions_{};
  SERVICE_FAILURE_ACTIONS_FLAG failure_actions_flag_{};
  SERVICE_DELAYED_AUTO_START_INFO delayed_auto_start_{};
  bool has_preshutdown_ = false;
  SERVICE_PRESHUTDOWN_INFO preshutdown_{};
  SERVICE_SID_INFO service_sid_{};
};

}  // namespace sup::client::win

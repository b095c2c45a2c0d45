// Who may use which verb (README: the roles of SYSTEM, Administrators and OperatorsGroup). The
// pipe's DACL keeps strangers out; this decides per request from the caller's token, so an operator
// cannot reconfigure supd even though the DACL lets them connect. Portable: the Windows side only
// works out the caller's role.
#pragma once

#include <string>

#include "sup/v1/control.pb.h"

namespace sup::control {

enum class Role {
  kNone,           // neither of the below: the health pipe only
  kOperator,       // a member of OperatorsGroup: read, and start/stop/restart
  kAdministrator,  // SYSTEM or Administrators: everything
};

struct Caller {
  Role role = Role::kNone;
  std::string name;  // DOMAIN\user, for the log
};

const char* RoleName(Role role);

// Whether `role` may use the control verb `verb`.
bool MayUse(Role role, sup::v1::Request::BodyCase verb);

// "describe", "update", ...: the verb as supctl spells it, for error messages.
const char* VerbName(sup::v1::Request::BodyCase verb);

}  // namespace sup::control

#include "daemon/control/authorization.h"

namespace sup::control {

using Verb = sup::v1::Request::BodyCase;

const char* RoleName(Role role) {
  switch (role) {
    case Role::kNone: return "no role";
    case Role::kOperator: return "operator";
    case Role::kAdministrator: return "administrator";
  }
  return "?";
}

bool MayUse(Role role, Verb verb) {
  switch (role) {
    case Role::kAdministrator: return true;
    case Role::kOperator:
      switch (verb) {
        case Verb::kVersion:
        case Verb::kStatus:
        case Verb::kDescribe:
        case Verb::kLogs:
        case Verb::kEvents:
        case Verb::kReread:  // shows the difference, changes nothing
        case Verb::kStart:
        case Verb::kStop:
        case Verb::kRestart: return true;
        case Verb::kReset:        // clears the breaker an administrator may rely on
        case Verb::kUpdate:       // applies configuration
        case Verb::kSetPassword:  // decides who workers run as
        case Verb::BODY_NOT_SET: return false;
      }
      return false;
    case Role::kNone: return false;
  }
  return false;
}

const char* VerbName(Verb verb) {
  switch (verb) {
    case Verb::kVersion: return "version";
    case Verb::kStatus: return "status";
    case Verb::kStart: return "start";
    case Verb::kStop: return "stop";
    case Verb::kRestart: return "restart";
    case Verb::kReset: return "reset";
    case Verb::kDescribe: return "describe";
    case Verb::kLogs: return "logs";
    case Verb::kEvents: return "events";
    case Verb::kReread: return "reread";
    case Verb::kUpdate: return "update";
    case Verb::kSetPassword: return "set-password";
    case Verb::BODY_NOT_SET: return "(none)";
  }
  return "?";
}

}  // namespace sup::control

// Granting an account a logon right in the local security policy, as services.msc does when a
// service is given an account: the SCM, and supd for its workers, log accounts on as a service
// (SeServiceLogonRight) or, for s4u workers, as a batch job (SeBatchLogonRight), which Windows
// refuses to an account without the right.
#pragma once

#include <string>

#include "common/result.h"

namespace sup::client::win {

inline constexpr char kServiceLogonRight[] = "SeServiceLogonRight";
inline constexpr char kBatchLogonRight[] = "SeBatchLogonRight";

// Grants `account` the logon right `right` (granting a right held is no change). An account that
// does not exist is kInvalidArgument; a policy that cannot be changed (Wine has no LSA to change)
// is another error, which callers report as a warning.
Result<void> GrantLogonRight(const std::string& account, const std::string& right);

}  // namespace sup::client::win

// Where supd keeps the passwords of workers whose Account is a user logged on with its password
// (docs/security.md, "Worker passwords"). The control plane only keeps, forgets and asks whether
// one is kept; reading one back is the Windows side's alone (daemon/engine/win/password_vault.h),
// when it logs the account on. Portable, so the set-password verb is unit-tested with a fake.
#pragma once

#include <string>

#include "common/result.h"

namespace sup::control {

class PasswordStore {
 public:
  virtual ~PasswordStore() = default;
  // Keeps `password` for `worker`, replacing one kept before.
  virtual Result<void> Keep(const std::string& worker, const std::string& password) = 0;
  // Forgets the password of `worker`; forgetting none is no error.
  virtual Result<void> Forget(const std::string& worker) = 0;
  virtual bool Has(const std::string& worker) const = 0;
};

}  // namespace sup::control

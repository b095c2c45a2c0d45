// Where supd keeps the passwords of workers whose Account is a user logged on with its password
// (docs/security.md, "Worker passwords"): one REG_BINARY value per worker in <key>\Secrets, each
// a DPAPI blob made in the scope of supd's own account (CryptProtectData without
// CRYPTPROTECT_LOCAL_MACHINE, which any local account could decrypt) with the worker's name as
// entropy, so a blob copied to another worker's value does not decrypt. The key's protected DACL
// lets only supd's account read or write it and Administrators delete it (`config delete`).
// The password never reaches the registry, a file, a log or a command line in clear; supd zeroes
// its own copies.
//
// Under Wine (measured, Wine 8.0): CryptProtectData and CryptUnprotectData round-trip, and a
// blob made with other entropy does not decrypt; registry DACLs are kept but not enforced, so
// that no other account may read the key only Windows shows.
#pragma once

#include <windows.h>

#include <functional>
#include <string>

#include "common/config/win/registry_config.h"
#include "common/result.h"
#include "daemon/control/password_store.h"
#include "daemon/engine/win/worker_logon.h"

namespace sup::win {

// The descriptor of <key>\Secrets: owned by and for `own_sid` (supd's account; SYSTEM as a
// service) and SYSTEM, deletable by Administrators; nothing inherited from the configuration key,
// which operators may read.
std::string SecretsKeySddl(const std::string& own_sid);

class PasswordVault final : public control::PasswordStore {
 public:
  // `config_key`: the configuration key; passwords go to its Secrets subkey. `changed` is called
  // (on the caller's thread) with the worker whose password was kept or forgotten.
  PasswordVault(win::RegistryPath config_key, std::function<void(const std::string&)> changed);

  // Creates <key>\Secrets with its descriptor, or gives an existing one that descriptor again.
  // Before the configuration is watched: creating a subkey of the root later would look like a
  // configuration change.
  Result<void> Prepare();

  Result<void> Keep(const std::string& worker, const std::string& password) override;
  Result<void> Forget(const std::string& worker) override;
  bool Has(const std::string& worker) const override;
  // The password kept for `worker`, decrypted; kNotFound when none is. Any thread.
  Result<SecretText> Reveal(const std::string& worker) const;

  const std::string& display() const { return secrets_.display; }

 private:
  win::RegistryPath secrets_;
  std::function<void(const std::string&)> changed_;
};

}  // namespace sup::win

// The registry side of `supctl worker`: the ConfigStore port over HKLM\SOFTWARE\Sup (or the
// --config-key of a supd instance). Reads with supd's own reader, so both see the same thing.
#pragma once

#include "common/config/config_store.h"
#include "common/config/win/registry_config.h"

namespace sup::win {

class RegistryConfigStore final : public config::ConfigStore {
 public:
  explicit RegistryConfigStore(sup::win::RegistryPath path) : path_(std::move(path)) {}

  Result<config::RawConfig> Read() override;
  Result<void> SetWorkerValue(const std::string& worker, const std::string& key,
                              const config::RawValue& value) override;
  Result<void> DeleteWorkerValue(const std::string& worker, const std::string& key) override;
  Result<void> DeleteWorker(const std::string& worker) override;
  Result<void> SetDaemonValue(const std::string& key, const config::RawValue& value) override;
  Result<void> Clear() override;
  // The configuration with REG_EXPAND_SZ values as written (%VARIABLES% kept), for export.
  Result<config::RawConfig> ReadUnexpanded();

 private:
  // <subkey>\Workers\<worker>, plus the folder part of `key` (Probes\Liveness) if any; `value`
  // gets the last part of `key`.
  std::wstring KeyOf(const std::string& worker, const std::string& key, std::wstring& value) const;
  Result<void> SetValue(const std::wstring& subkey, const std::wstring& name,
                        const config::RawValue& value, const std::string& display);
  // Before the first write: a configuration key under HKLM that does not exist yet is made for
  // administrators (key_security.h), as `supctl service install` makes it, not with the default
  // permissions of SOFTWARE (every user may read those).
  Result<void> MakeKeyIfMissing();

  sup::win::RegistryPath path_;
  bool key_made_ = false;
};

}  // namespace sup::win

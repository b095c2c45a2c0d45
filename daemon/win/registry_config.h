// The registry side of the configuration: reads HKLM\SOFTWARE\Sup (or --config-key) into the
// engine's RawConfig, keeps operator intent under <key>\State, and signals changes.
//
// Threading: any thread; the Daemon calls them on the io thread (registry reads are local and short).
#pragma once

#include <set>
#include <string>

#include "common/result.h"
#include "common/win/unique_handle.h"
#include "daemon/core/ports.h"

namespace sup::win {

// A registry key path with its root: "HKLM\SOFTWARE\Sup", "HKEY_CURRENT_USER\Software\x".
struct RegistryPath {
  HKEY root = HKEY_LOCAL_MACHINE;
  std::wstring subkey;
  std::string display;  // as given, for messages
};
Result<RegistryPath> ParseRegistryPath(const std::string& path);

inline constexpr char kDefaultConfigKey[] = "HKLM\\SOFTWARE\\Sup";

class RegistryConfigSource final : public core::ConfigSource {
 public:
  // supd reads REG_EXPAND_SZ values expanded; `supctl config export` keeps them as written.
  enum class Strings { kExpanded, kAsWritten };
  explicit RegistryConfigSource(RegistryPath path, Strings strings = Strings::kExpanded)
      : path_(std::move(path)), strings_(strings) {}
  // A missing root key is an empty configuration (no workers), not an error.
  Result<core::RawConfig> Read() override;

 private:
  RegistryPath path_;
  Strings strings_;
};

// Operator intent in REG_MULTI_SZ <key>\State\StoppedByOperator.
class RegistryStateStore final : public core::StateStore {
 public:
  explicit RegistryStateStore(RegistryPath path) : path_(std::move(path)) {}
  std::set<std::string> LoadStoppedByOperator() override;
  Result<void> SetStoppedByOperator(const std::string& worker, bool stopped) override;

 private:
  RegistryPath path_;
};

// Signals `event` whenever a value or subkey below the key changes. Re-arm after each signal.
class RegistryWatch {
 public:
  static Result<RegistryWatch> Create(const RegistryPath& path);
  // Arms the notification; the event is signalled once on the next change.
  Result<void> Arm();
  HANDLE event() const { return event_.get(); }

 private:
  RegistryWatch(UniqueRegistryKey key, UniqueHandle event) : key_(std::move(key)), event_(std::move(event)) {}
  UniqueRegistryKey key_;
  UniqueHandle event_;
};

}  // namespace sup::win

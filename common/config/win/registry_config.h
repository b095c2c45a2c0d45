// The registry side of the configuration: reads HKLM\SOFTWARE\Sup (or --config-key) into the
// engine's RawConfig, keeps operator intent under <key>\State, and signals changes.
//
// Threading: any thread; the Daemon calls them on the io thread (registry reads are local and
// short).
#pragma once

#include <set>
#include <vector>
#include <string>

#include "common/config/config_store.h"
#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::win {

// A registry key path with its root: "HKLM\SOFTWARE\Sup", "HKEY_CURRENT_USER\Software\x".
struct RegistryPath {
  HKEY root = HKEY_LOCAL_MACHINE;
  std::wstring subkey;
  std::string display;  // as given, for messages
};
Result<RegistryPath> ParseRegistryPath(const std::string& path);

inline constexpr char kDefaultConfigKey[] = "HKLM\\SOFTWARE\\Sup";

// <key>\Secrets: the workers' passwords, which only supd's account may read (daemon/win/
// password_vault.h). Not configuration: never read, exported or imported as such.
inline constexpr wchar_t kSecretsSubkey[] = L"Secrets";

// RegDeleteTreeW of the configuration key `key`, <key>\Secrets first by itself: an administrator
// may delete that key but not open it to walk it. ERROR_FILE_NOT_FOUND when there is nothing.
LSTATUS DeleteConfigTree(const RegistryPath& key);

class RegistryConfigSource final : public config::ConfigSource {
 public:
  // supd reads REG_EXPAND_SZ values expanded; `supctl config export` keeps them as written.
  enum class Strings { kExpanded, kAsWritten };
  // What is read: everything, or only the daemon values of the root key (for what must be known
  // before anything runs, supd's log and the pipes supctl asks, without reading every worker).
  enum class Reach { kEverything, kDaemonValues };
  explicit RegistryConfigSource(RegistryPath path, Strings strings = Strings::kExpanded,
                                Reach reach = Reach::kEverything)
      : path_(std::move(path)), strings_(strings), reach_(reach) {}
  // A missing root key is an empty configuration (no workers), not an error.
  Result<config::RawConfig> Read() override;

 private:
  RegistryPath path_;
  Strings strings_;
  Reach reach_;
};

// Operator intent in REG_MULTI_SZ <key>\State\StoppedByOperator. The configuration watch does
// not look below State (ConfigWatches), so writing it never reloads the configuration.
class RegistryStateStore final : public config::StateStore {
 public:
  explicit RegistryStateStore(RegistryPath path) : path_(std::move(path)) {}
  // Creates <key>\State if it is missing, before the configuration is watched: creating a
  // subkey of the root later would look like a configuration change.
  Result<void> Prepare();
  std::set<std::string> LoadStoppedByOperator() override;
  Result<void> SetStoppedByOperator(const std::string& worker, bool stopped) override;

 private:
  RegistryPath path_;
};

// Signals `event` whenever the key's values or subkeys change (with `subtree`, anything below
// it). Re-arm after each signal. The key is created if it is missing, and opened again if it was
// deleted and re-created meanwhile (`reg delete`, `config import --replace`).
class RegistryWatch {
 public:
  enum class Scope { kKey, kSubtree };
  static Result<RegistryWatch> Create(const RegistryPath& path, Scope scope);
  // Arms the notification; the event is signalled once on the next change.
  Result<void> Arm();
  HANDLE event() const { return event_.get(); }

 private:
  RegistryWatch(RegistryPath path, Scope scope, win::UniqueRegistryKey key, win::UniqueHandle event)
      : path_(std::move(path)), scope_(scope), key_(std::move(key)), event_(std::move(event)) {}
  RegistryPath path_;
  Scope scope_;
  win::UniqueRegistryKey key_;
  win::UniqueHandle event_;
};

// What supd watches of its configuration: the root key's own values and subkeys (daemon values;
// Workers created or deleted), and everything under Workers; not State, where supd writes.
Result<std::vector<RegistryWatch>> ConfigWatches(const RegistryPath& path);

}  // namespace sup::win

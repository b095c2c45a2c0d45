#include "common/config/win/registry_config.h"

#include <algorithm>
#include <vector>

#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {
namespace {

constexpr wchar_t kWorkersSubkey[] = L"Workers";
constexpr wchar_t kProbesSubkey[] = L"Probes";
constexpr wchar_t kStateSubkey[] = L"State";
constexpr wchar_t kStoppedByOperatorValue[] = L"StoppedByOperator";

std::vector<std::string> SplitMultiString(const wchar_t* data, std::size_t chars) {
  std::vector<std::string> items;
  std::size_t start = 0;
  for (std::size_t i = 0; i < chars; ++i) {
    if (data[i] != L'\0') continue;
    if (i == start) break;  // the empty string that ends the list
    items.push_back(win::Narrow(std::wstring_view(data + start, i - start)));
    start = i + 1;
  }
  return items;
}

config::RawValue Convert(DWORD type, const std::vector<BYTE>& data, DWORD bytes, bool expand) {
  const auto* text = reinterpret_cast<const wchar_t*>(data.data());
  std::size_t chars = bytes / sizeof(wchar_t);
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ: {
      while (chars > 0 && text[chars - 1] == L'\0') --chars;
      std::wstring value(text, chars);
      if (type == REG_SZ) return config::RawValue::String(win::Narrow(value));
      config::RawValue expanded = config::RawValue::String(
          win::Narrow(expand ? win::ExpandEnvironmentVariables(value) : value));
      expanded.type = config::RawType::kExpandString;
      return expanded;
    }
    case REG_MULTI_SZ: return config::RawValue::MultiString(SplitMultiString(text, chars));
    case REG_DWORD:
      if (bytes >= sizeof(DWORD))
        return config::RawValue::Dword(*reinterpret_cast<const DWORD*>(data.data()));
      break;
    case REG_QWORD:
      if (bytes >= sizeof(std::uint64_t))
        return config::RawValue::Qword(*reinterpret_cast<const std::uint64_t*>(data.data()));
      break;
  }
  config::RawValue other;
  other.type = config::RawType::kOther;
  return other;
}

Result<win::UniqueRegistryKey> OpenKey(HKEY parent, const std::wstring& subkey, REGSAM access,
                                       const std::string& display) {
  HKEY key = nullptr;
  const LSTATUS status = ::RegOpenKeyExW(parent, subkey.c_str(), 0, access, &key);
  if (status != ERROR_SUCCESS)
    return win::Win32Error("opening " + display, static_cast<DWORD>(status));
  return win::UniqueRegistryKey{key};
}

Result<config::RawValues> ReadValues(HKEY key, const std::string& display, bool expand) {
  DWORD value_count = 0, max_name = 0, max_data = 0;
  LSTATUS status = ::RegQueryInfoKeyW(key, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                      &value_count, &max_name, &max_data, nullptr, nullptr);
  if (status != ERROR_SUCCESS)
    return win::Win32Error("reading " + display, static_cast<DWORD>(status));
  config::RawValues values;
  std::vector<wchar_t> name(max_name + 1);
  std::vector<BYTE> data(max_data + sizeof(wchar_t));
  for (DWORD i = 0; i < value_count; ++i) {
    DWORD name_chars = static_cast<DWORD>(name.size());
    DWORD data_bytes = static_cast<DWORD>(data.size());
    DWORD type = 0;
    status =
        ::RegEnumValueW(key, i, name.data(), &name_chars, nullptr, &type, data.data(), &data_bytes);
    if (status == ERROR_NO_MORE_ITEMS) break;
    if (status != ERROR_SUCCESS)
      return win::Win32Error("reading the values of " + display, static_cast<DWORD>(status));
    const std::string value_name = win::Narrow(std::wstring_view(name.data(), name_chars));
    if (value_name.empty()) continue;  // the key's default value carries nothing for sup
    values[value_name] = Convert(type, data, data_bytes, expand);
  }
  return values;
}

Result<std::vector<std::wstring>> Subkeys(HKEY key, const std::string& display) {
  std::vector<std::wstring> names;
  wchar_t name[256];
  for (DWORD i = 0;; ++i) {
    DWORD chars = 256;
    const LSTATUS status =
        ::RegEnumKeyExW(key, i, name, &chars, nullptr, nullptr, nullptr, nullptr);
    if (status == ERROR_NO_MORE_ITEMS) break;
    if (status != ERROR_SUCCESS)
      return win::Win32Error("listing the subkeys of " + display, static_cast<DWORD>(status));
    names.emplace_back(name, chars);
  }
  return names;
}

Result<config::RawWorker> ReadWorker(HKEY workers, const std::wstring& name,
                                     const std::string& display, bool expand) {
  Result<win::UniqueRegistryKey> key = OpenKey(workers, name, KEY_READ, display);
  if (!key) return key.error();
  config::RawWorker worker;
  Result<config::RawValues> values = ReadValues(key->get(), display, expand);
  if (!values) return values.error();
  worker.values = std::move(*values);
  Result<win::UniqueRegistryKey> probes =
      OpenKey(key->get(), kProbesSubkey, KEY_READ, display + "\\Probes");
  if (!probes) return worker;  // no probes
  Result<std::vector<std::wstring>> probe_names = Subkeys(probes->get(), display + "\\Probes");
  if (!probe_names) return probe_names.error();
  for (const std::wstring& probe_name : *probe_names) {
    const std::string probe_display = display + "\\Probes\\" + win::Narrow(probe_name);
    Result<win::UniqueRegistryKey> probe =
        OpenKey(probes->get(), probe_name, KEY_READ, probe_display);
    if (!probe) return probe.error();
    Result<config::RawValues> probe_values = ReadValues(probe->get(), probe_display, expand);
    if (!probe_values) return probe_values.error();
    worker.probes[win::Narrow(probe_name)] = std::move(*probe_values);
  }
  return worker;
}

}  // namespace

Result<RegistryPath> ParseRegistryPath(const std::string& path) {
  const std::size_t slash = path.find('\\');
  const std::string root = path.substr(0, slash);
  RegistryPath parsed;
  parsed.display = path;
  std::string upper = root;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (upper == "HKLM" || upper == "HKEY_LOCAL_MACHINE") {
    parsed.root = HKEY_LOCAL_MACHINE;
  } else if (upper == "HKCU" || upper == "HKEY_CURRENT_USER") {
    parsed.root = HKEY_CURRENT_USER;
  } else {
    return Error(ErrorKind::kInvalidArgument,
                 "registry key \"" + path +
                     "\" does not start with HKLM\\ or HKCU\\ (e.g. HKLM\\SOFTWARE\\Sup)");
  }
  if (slash == std::string::npos || slash + 1 == path.size()) {
    return Error(ErrorKind::kInvalidArgument,
                 "registry key \"" + path + "\" names no subkey (e.g. HKLM\\SOFTWARE\\Sup)");
  }
  parsed.subkey = win::Widen(path.substr(slash + 1));
  return parsed;
}

Result<config::RawConfig> RegistryConfigSource::Read() {
  config::RawConfig config;
  HKEY root_key = nullptr;
  LSTATUS status = ::RegOpenKeyExW(path_.root, path_.subkey.c_str(), 0, KEY_READ, &root_key);
  if (status == ERROR_FILE_NOT_FOUND) return config;
  if (status != ERROR_SUCCESS)
    return win::Win32Error("opening " + path_.display, static_cast<DWORD>(status));
  win::UniqueRegistryKey root{root_key};
  const bool expand = strings_ == Strings::kExpanded;
  Result<config::RawValues> daemon = ReadValues(root.get(), path_.display, expand);
  if (!daemon) return daemon.error();
  config.daemon = std::move(*daemon);
  if (reach_ == Reach::kDaemonValues) return config;

  const std::string workers_display = path_.display + "\\Workers";
  Result<win::UniqueRegistryKey> workers =
      OpenKey(root.get(), kWorkersSubkey, KEY_READ, workers_display);
  if (!workers) {
    if (workers.error().kind() == ErrorKind::kNotFound) return config;
    return workers.error();
  }
  Result<std::vector<std::wstring>> names = Subkeys(workers->get(), workers_display);
  if (!names) return names.error();
  for (const std::wstring& name : *names) {
    Result<config::RawWorker> worker =
        ReadWorker(workers->get(), name, workers_display + "\\" + win::Narrow(name), expand);
    if (!worker) return worker.error();
    config.workers[win::Narrow(name)] = std::move(*worker);
  }
  return config;
}

std::set<std::string> RegistryStateStore::LoadStoppedByOperator() {
  std::set<std::string> stopped;
  const std::wstring subkey = path_.subkey + L"\\" + kStateSubkey;
  DWORD bytes = 0;
  if (::RegGetValueW(path_.root, subkey.c_str(), kStoppedByOperatorValue, RRF_RT_REG_MULTI_SZ,
                     nullptr, nullptr, &bytes) != ERROR_SUCCESS) {
    return stopped;
  }
  std::vector<wchar_t> data(bytes / sizeof(wchar_t) + 2, L'\0');
  if (::RegGetValueW(path_.root, subkey.c_str(), kStoppedByOperatorValue, RRF_RT_REG_MULTI_SZ,
                     nullptr, data.data(), &bytes) != ERROR_SUCCESS) {
    return stopped;
  }
  for (std::string& name : SplitMultiString(data.data(), data.size()))
    stopped.insert(std::move(name));
  return stopped;
}

Result<void> RegistryStateStore::SetStoppedByOperator(const std::string& worker, bool stopped) {
  std::set<std::string> names = LoadStoppedByOperator();
  if (stopped) {
    names.insert(worker);
  } else {
    names.erase(worker);
  }
  std::wstring data;
  for (const std::string& name : names) data += win::Widen(name) + L'\0';
  data += L'\0';
  const std::wstring subkey = path_.subkey + L"\\" + kStateSubkey;
  const std::string where = path_.display + "\\" + win::Narrow(kStateSubkey) + "\\" +
                            win::Narrow(kStoppedByOperatorValue);
  HKEY key = nullptr;
  LSTATUS status = ::RegCreateKeyExW(path_.root, subkey.c_str(), 0, nullptr, 0, KEY_SET_VALUE,
                                     nullptr, &key, nullptr);
  if (status != ERROR_SUCCESS)
    return win::Win32Error("opening " + where, static_cast<DWORD>(status));
  win::UniqueRegistryKey owned{key};
  status = ::RegSetValueExW(key, kStoppedByOperatorValue, 0, REG_MULTI_SZ,
                            reinterpret_cast<const BYTE*>(data.data()),
                            static_cast<DWORD>(data.size() * sizeof(wchar_t)));
  if (status != ERROR_SUCCESS)
    return win::Win32Error("writing " + where, static_cast<DWORD>(status));
  return Ok();
}

Result<void> RegistryStateStore::Prepare() {
  const std::wstring subkey = path_.subkey + L"\\" + kStateSubkey;
  HKEY key = nullptr;
  const LSTATUS status = ::RegCreateKeyExW(path_.root, subkey.c_str(), 0, nullptr, 0, KEY_SET_VALUE,
                                           nullptr, &key, nullptr);
  if (status != ERROR_SUCCESS) {
    return win::Win32Error("creating " + path_.display + "\\" + win::Narrow(kStateSubkey),
                           static_cast<DWORD>(status));
  }
  win::UniqueRegistryKey owned{key};
  return Ok();
}

namespace {

Result<win::UniqueRegistryKey> OpenToWatch(const RegistryPath& path) {
  HKEY key = nullptr;
  const LSTATUS status = ::RegCreateKeyExW(path.root, path.subkey.c_str(), 0, nullptr, 0,
                                           KEY_NOTIFY | KEY_READ, nullptr, &key, nullptr);
  if (status != ERROR_SUCCESS)
    return win::Win32Error("opening " + path.display + " to watch it", static_cast<DWORD>(status));
  return win::UniqueRegistryKey{key};
}

}  // namespace

Result<RegistryWatch> RegistryWatch::Create(const RegistryPath& path, Scope scope) {
  Result<win::UniqueRegistryKey> key = OpenToWatch(path);
  if (!key) return key.error();
  win::UniqueHandle event{::CreateEventW(nullptr, FALSE, FALSE, nullptr)};
  if (!event) return win::Win32Error("creating the registry watch event");
  return RegistryWatch(path, scope, std::move(*key), std::move(event));
}

Result<void> RegistryWatch::Arm() {
  const DWORD filter = REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET;
  const BOOL subtree = scope_ == Scope::kSubtree;
  LSTATUS status = ::RegNotifyChangeKeyValue(key_.get(), subtree, filter, event_.get(), TRUE);
  if (status == ERROR_KEY_DELETED) {
    // Deleted since the last signal: watch the key of that name now (created if need be).
    Result<win::UniqueRegistryKey> reopened = OpenToWatch(path_);
    if (!reopened) return reopened.error();
    key_ = std::move(*reopened);
    status = ::RegNotifyChangeKeyValue(key_.get(), subtree, filter, event_.get(), TRUE);
  }
  if (status != ERROR_SUCCESS)
    return win::Win32Error("watching " + path_.display, static_cast<DWORD>(status));
  return Ok();
}

LSTATUS DeleteConfigTree(const RegistryPath& key) {
  ::RegDeleteKeyW(key.root, (key.subkey + L"\\" + kSecretsSubkey).c_str());
  return ::RegDeleteTreeW(key.root, key.subkey.c_str());
}

Result<std::vector<RegistryWatch>> ConfigWatches(const RegistryPath& path) {
  RegistryPath workers = path;
  workers.subkey += std::wstring(L"\\") + kWorkersSubkey;
  workers.display += "\\" + win::Narrow(kWorkersSubkey);
  std::vector<RegistryWatch> watches;
  for (auto [where, scope] : {std::pair{path, RegistryWatch::Scope::kKey},
                              std::pair{workers, RegistryWatch::Scope::kSubtree}}) {
    Result<RegistryWatch> watch = RegistryWatch::Create(where, scope);
    if (!watch) return watch.error();
    watches.push_back(std::move(*watch));
  }
  return watches;
}

}  // namespace sup::win

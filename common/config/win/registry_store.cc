#include "common/config/win/registry_store.h"

#include "common/config/win/key_security.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {

using sup::win::Widen;
using sup::win::Win32Error;

std::wstring RegistryConfigStore::KeyOf(const std::string& worker, const std::string& key,
                                        std::wstring& value) const {
  std::wstring path = path_.subkey + L"\\Workers\\" + win::Widen(worker);
  const std::size_t slash = key.rfind('\\');
  if (slash == std::string::npos) {
    value = win::Widen(key);
  } else {
    path += L"\\" + win::Widen(key.substr(0, slash));
    value = win::Widen(key.substr(slash + 1));
  }
  return path;
}

Result<config::RawConfig> RegistryConfigStore::Read() {
  return sup::win::RegistryConfigSource(path_).Read();
}

Result<config::RawConfig> RegistryConfigStore::ReadUnexpanded() {
  return sup::win::RegistryConfigSource(path_, sup::win::RegistryConfigSource::Strings::kAsWritten)
      .Read();
}

Result<void> RegistryConfigStore::Clear() {
  Result<config::RawConfig> current = Read();
  if (!current) return current.error();
  for (const auto& [name, value] : current->daemon) {
    const LSTATUS status =
        ::RegDeleteKeyValueW(path_.root, path_.subkey.c_str(), win::Widen(name).c_str());
    if (status != ERROR_SUCCESS && status != ERROR_FILE_NOT_FOUND) {
      return win::Win32Error("deleting " + path_.display + "\\" + name, static_cast<DWORD>(status));
    }
  }
  for (const auto& [name, worker] : current->workers) {
    if (Result<void> deleted = DeleteWorker(name); !deleted) return deleted;
  }
  return Ok();
}

Result<void> RegistryConfigStore::SetWorkerValue(const std::string& worker, const std::string& key,
                                                 const config::RawValue& value) {
  std::wstring name;
  const std::wstring subkey = KeyOf(worker, key, name);
  return SetValue(subkey, name, value, path_.display + "\\Workers\\" + worker + "\\" + key);
}

Result<void> RegistryConfigStore::SetDaemonValue(const std::string& key,
                                                 const config::RawValue& value) {
  return SetValue(path_.subkey, win::Widen(key), value, path_.display + "\\" + key);
}

Result<void> RegistryConfigStore::MakeKeyIfMissing() {
  if (key_made_) return Ok();
  key_made_ = true;
  return SecureConfigKeyIfMissing(path_, "");
}

Result<void> RegistryConfigStore::SetValue(const std::wstring& subkey, const std::wstring& name,
                                           const config::RawValue& value,
                                           const std::string& display) {
  if (Result<void> made = MakeKeyIfMissing(); !made) return made;
  LSTATUS status = ERROR_SUCCESS;
  switch (value.type) {
    case config::RawType::kString:
    case config::RawType::kExpandString: {
      const std::wstring text = win::Widen(value.text);
      status =
          ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(),
                            value.type == config::RawType::kString ? REG_SZ : REG_EXPAND_SZ,
                            text.c_str(), static_cast<DWORD>((text.size() + 1) * sizeof(wchar_t)));
      break;
    }
    case config::RawType::kMultiString: {
      std::wstring data;
      for (const std::string& item : value.list) data += win::Widen(item) + L'\0';
      data += L'\0';
      status = ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(), REG_MULTI_SZ,
                                 data.c_str(), static_cast<DWORD>(data.size() * sizeof(wchar_t)));
      break;
    }
    case config::RawType::kDword: {
      const DWORD number = static_cast<DWORD>(value.number);
      status = ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(), REG_DWORD, &number,
                                 sizeof(number));
      break;
    }
    case config::RawType::kQword:
      status = ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(), REG_QWORD, &value.number,
                                 sizeof(value.number));
      break;
    case config::RawType::kOther:
      return Error(ErrorKind::kInvalidArgument, "no registry type sup writes for " + display);
  }
  if (status != ERROR_SUCCESS)
    return win::Win32Error("writing " + display, static_cast<DWORD>(status));
  return Ok();
}

Result<void> RegistryConfigStore::DeleteWorkerValue(const std::string& worker,
                                                    const std::string& key) {
  std::wstring name;
  const std::wstring subkey = KeyOf(worker, key, name);
  const LSTATUS status = ::RegDeleteKeyValueW(path_.root, subkey.c_str(), name.c_str());
  if (status != ERROR_SUCCESS && status != ERROR_FILE_NOT_FOUND) {
    return win::Win32Error("deleting " + path_.display + "\\Workers\\" + worker + "\\" + key,
                           static_cast<DWORD>(status));
  }
  if (key.find('\\') != std::string::npos)
    ::RegDeleteKeyW(path_.root, subkey.c_str());  // fails while values remain
  return Ok();
}

Result<void> RegistryConfigStore::DeleteWorker(const std::string& worker) {
  const std::wstring subkey = path_.subkey + L"\\Workers\\" + win::Widen(worker);
  const LSTATUS status = ::RegDeleteTreeW(path_.root, subkey.c_str());
  if (status != ERROR_SUCCESS) {
    return win::Win32Error("deleting " + path_.display + "\\Workers\\" + worker,
                           static_cast<DWORD>(status));
  }
  ::RegDeleteKeyW(path_.root, subkey.c_str());  // RegDeleteTree leaves the key itself
  return Ok();
}

}  // namespace sup::win

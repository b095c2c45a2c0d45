#include "client/win/registry_store.h"

#include "common/win/win32_error.h"

namespace sup::client::win {

using sup::win::Widen;
using sup::win::Win32Error;

std::wstring RegistryConfigStore::KeyOf(const std::string& worker, const std::string& key, std::wstring& value) const {
  std::wstring path = path_.subkey + L"\\Workers\\" + Widen(worker);
  const std::size_t slash = key.rfind('\\');
  if (slash == std::string::npos) {
    value = Widen(key);
  } else {
    path += L"\\" + Widen(key.substr(0, slash));
    value = Widen(key.substr(slash + 1));
  }
  return path;
}

Result<core::RawConfig> RegistryConfigStore::Read() { return sup::win::RegistryConfigSource(path_).Read(); }

Result<void> RegistryConfigStore::SetWorkerValue(const std::string& worker, const std::string& key,
                                                 const core::RawValue& value) {
  std::wstring name;
  const std::wstring subkey = KeyOf(worker, key, name);
  LSTATUS status = ERROR_SUCCESS;
  switch (value.type) {
    case core::RawType::kString:
    case core::RawType::kExpandString: {
      const std::wstring text = Widen(value.text);
      status = ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(),
                                 value.type == core::RawType::kString ? REG_SZ : REG_EXPAND_SZ, text.c_str(),
                                 static_cast<DWORD>((text.size() + 1) * sizeof(wchar_t)));
      break;
    }
    case core::RawType::kMultiString: {
      std::wstring data;
      for (const std::string& item : value.list) data += Widen(item) + L'\0';
      data += L'\0';
      status = ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(), REG_MULTI_SZ, data.c_str(),
                                 static_cast<DWORD>(data.size() * sizeof(wchar_t)));
      break;
    }
    case core::RawType::kDword: {
      const DWORD number = static_cast<DWORD>(value.number);
      status = ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(), REG_DWORD, &number, sizeof(number));
      break;
    }
    case core::RawType::kQword:
      status = ::RegSetKeyValueW(path_.root, subkey.c_str(), name.c_str(), REG_QWORD, &value.number,
                                 sizeof(value.number));
      break;
    case core::RawType::kOther:
      return Error(ErrorKind::kInternal, "no registry type for " + key);
  }
  if (status != ERROR_SUCCESS) {
    return Win32Error("writing " + path_.display + "\\Workers\\" + worker + "\\" + key, static_cast<DWORD>(status));
  }
  return Ok();
}

Result<void> RegistryConfigStore::DeleteWorkerValue(const std::string& worker, const std::string& key) {
  std::wstring name;
  const std::wstring subkey = KeyOf(worker, key, name);
  const LSTATUS status = ::RegDeleteKeyValueW(path_.root, subkey.c_str(), name.c_str());
  if (status != ERROR_SUCCESS && status != ERROR_FILE_NOT_FOUND) {
    return Win32Error("deleting " + path_.display + "\\Workers\\" + worker + "\\" + key, static_cast<DWORD>(status));
  }
  if (key.find('\\') != std::string::npos) ::RegDeleteKeyW(path_.root, subkey.c_str());  // fails while values remain
  return Ok();
}

Result<void> RegistryConfigStore::DeleteWorker(const std::string& worker) {
  const std::wstring subkey = path_.subkey + L"\\Workers\\" + Widen(worker);
  const LSTATUS status = ::RegDeleteTreeW(path_.root, subkey.c_str());
  if (status != ERROR_SUCCESS) {
    return Win32Error("deleting " + path_.display + "\\Workers\\" + worker, static_cast<DWORD>(status));
  }
  ::RegDeleteKeyW(path_.root, subkey.c_str());  // RegDeleteTree leaves the key itself
  return Ok();
}

}  // namespace sup::client::win

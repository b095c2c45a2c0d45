#include "throwaway_service.h"

#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::testing {

Result<ThrowawayService> ThrowawayService::Create(const std::string& prefix) {
  win::UniqueServiceHandle scm{::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS)};
  if (!scm) return win::Win32Error("OpenSCManagerW");
  const std::string name = prefix + "-" + std::to_string(::GetCurrentProcessId());
  const std::wstring wide = win::Widen(name);
  win::UniqueServiceHandle service{
      ::CreateServiceW(scm.get(), wide.c_str(), wide.c_str(), SERVICE_ALL_ACCESS,
                       SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL,
                       L"C:\\sup\\supd.exe", nullptr, nullptr, nullptr, nullptr, nullptr)};
  if (!service) return win::Win32Error("CreateServiceW " + name);
  return ThrowawayService(name, std::move(scm), std::move(service));
}

ThrowawayService::~ThrowawayService() {
  if (service_) ::DeleteService(service_.get());
}

}  // namespace sup::testing

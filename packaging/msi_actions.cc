// sup_msi_actions.dll: the MSI's custom actions, stored in its Binary table (packaging/sup.wxs).
//
// RunSupctl runs the command held in its CustomActionData: the program and its arguments separated
// by '|', which no Windows path holds, all of them the package's own text (e.g.
// "C:\Program Files\Sup\supctl.exe|service|prepare"). ImportConfigFile runs `supctl config
// import` of CONFIG_FILE, a value whoever runs msiexec chooses: its CustomActionData is
// "<supctl.exe>|<SourceDir>|<CONFIG_FILE>", made into exactly one argument or refused
// (MsiImportCommand: no option, no network path). Both quote the arguments by the Windows rules,
// so a path ending in '\' or holding a '"' reaches supctl as given, as one argument. They hand what
// supctl printed to Windows Installer: to the install log always, and when supctl fails, as the
// install's error message (the dialog of an interactive install, the log and the event log of a
// silent one), failing the action so that the install rolls back. An EXE custom action cannot do
// that: Windows Installer keeps nothing of what it prints, so an admin whose CONFIG_FILE was
// refused would see only "a custom action failed".
//
// StopSupd stops the service supd and waits until the SCM says it stopped, before the old version
// is removed (an upgrade) or the installed one changed (a repair, an uninstall): Windows
// Installer's StopServices waits for that itself, Wine's does not, and then the old service,
// still stopping, can neither be deleted nor started again (1627).
#include <windows.h>
#include <msi.h>
#include <msiquery.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/command_line.h"
#include "common/msi_import_command.h"
#include "common/win/attribute_list.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace {

using sup::win::Narrow;
using sup::win::UniqueHandle;
using sup::win::UniqueServiceHandle;
using sup::win::Widen;

// supctl's commands here take well under a second; one that has not ended by then is stuck, and
// an install must not wait forever for it.
constexpr DWORD kSupctlTimeoutMs = 5 * 60 * 1000;
// supd's stop: its workers' stop ladders. Past this, the install goes on (and says so).
constexpr DWORD kSupdStopTimeoutMs = 120 * 1000;
// Enough for every error a configuration file can have; a longer output is cut, saying so.
constexpr std::size_t kMaxOutputBytes = 64 * 1024;

struct SupctlRun {
  std::string failure;  // why it could not be started or did not end
  DWORD exit_code = 0;
  std::string output;  // stdout and stderr as they came, UTF-8
};

std::wstring CustomActionData(MSIHANDLE install) {
  DWORD length = 0;
  wchar_t empty[1] = L"";
  if (::MsiGetPropertyW(install, L"CustomActionData", empty, &length) != ERROR_MORE_DATA)
    return L"";
  std::wstring value(length + 1, L'\0');
  length = static_cast<DWORD>(value.size());
  if (::MsiGetPropertyW(install, L"CustomActionData", value.data(), &length) != ERROR_SUCCESS)
    return L"";
  value.resize(length);
  return value;
}

// Sends `text` to the installer as one message of `kind` (INSTALLMESSAGE_INFO: the log only;
// INSTALLMESSAGE_ERROR: the user and the log). The text is the record's field 1, shown through the
// template "[1]", so brackets in it ([HKEY_LOCAL_MACHINE\...]) are not read as properties.
void Tell(MSIHANDLE install, INSTALLMESSAGE kind, const std::string& text) {
  PMSIHANDLE record = ::MsiCreateRecord(1);  // closed when it goes out of scope
  if (record == 0) return;
  ::MsiRecordSetStringW(record, 0, L"[1]");
  ::MsiRecordSetStringW(record, 1, Widen(text).c_str());
  ::MsiProcessMessage(install, kind, record);
}

// Runs `command_line` with stdout and stderr on one pipe, read here until supctl ends.
SupctlRun Run(std::wstring command_line) {
  SupctlRun run;
  HANDLE read_raw = nullptr;
  HANDLE write_raw = nullptr;
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  if (!::CreatePipe(&read_raw, &write_raw, &inheritable, 0)) {
    run.failure = sup::win::Win32Error("creating the pipe for its output").message();
    return run;
  }
  UniqueHandle output_read{read_raw};
  UniqueHandle output_write{write_raw};
  ::SetHandleInformation(output_read.get(), HANDLE_FLAG_INHERIT, 0);

  // Only the pipe is inherited, none of the installer's own handles.
  sup::Result<std::unique_ptr<sup::win::AttributeList>> attributes =
      sup::win::AttributeList::Create(1);
  HANDLE inherited[] = {output_write.get()};
  if (!attributes) {
    run.failure = attributes.error().message();
    return run;
  }
  if (sup::Result<void> only = (*attributes)->InheritOnly(inherited, 1); !only) {
    run.failure = only.error().message();
    return run;
  }
  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof(startup);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdOutput = output_write.get();
  startup.StartupInfo.hStdError = output_write.get();
  startup.lpAttributeList = (*attributes)->get();
  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(nullptr, command_line.data(), nullptr, nullptr, TRUE,
                        CREATE_NO_WINDOW | EXTENDED_STARTUPINFO_PRESENT, nullptr, nullptr,
                        &startup.StartupInfo, &info)) {
    run.failure = sup::win::Win32Error("starting it").message();
    return run;
  }
  const UniqueHandle process{info.hProcess};
  const UniqueHandle thread{info.hThread};
  output_write.reset();  // supctl holds the only write end now: the reads end when it exits

  std::string output;
  bool truncated = false;
  std::thread reader([&] {
    char buffer[4096];
    DWORD read = 0;
    while (::ReadFile(output_read.get(), buffer, sizeof(buffer), &read, nullptr) && read > 0) {
      const std::size_t room = kMaxOutputBytes - output.size();
      output.append(buffer, read < room ? read : room);
      truncated = truncated || read > room;
    }
  });
  if (::WaitForSingleObject(process.get(), kSupctlTimeoutMs) != WAIT_OBJECT_0) {
    ::TerminateProcess(process.get(), ERROR_TIMEOUT);
    ::WaitForSingleObject(process.get(), INFINITE);
    run.failure = "it did not end within " + std::to_string(kSupctlTimeoutMs / 1000) +
                  " seconds and was stopped";
  }
  reader.join();
  ::GetExitCodeProcess(process.get(), &run.exit_code);
  run.output = std::move(output);
  if (truncated) run.output += "\n(output cut at " + std::to_string(kMaxOutputBytes) + " bytes)";
  while (!run.output.empty() && (run.output.back() == '\n' || run.output.back() == '\r'))
    run.output.pop_back();
  return run;
}

// "program|argument|..." as one command line.
std::wstring CommandLineOf(const std::wstring& data) {
  std::vector<std::string> arguments;
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = data.find(L'|', start);
    arguments.push_back(Narrow(data.substr(start, bar - start)));
    if (bar == std::wstring::npos) break;
    start = bar + 1;
  }
  return Widen(sup::JoinWindowsCommandLine(arguments));
}

// Runs `command_line`, telling the installer what supctl printed; fails the action when supctl
// fails.
UINT RunAndTell(MSIHANDLE install, const std::wstring& command_line) {
  const std::string shown = Narrow(command_line);
  const SupctlRun run = Run(command_line);
  if (!run.failure.empty()) {
    Tell(install, INSTALLMESSAGE_ERROR, "sup: " + shown + ": " + run.failure);
    return ERROR_INSTALL_FAILURE;
  }
  if (run.exit_code != 0) {
    Tell(install, INSTALLMESSAGE_ERROR,
         "sup: " + shown + " failed (exit code " + std::to_string(run.exit_code) + ")" +
             (run.output.empty() ? ", printing nothing" : ":\n" + run.output));
    return ERROR_INSTALL_FAILURE;
  }
  Tell(install, INSTALLMESSAGE_INFO,
       "sup: " + shown + (run.output.empty() ? ": done" : ":\n" + run.output));
  return ERROR_SUCCESS;
}

}  // namespace

extern "C" __declspec(dllexport) UINT __stdcall RunSupctl(MSIHANDLE install) {
  const std::wstring data = CustomActionData(install);
  if (data.empty()) {
    Tell(install, INSTALLMESSAGE_ERROR,
         "sup: the package is broken: its supctl action was given no command line");
    return ERROR_INSTALL_FAILURE;
  }
  return RunAndTell(install, CommandLineOf(data));
}

extern "C" __declspec(dllexport) UINT __stdcall ImportConfigFile(MSIHANDLE install) {
  sup::Result<std::vector<std::string>> command =
      sup::MsiImportCommand(Narrow(CustomActionData(install)));
  if (!command) {
    Tell(install, INSTALLMESSAGE_ERROR, "sup: " + command.error().message());
    return ERROR_INSTALL_FAILURE;
  }
  return RunAndTell(install, Widen(sup::JoinWindowsCommandLine(*command)));
}

extern "C" __declspec(dllexport) UINT __stdcall StopSupd(MSIHANDLE install) {
  const UniqueServiceHandle scm{::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT)};
  const UniqueServiceHandle service{
      scm ? ::OpenServiceW(scm.get(), L"supd", SERVICE_STOP | SERVICE_QUERY_STATUS) : nullptr};
  if (!service) {
    // No supd to stop (a first install), or one this account may not see: StopServices follows.
    Tell(install, INSTALLMESSAGE_INFO,
         "sup: supd not stopped first: " + sup::win::Win32ErrorText(::GetLastError()));
    return ERROR_SUCCESS;
  }
  SERVICE_STATUS status{};
  if (!::ControlService(service.get(), SERVICE_CONTROL_STOP, &status) &&
      ::GetLastError() == ERROR_SERVICE_NOT_ACTIVE) {
    Tell(install, INSTALLMESSAGE_INFO, "sup: supd was not running");
    return ERROR_SUCCESS;
  }
  const ULONGLONG started = ::GetTickCount64();
  while (::QueryServiceStatus(service.get(), &status) && status.dwCurrentState != SERVICE_STOPPED &&
         ::GetTickCount64() - started < kSupdStopTimeoutMs) {
    ::Sleep(200);  // the SCM has no wait for a state; `supctl service stop` polls the same way
  }
  const ULONGLONG took = ::GetTickCount64() - started;
  Tell(install, INSTALLMESSAGE_INFO,
       status.dwCurrentState == SERVICE_STOPPED
           ? "sup: supd stopped in " + std::to_string(took) + " ms"
           : "sup: supd still stopping after " + std::to_string(took / 1000) + " s; going on");
  return ERROR_SUCCESS;
}

#include "supd_service.h"

#include <psapi.h>
#include <tlhelp32.h>

#include <algorithm>
#include <cstdio>
#include <deque>

#include <gtest/gtest.h>

#include "common/command_line.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "retry_log.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "wait_until.h"

namespace sup::testing {

using namespace std::chrono_literals;
using win::Narrow;
using win::Widen;

std::optional<SERVICE_STATUS_PROCESS> QueryServiceState(SC_HANDLE service) {
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  if (!::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status),
                              sizeof(status), &needed)) {
    return std::nullopt;
  }
  return status;
}

bool WaitForServiceState(SC_HANDLE service, DWORD state, std::chrono::milliseconds timeout) {
  return WaitUntil(
      [&] {
        std::optional<SERVICE_STATUS_PROCESS> status = QueryServiceState(service);
        return status && status->dwCurrentState == state;
      },
      timeout);
}

bool ProcessGone(DWORD pid, std::chrono::milliseconds timeout) {
  if (pid == 0) {  // "no process" is not "a process that is gone": the caller lost a pid
    ADD_FAILURE() << "ProcessGone(0): there is no process to wait for";
    return false;
  }
  win::UniqueHandle process{::OpenProcess(SYNCHRONIZE, FALSE, pid)};
  if (!process) return true;
  return ::WaitForSingleObject(process.get(), static_cast<DWORD>(timeout.count())) == WAIT_OBJECT_0;
}

std::string TestWorkerCommand(const std::vector<std::string>& arguments) {
  std::vector<std::string> command = arguments;
  command.insert(command.begin(), ExecutableDirectory() + "\\testworker.exe");
  return JoinWindowsCommandLine(command);
}

SupdService::SupdService(std::string_view test)
    : name_("sup-e2e-" + std::string(test) + "-" + std::to_string(::GetCurrentProcessId())),
      config_key_("SOFTWARE\\SupE2E\\" + name_) {
  manager_.reset(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS));
}

namespace {

// Every test worker below `root` (its workers, their children, ...), as the system lists them
// now. Only testworker.exe: parent ids are reused, and under Wine services.exe can list the
// pid supd now has as its parent.
std::vector<DWORD> WorkersBelow(DWORD root) {
  std::vector<DWORD> found;
  win::UniqueHandle snapshot{::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0)};
  if (!snapshot || snapshot.get() == INVALID_HANDLE_VALUE) return found;
  std::vector<PROCESSENTRY32W> processes;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof(entry);
  for (BOOL more = ::Process32FirstW(snapshot.get(), &entry); more;
       more = ::Process32NextW(snapshot.get(), &entry)) {
    processes.push_back(entry);
  }
  std::deque<DWORD> parents{root};
  while (!parents.empty()) {
    const DWORD parent = parents.front();
    parents.pop_front();
    for (const PROCESSENTRY32W& process : processes) {
      if (process.th32ParentProcessID != parent || process.th32ProcessID == root) continue;
      if (std::find(found.begin(), found.end(), process.th32ProcessID) != found.end()) continue;
      if (::_wcsicmp(process.szExeFile, L"testworker.exe") != 0) continue;
      found.push_back(process.th32ProcessID);
      parents.push_back(process.th32ProcessID);
    }
  }
  return found;
}

bool Exited(DWORD pid, std::chrono::milliseconds timeout) {
  win::UniqueHandle process{::OpenProcess(SYNCHRONIZE, FALSE, pid)};
  return !process ||
         ::WaitForSingleObject(process.get(), static_cast<DWORD>(timeout.count())) == WAIT_OBJECT_0;
}

void Kill(DWORD pid) {
  win::UniqueHandle process{::OpenProcess(PROCESS_TERMINATE, FALSE, pid)};
  if (process) ::TerminateProcess(process.get(), 1);
}

}  // namespace

SupdService::~SupdService() {
  if (service_) {
    // Whatever the test did, nothing of this supd may outlive it: a stop that fails is a test
    // failure and a kill, and so is any worker (or worker's child) still there afterwards.
    const DWORD pid = ServicePid();
    const std::vector<DWORD> descendants = pid ? WorkersBelow(pid) : std::vector<DWORD>{};
    const bool gone_already = pid == 0 || Exited(pid, 0ms);  // a test that killed supd itself
    if (Result<void> stopped = Stop(); !stopped && !gone_already) {
      // A stop that does not finish is a failure even if the process is gone by now; the end of
      // supd's log says where it stood.
      const std::string log = Log();
      ADD_FAILURE() << name_ << ": " << stopped.error().message()
                    << "; killing it. The end of its log:\n"
                    << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
      if (pid && !Exited(pid, 0ms)) Kill(pid);
    }
    for (DWORD process : descendants) {
      if (Exited(process, 10s)) continue;
      ADD_FAILURE() << name_ << " left process " << process << " behind; killing it";
      Kill(process);
    }
    ::DeleteService(service_.get());
  }
  ::RegDeleteTreeW(HKEY_LOCAL_MACHINE, Widen(config_key_).c_str());
}

std::wstring SupdService::WorkerKey(const std::string& worker) const {
  return Widen(config_key_ + "\\Workers\\" + worker);
}

void SupdService::SetString(const std::wstring& key, const std::string& value,
                            const std::string& data) {
  const std::wstring wide = Widen(data);
  ::RegSetKeyValueW(HKEY_LOCAL_MACHINE, key.c_str(), Widen(value).c_str(), REG_SZ, wide.c_str(),
                    static_cast<DWORD>((wide.size() + 1) * sizeof(wchar_t)));
}

void SupdService::SetDword(const std::wstring& key, const std::string& value, DWORD data) {
  ::RegSetKeyValueW(HKEY_LOCAL_MACHINE, key.c_str(), Widen(value).c_str(), REG_DWORD, &data,
                    sizeof(data));
}

void SupdService::SetString(const std::string& worker, const std::string& value,
                            const std::string& data) {
  SetString(WorkerKey(worker), value, data);
}

void SupdService::SetDword(const std::string& worker, const std::string& value, DWORD data) {
  SetDword(WorkerKey(worker), value, data);
}

void SupdService::SetDaemonString(const std::string& value, const std::string& data) {
  SetString(Widen(config_key_), value, data);
  if (::_stricmp(value.c_str(), "LogDirectory") == 0) log_directory_ = data;
}

void SupdService::SetDaemonDword(const std::string& value, DWORD data) {
  SetDword(Widen(config_key_), value, data);
}

void SupdService::SetMultiString(const std::string& worker, const std::string& value,
                                 const std::vector<std::string>& items) {
  std::wstring data;
  for (const std::string& item : items) data += Widen(item) + L'\0';
  data += L'\0';
  ::RegSetKeyValueW(HKEY_LOCAL_MACHINE, WorkerKey(worker).c_str(), Widen(value).c_str(),
                    REG_MULTI_SZ, data.c_str(), static_cast<DWORD>(data.size() * sizeof(wchar_t)));
}

void SupdService::SetProbe(const std::string& worker, const std::string& probe,
                           const std::string& type, const std::string& target, DWORD period_ms,
                           DWORD failure_threshold) {
  const std::string probe_key = worker + "\\Probes\\" + probe;
  SetString(probe_key, "Type", type);
  SetString(probe_key, "Target", target);
  SetDword(probe_key, "PeriodMs", period_ms);
  SetDword(probe_key, "FailureThreshold", failure_threshold);
}

void SupdService::AddWorker(const std::string& worker, const std::vector<std::string>& arguments) {
  SetString(worker, "Command", TestWorkerCommand(arguments));
  SetDword(worker, "BackoffInitialMs", 100);
  SetDword(worker, "StartSeconds", 0);
  SetString(worker, "StdoutLog", "none");
  SetString(worker, "StderrLog", "none");
}

void SupdService::UseTheDefaultConfigurationKey() {
  config_key_ = "SOFTWARE\\Sup";
  default_instance_ = true;
}

Result<void> SupdService::InstallAndStart() {
  if (!manager_) return win::Win32Error("OpenSCManagerW");
  // Named outside any ANSI code page, as a Chinese or French admin might: supd.log and the
  // workers' default logs must land in it in every e2e test.
  if (log_directory_.empty())
    SetDaemonString("LogDirectory",
                    TempPath(name_ + "-journaux-\xC3\xA9-\xE6\x97\xA5\xE5\xBF\x97"));
  const std::string command =
      default_instance_
          ? JoinWindowsCommandLine({ExecutableDirectory() + "\\supd.exe"})
          : JoinWindowsCommandLine({ExecutableDirectory() + "\\supd.exe", "--pipe-prefix", name_,
                                    "--config-key", "HKLM\\" + config_key_});
  service_.reset(::CreateServiceW(
      manager_.get(), Widen(name_).c_str(), Widen(name_).c_str(), SERVICE_ALL_ACCESS,
      SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, Widen(command).c_str(),
      nullptr, nullptr, nullptr, nullptr, nullptr));
  if (!service_) return win::Win32Error("CreateServiceW " + name_);
  return Start();
}

Result<void> SupdService::Start() {
  // A clean CI run once saw InstallAndStart fail within 21 ms under Wine (1 e2e test in ~500,
  // before supd could have run a line; the error was not printed then, ASSERT_SUPD_OK prints it
  // now): a failed start is tried once more, printing the first error. A supd that cannot start
  // fails twice.
  if (!::StartServiceW(service_.get(), 0, nullptr)) {
    const Error first = win::Win32Error("StartServiceW " + name_);
    testing::NoteRetry("StartServiceW", first.message());
    if (!::StartServiceW(service_.get(), 0, nullptr))
      return win::Win32Error("StartServiceW " + name_ + " (twice; the first: " + first.message() +
                             ")");
  }
  if (!WaitForServiceState(service_.get(), SERVICE_RUNNING, 30s)) {
    return Error(ErrorKind::kUnavailable, name_ + " did not reach RUNNING");
  }
  return Ok();
}

Result<void> SupdService::Stop() {
  SERVICE_STATUS ignored{};
  std::optional<SERVICE_STATUS_PROCESS> state = QueryServiceState(service_.get());
  if (state && state->dwCurrentState == SERVICE_STOPPED) return Ok();
  if (!::ControlService(service_.get(), SERVICE_CONTROL_STOP, &ignored))
    return win::Win32Error("ControlService STOP");
  if (!WaitForServiceState(service_.get(), SERVICE_STOPPED, 60s)) {
    return Error(ErrorKind::kUnavailable, name_ + " did not reach STOPPED");
  }
  return Ok();
}

DWORD SupdService::ServicePid() const {
  std::optional<SERVICE_STATUS_PROCESS> state = QueryServiceState(service_.get());
  return state ? state->dwProcessId : 0;
}

std::string SupdService::ServiceState() const {
  const std::optional<SERVICE_STATUS_PROCESS> state = QueryServiceState(service_.get());
  if (!state) return "service state unknown (QueryServiceStatusEx failed)";
  return "service state " + std::to_string(state->dwCurrentState) +
         " (4 running, 1 stopped), pid " + std::to_string(state->dwProcessId) + ", exit code " +
         std::to_string(state->dwWin32ExitCode) + ", service-specific " +
         std::to_string(state->dwServiceSpecificExitCode);
}

// supd's descriptor gives administrators query-limited (and terminate) only: GetProcessMemoryInfo
// needs no more (Windows 8.1 and later, and Wine).
std::size_t SupdService::PrivateBytes() const {
  win::UniqueHandle process{::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, ServicePid())};
  PROCESS_MEMORY_COUNTERS counters{};
  if (!process || !::GetProcessMemoryInfo(process.get(), &counters, sizeof(counters))) return 0;
  return counters.PagefileUsage;
}

std::optional<sup::v1::StatusResponse> SupdService::Status() const {
  Result<win::PipeClient> pipe = win::PipeClient::Connect(control_pipe(), 5s);
  if (!pipe) return std::nullopt;
  ControlClient client(*pipe);
  sup::v1::Request request;
  request.mutable_status();
  Result<sup::v1::Response> response = client.Call(request);
  if (!response) return std::nullopt;
  return response->status();
}

std::optional<sup::v1::WorkerStatus> SupdService::Worker(const std::string& worker) const {
  std::optional<sup::v1::StatusResponse> status = Status();
  if (!status) return std::nullopt;
  for (const sup::v1::WorkerStatus& candidate : status->workers()) {
    if (candidate.name() == worker) return candidate;
  }
  return std::nullopt;
}

sup::v1::WorkerStatus SupdService::WorkerOrFail(const std::string& worker) const {
  std::optional<sup::v1::WorkerStatus> status = Worker(worker);
  if (!status) {
    ADD_FAILURE() << "supd " << name_ << " did not answer with the status of " << worker;
    return {};
  }
  return *status;
}

std::optional<sup::v1::WorkerStatus> SupdService::WaitForWorker(
    const std::string& worker, const std::function<bool(const sup::v1::WorkerStatus&)>& condition,
    std::chrono::milliseconds timeout) const {
  std::optional<sup::v1::WorkerStatus> last;
  const bool reached = WaitUntil(
      [&] {
        last = Worker(worker);
        return last && condition(*last);
      },
      timeout);
  if (!reached) {
    ADD_FAILURE() << worker << " did not reach the expected status; last: "
                  << (last ? last->description() + " state " + std::to_string(last->state())
                           : "no status");
    return std::nullopt;
  }
  return last;
}

std::string SupdService::Log() const {
  const std::wstring path = Widen(log_directory_ + "\\supd.log");
  win::UniqueFileHandle log{::CreateFileW(path.c_str(), GENERIC_READ,
                                          FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                          nullptr, OPEN_EXISTING, 0, nullptr)};
  std::string contents;
  if (!log) return contents;
  char buffer[64 * 1024];
  DWORD read = 0;
  while (::ReadFile(log.get(), buffer, sizeof(buffer), &read, nullptr) && read > 0)
    contents.append(buffer, read);
  return contents;
}

std::size_t CountOccurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size())) {
    ++count;
  }
  return count;
}

std::size_t SupdService::CountInLog(const std::string& text) const {
  return CountOccurrences(Log(), text);
}

bool SupdService::WaitForLog(const std::string& text, std::size_t times,
                             std::chrono::milliseconds timeout) const {
  if (WaitUntil([&] { return CountInLog(text) >= times; }, timeout)) return true;
  const std::string log = Log();
  ADD_FAILURE() << "supd's log does not show \"" << text << "\" " << times << " time(s); its end:\n"
                << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
  return false;
}

ProcessOutput SupdService::Supctl(std::vector<std::string> arguments) const {
  return SupctlWithInput(std::move(arguments), std::nullopt);
}

ProcessOutput SupdService::SupctlWithInput(std::vector<std::string> arguments,
                                           const std::optional<std::string>& input) const {
  arguments.insert(arguments.begin(),
                   {ExecutableDirectory() + "\\supctl.exe", "--pipe", control_pipe()});
  Result<ProcessOutput> output = RunProcess(arguments, std::chrono::seconds(60), input);
  if (!output) {
    ADD_FAILURE() << output.error().message();
    return {};
  }
  return *output;
}

}  // namespace sup::testing

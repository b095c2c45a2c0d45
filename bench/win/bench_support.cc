#include "bench_support.h"

#include <psapi.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win::bench {

namespace {
bool g_quick = false;
}  // namespace

void ParseArguments(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) != "--quick")
      Fail(std::string("unknown argument ") + argv[i] + " (only --quick)");
    g_quick = true;
  }
}

bool Quick() { return g_quick; }

std::wstring TestWorkerPath() {
  std::wstring self(MAX_PATH, L'\0');
  self.resize(::GetModuleFileNameW(nullptr, self.data(), MAX_PATH));
  return self.substr(0, self.find_last_of(L"\\/") + 1) + L"testworker.exe";
}

UniqueHandle StartProcess(const std::wstring& command_line, HANDLE out, DWORD flags,
                          wchar_t* desktop) {
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  UniqueFileHandle null_device{::CreateFileW(L"NUL", GENERIC_WRITE,
                                             FILE_SHARE_READ | FILE_SHARE_WRITE, &inheritable,
                                             OPEN_EXISTING, 0, nullptr)};
  if (!null_device) Fail(Win32Error("opening NUL").message());
  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES | STARTF_USESHOWWINDOW;
  startup.wShowWindow = SW_HIDE;  // as supd starts workers: a console of their own stays hidden
  startup.hStdInput = null_device.get();
  startup.hStdOutput = out != nullptr ? out : null_device.get();
  startup.hStdError = null_device.get();
  startup.lpDesktop = desktop;
  std::wstring mutable_command = command_line;
  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(nullptr, mutable_command.data(), nullptr, nullptr, TRUE, flags, nullptr,
                        nullptr, &startup, &info)) {
    Fail(Win32Error("starting " + Narrow(command_line)).message());
  }
  ::CloseHandle(info.hThread);
  return UniqueHandle{info.hProcess};
}

void SetString(const std::wstring& key, const wchar_t* value, const std::wstring& data) {
  ::RegSetKeyValueW(HKEY_CURRENT_USER, key.c_str(), value, REG_SZ, data.c_str(),
                    static_cast<DWORD>((data.size() + 1) * sizeof(wchar_t)));
}

void SetDword(const std::wstring& key, const wchar_t* value, DWORD data) {
  ::RegSetKeyValueW(HKEY_CURRENT_USER, key.c_str(), value, REG_DWORD, &data, sizeof(data));
}

void SetMultiString(const std::wstring& key, const wchar_t* value,
                    const std::vector<std::wstring>& items) {
  std::wstring data;
  for (const std::wstring& item : items) data += item + L'\0';
  data += L'\0';
  ::RegSetKeyValueW(HKEY_CURRENT_USER, key.c_str(), value, REG_MULTI_SZ, data.c_str(),
                    static_cast<DWORD>(data.size() * sizeof(wchar_t)));
}

BenchConfigKey::BenchConfigKey(const std::wstring& purpose)
    : key_(L"Software\\SupBench\\" + purpose + L"-" + std::to_wstring(::GetCurrentProcessId())) {
  // The benchmark's concurrent clients are all one account, which may hold a quarter of a pipe's
  // instances: enough instances that 16 at once are within its share.
  SetDword(key_, L"PipeInstances", 128);
}

BenchConfigKey::~BenchConfigKey() { ::RegDeleteTreeW(HKEY_CURRENT_USER, key_.c_str()); }

std::string BenchConfigKey::ForSupd() const { return "HKCU\\" + Narrow(key_); }

InProcessSupd::InProcessSupd(const BenchConfigKey& config, const std::string& pipe_prefix) {
  DaemonOptions options;
  options.pipe_prefix = pipe_prefix;
  options.config_key = config.ForSupd();
  // A logger without sinks: the benchmark measures supd's work, not its log file.
  Result<std::unique_ptr<Daemon>> daemon =
      Daemon::Create(options, std::make_shared<spdlog::logger>("bench"));
  if (!daemon) Fail(daemon.error().message());
  daemon_ = std::move(*daemon);
  io_thread_ = std::thread([this] { daemon_->Run(); });
}

InProcessSupd::~InProcessSupd() {
  daemon_->RequestStop();
  io_thread_.join();
}

std::size_t PrivateBytes() {
  PROCESS_MEMORY_COUNTERS counters{};
  if (!::GetProcessMemoryInfo(::GetCurrentProcess(), &counters, sizeof(counters)))
    Fail("GetProcessMemoryInfo failed");
  return counters.PagefileUsage;
}

void Fail(const std::string& what) {
  std::fprintf(stderr, "bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace sup::win::bench

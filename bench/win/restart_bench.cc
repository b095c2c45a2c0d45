// Restart latency as a user sees it (docs/performance.md: within 1.1x of a restart by hand).
//
// A running worker is ended from outside with TerminateProcess, as a crash or an admin's kill
// would end it, and the time runs until its replacement's first act: it writes its pid file and
// signals a named event before anything else. That includes everything supd does in between:
// noticing the exit, waiting for the job to be empty, the engine's decision with zero backoff,
// the job, the token, the descriptors, the output pipes and CreateProcessAsUser.
//
// The baseline is the same done by hand: TerminateProcess of a process the benchmark started,
// wait for its exit, CreateProcess the next one with the same console flags, wait for its event;
// once on this process's desktop and once on a window station and desktop made like the workers'
// (docs/security.md, "Worker identity"), which separates what the isolation costs from sup's own
// work. supd is the whole Daemon (registry configuration, engine, job launcher, output capture,
// the pipes) in this process, configured under HKCU. The three are killed in turn, cycle after
// cycle, and compared by their medians: under Wine the machine's load moves the bare figure by a
// third between runs, which two series measured one after the other turned into ratios of
// 0.7-1.8x. Workers without a console (DETACHED_PROCESS, StopSteps without ctrl-c) and with their
// own hidden console, each with the reduced token every worker gets by default and with supd's
// full token (Restricted=0).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "common/win/object_security.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "daemon/engine/win/worker_desktop.h"

namespace sup::win::bench {
namespace {

int Cycles() { return FullOrQuick(40, 3); }

struct Mode {
  const char* name;
  DWORD console_flags;                   // for the baseline's CreateProcess
  std::vector<std::wstring> stop_steps;  // which give supd's launcher the same flags
};

std::wstring Suffix() { return std::to_wstring(::GetCurrentProcessId()); }

UniqueHandle StartedEvent(const std::wstring& name) {
  UniqueHandle event{::CreateEventW(nullptr, FALSE, FALSE, name.c_str())};
  if (!event) Fail(Win32Error("creating the event " + Narrow(name)).message());
  return event;
}

void WaitFor(HANDLE handle, const char* what) {
  if (::WaitForSingleObject(handle, 30'000) != WAIT_OBJECT_0)
    Fail(std::string("timed out waiting for ") + what);
}

// A worker that runs until it is killed; its pid goes to `pid_file` before it signals.
std::wstring KeeperCommand(const std::wstring& event_name, const std::wstring& pid_file) {
  return L"\"" + TestWorkerPath() + L"\" --pid-file \"" + pid_file + L"\" --signal-event " +
         event_name;
}

std::wstring PidFilePath(const wchar_t* purpose) {
  std::wstring folder(MAX_PATH, L'\0');
  folder.resize(::GetTempPathW(MAX_PATH, folder.data()));
  return folder + L"sup-bench-" + purpose + L"-" + Suffix() + L".pid";
}

DWORD ReadPid(const std::wstring& pid_file) {
  std::ifstream in{std::filesystem::path(pid_file)};
  DWORD pid = 0;
  if (!(in >> pid)) Fail("cannot read the worker's pid from " + Narrow(pid_file));
  return pid;
}

// Something that is killed and started again: once by hand, once by supd.
class Restartable {
 public:
  virtual ~Restartable() = default;
  // Kills the running worker; returns the time until its replacement signalled.
  virtual Seconds KillAndAwaitReplacement() = 0;
};

// The limit: a killed program started again by hand, on this process's desktop or on `desktop`.
class ByHand final : public Restartable {
 public:
  ByHand(const Mode& mode, const wchar_t* purpose, wchar_t* desktop = nullptr)
      : mode_(mode),
        desktop_(desktop),
        event_name_(L"sup-bench-" + std::wstring(purpose) + L"-killed-" + Suffix()),
        pid_file_(PidFilePath(purpose)),
        started_(StartedEvent(event_name_)),
        process_(Start()) {
    WaitFor(started_.get(), "the worker to start");
  }
  ~ByHand() override {
    ::TerminateProcess(process_.get(), 1);
    ::DeleteFileW(pid_file_.c_str());
  }

  Seconds KillAndAwaitReplacement() override {
    const auto killed_at = std::chrono::steady_clock::now();
    ::TerminateProcess(process_.get(), 1);
    WaitFor(process_.get(), "the worker to exit");
    process_ = Start();
    WaitFor(started_.get(), "the worker to start again");
    return std::chrono::steady_clock::now() - killed_at;
  }

 private:
  UniqueHandle Start() {
    return StartProcess(KeeperCommand(event_name_, pid_file_), nullptr, mode_.console_flags,
                        desktop_);
  }

  const Mode& mode_;
  wchar_t* desktop_;
  std::wstring event_name_, pid_file_;
  UniqueHandle started_, process_;
};

// The same kill, with supd starting the replacement.
class BySupd final : public Restartable {
 public:
  BySupd(const Mode& mode, bool restricted)
      : event_name_(L"sup-bench-supd-killed-" + Suffix()),
        pid_file_(PidFilePath(L"supd")),
        started_(StartedEvent(event_name_)),
        config_(L"restart-killed") {
    const std::wstring worker = config_.Worker(L"keeper");
    SetString(worker, L"Command", KeeperCommand(event_name_, pid_file_));
    SetDword(worker, L"BackoffInitialMs", 0);
    SetDword(worker, L"StartSeconds", 0);
    SetDword(worker, L"MaxFailures", 1000);
    SetMultiString(worker, L"StopSteps", mode.stop_steps);
    SetDword(worker, L"Restricted", restricted ? 1 : 0);
    supd_ = std::make_unique<InProcessSupd>(config_, "sup-bench-killed-" + Narrow(Suffix()));
    WaitFor(started_.get(), "the first start");
  }
  ~BySupd() override {
    supd_.reset();
    ::DeleteFileW(pid_file_.c_str());
  }

  Seconds KillAndAwaitReplacement() override {
    const DWORD pid = ReadPid(pid_file_);
    const UniqueHandle running{::OpenProcess(PROCESS_TERMINATE, FALSE, pid)};
    if (!running) Fail(Win32Error("opening the worker " + std::to_string(pid)).message());
    const auto killed_at = std::chrono::steady_clock::now();
    ::TerminateProcess(running.get(), 1);
    WaitFor(started_.get(), "the replacement");
    return std::chrono::steady_clock::now() - killed_at;
  }

 private:
  std::wstring event_name_, pid_file_;
  UniqueHandle started_;
  BenchConfigKey config_;
  std::unique_ptr<InProcessSupd> supd_;
};

Seconds Median(std::vector<Seconds> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

struct Medians {
  Seconds bare;           // started by hand on this process's desktop
  Seconds bare_isolated;  // started by hand on a window station and desktop like the workers'
  Seconds supd;
};

// The three taken in turn, cycle by cycle, so that the machine's load, which moves the bare
// figure by a third between runs under Wine, weighs on all alike; medians, so that a stall of one
// does not decide the ratio.
Medians KilledCycles(const Mode& mode, bool restricted, WorkerDesktop& isolated) {
  ByHand bare(mode, L"bare");
  ByHand bare_isolated(mode, L"isolated", isolated.startup_name());
  BySupd supd(mode, restricted);
  std::vector<Seconds> bare_times, isolated_times, supd_times;
  for (int cycle = 0; cycle < Cycles(); ++cycle) {
    bare_times.push_back(bare.KillAndAwaitReplacement());
    isolated_times.push_back(bare_isolated.KillAndAwaitReplacement());
    supd_times.push_back(supd.KillAndAwaitReplacement());
  }
  return {Median(bare_times), Median(isolated_times), Median(supd_times)};
}

}  // namespace
}  // namespace sup::win::bench

int main(int argc, char** argv) {
  using namespace sup::win::bench;
  ParseArguments(argc, argv);
  const Mode modes[] = {
      {"without a console", DETACHED_PROCESS, {L"event", L"terminate"}},
      {"with its own console", CREATE_NEW_CONSOLE, {L"event", L"ctrl-c", L"terminate"}},
  };
  std::printf(
      "restart latency, killed: TerminateProcess of a running worker to its replacement's first "
      "act, zero backoff, %d cycles\n",
      Cycles());
  sup::Result<std::unique_ptr<sup::win::WorkerDesktop>> isolated =
      sup::win::WorkerDesktop::Create(sup::win::OwnUserSid());
  if (!isolated) Fail(isolated.error().message());
  for (const Mode& mode : modes) {
    for (const bool restricted : {true, false}) {
      const Medians m = KilledCycles(mode, restricted, **isolated);
      std::printf(
          "  %-22s %s token   bare %5.1f ms   bare on a workers' desktop %5.1f ms   supd %5.1f ms"
          "   %.2fx bare (target <= 1.1x)   %.2fx bare on a workers' desktop\n",
          mode.name, restricted ? "reduced" : "full   ", m.bare.count() * 1000,
          m.bare_isolated.count() * 1000, m.supd.count() * 1000, m.supd / m.bare,
          m.supd / m.bare_isolated);
      if (Quick()) return 0;  // one of each kind of cycle proves the benchmark runs to its end
    }
  }
  return 0;
}

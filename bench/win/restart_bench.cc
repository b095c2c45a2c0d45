// Restart latency (docs/performance.md: within 1.25x a bare CreateProcess + wait-for-start).
//
// A worker that signals a named event as soon as it runs and then exits at once is restarted
// over and over with zero backoff; each restart cycle is exit, exit noticed, new process created
// and started, event signalled. The baseline runs the same cycle by hand: CreateProcess with the
// same console flags, wait for the event, wait for the exit. The supervised run is the whole
// supd (Daemon: registry configuration, engine, job launcher with its job object, output capture
// pipes and the control pipe) in this process, configured under HKCU. Both are timed over the
// same number of cycles and compared per cycle, once for workers without a console
// (DETACHED_PROCESS, StopSteps without ctrl-c) and once with their own hidden console; and each
// time with the reduced token every worker gets by default (docs/security.md, "Worker identity":
// target within 1.15x bare) and with supd's full token (Restricted=0), which shows what the
// token costs.
#include <cstdio>
#include <string>

#include "bench_support.h"
#include "common/win/win32_error.h"

namespace sup::win::bench {
namespace {

int Cycles() { return FullOrQuick(40, 3); }

struct Mode {
  const char* name;
  DWORD console_flags;                   // for the baseline's CreateProcess
  std::vector<std::wstring> stop_steps;  // which give supd's launcher the same flags
};

std::wstring Suffix() { return std::to_wstring(::GetCurrentProcessId()); }

std::wstring BouncerCommand(const std::wstring& event_name) {
  return L"\"" + TestWorkerPath() + L"\" --signal-event " + event_name + L" --exit-after 0";
}

UniqueHandle StartedEvent(const std::wstring& name) {
  UniqueHandle event{::CreateEventW(nullptr, FALSE, FALSE, name.c_str())};
  if (!event) Fail(Win32Error("creating the event " + Narrow(name)).message());
  return event;
}

void WaitFor(HANDLE handle, const char* what) {
  if (::WaitForSingleObject(handle, 30'000) != WAIT_OBJECT_0)
    Fail(std::string("timed out waiting for ") + what);
}

// The limit: the same program started by hand, one after the other.
Seconds BareCycle(const Mode& mode) {
  const std::wstring event_name = L"sup-bench-bare-" + Suffix();
  UniqueHandle started = StartedEvent(event_name);
  const auto begin = std::chrono::steady_clock::now();
  for (int cycle = 0; cycle < Cycles(); ++cycle) {
    UniqueHandle process = StartProcess(BouncerCommand(event_name), nullptr, mode.console_flags);
    WaitFor(started.get(), "the worker to start");
    WaitFor(process.get(), "the worker to exit");
  }
  return (std::chrono::steady_clock::now() - begin) / Cycles();
}

// supd restarting the same program.
Seconds SupervisedCycle(const Mode& mode, bool restricted) {
  const std::wstring event_name = L"sup-bench-supd-" + Suffix();
  UniqueHandle started = StartedEvent(event_name);
  const BenchConfigKey config(L"restart");
  const std::wstring worker = config.Worker(L"bouncer");
  SetString(worker, L"Command", BouncerCommand(event_name));
  SetDword(worker, L"BackoffInitialMs", 0);
  SetDword(worker, L"StartSeconds", 0);
  SetDword(worker, L"MaxFailures", 1000);
  SetMultiString(worker, L"StopSteps", mode.stop_steps);
  SetDword(worker, L"Restricted", restricted ? 1 : 0);

  const InProcessSupd supd(config, "sup-bench-" + Narrow(Suffix()));
  WaitFor(started.get(), "the first start");
  const auto begin = std::chrono::steady_clock::now();
  for (int cycle = 0; cycle < Cycles(); ++cycle) WaitFor(started.get(), "a restart");
  return (std::chrono::steady_clock::now() - begin) / Cycles();
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
  std::printf("restart latency: worker exit to the next one running, zero backoff, %d cycles\n",
              Cycles());
  for (const Mode& mode : modes) {
    const Seconds bare = BareCycle(mode);
    const Seconds reduced = SupervisedCycle(mode, /*restricted=*/true);
    const Seconds full = SupervisedCycle(mode, /*restricted=*/false);
    std::printf(
        "  %-22s bare %6.1f ms   supd %6.1f ms   %.2fx bare (target <= 1.15x, reduced token)   "
        "full token %6.1f ms   %.2fx bare\n",
        mode.name, bare.count() * 1000, reduced.count() * 1000, reduced / bare, full.count() * 1000,
        full / bare);
  }
  return 0;
}

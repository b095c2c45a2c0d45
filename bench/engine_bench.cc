// Engine throughput with the port fakes (no I/O): how many worker events the Supervisor handles
// per second with 1000 workers, and how long a status snapshot of 200 workers takes. Budgets
// (DESIGN.md section 9) are printed as ratios: Status of 200 workers must stay under 5 ms, all
// of it, of which the engine's snapshot is one part.
#include <benchmark/benchmark.h>

#include <string>

#include "daemon/core/config_schema.h"
#include "daemon/core/status_wire.h"
#include "daemon/core/supervisor.h"
#include "engine_fakes.h"

namespace sup::core {
namespace {

using namespace std::chrono_literals;

// A supervisor with `count` workers, all RUNNING.
struct Fixture {
  explicit Fixture(int count) {
    RawConfig raw;
    for (int i = 0; i < count; ++i) {
      RawWorker& worker = raw.workers["worker-" + std::to_string(i)];
      worker.values["Command"] = RawValue::String("worker.exe --id " + std::to_string(i));
      worker.values["BackoffInitialMs"] = RawValue::Dword(0);
      worker.values["MaxFailures"] = RawValue::Dword(1000);
    }
    supervisor.ApplyConfig(ValidateConfig(raw));
    timers.Advance(1000ms);
  }

  testing::ManualClock clock;
  testing::ManualTimers timers{clock};
  testing::FakeLauncher launcher;
  testing::FakeProber prober;
  testing::FakeStateStore store;
  testing::RecordingEventSink events;
  testing::FixedRandom random;
  Supervisor supervisor{SupervisorPorts{clock, timers, launcher, prober, store, events, random}};
};

// One round: every worker crashes, backs off (0 ms), is relaunched and confirmed RUNNING again:
// 4 transitions per worker (RUNNING->BACKOFF->STARTING->RUNNING plus the exit itself).
void BM_CrashRestartCycle1000Workers(benchmark::State& state) {
  Fixture fixture(1000);
  std::int64_t events = 0;
  for (auto _ : state) {
    const std::size_t before = fixture.events.events.size();
    for (const WorkerSnapshot& worker : fixture.supervisor.Snapshot()) {
      fixture.supervisor.OnExit(worker.name, worker.pid, 1);
    }
    fixture.timers.Advance(1000ms);
    events += static_cast<std::int64_t>(fixture.events.events.size() - before);
    if (fixture.events.events.size() > 1'000'000) fixture.events.events.clear();
  }
  state.SetItemsProcessed(events);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CrashRestartCycle1000Workers)->Unit(benchmark::kMillisecond);

void BM_StatusSnapshot200Workers(benchmark::State& state) {
  Fixture fixture(200);
  for (auto _ : state) {
    sup::v1::StatusResponse status;
    for (const WorkerSnapshot& worker : fixture.supervisor.Snapshot()) {
      *status.add_workers() = ToWireStatus(worker);
    }
    benchmark::DoNotOptimize(status);
  }
  state.counters["share_of_5ms_budget"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 5e-3, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_StatusSnapshot200Workers)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sup::core

BENCHMARK_MAIN();

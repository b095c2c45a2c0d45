// Engine and protocol throughput with the port fakes (no I/O): how many worker events the
// Supervisor handles per second with 1000 workers, how long a status snapshot of 200 workers
// takes, and supd's own work per request: a Status of 200 workers through the control session
// (parse, dispatch, encode) and a health Check through the health session. Budgets
// (docs/performance.md) are printed as shares: Status of 200 workers must stay under 5 ms and
// health must answer 20 000 checks a second, all of it, of which this is supd's part (the pipe is
// the rest).
#include <benchmark/benchmark.h>

#include <string>

#include "common/config/validate.h"
#include "common/protocol.h"
#include "daemon/control/control_dispatcher.h"
#include "daemon/control/health_service.h"
#include "daemon/control/metrics.h"
#include "daemon/control/status_wire.h"
#include "daemon/engine/supervisor.h"
#include "tests/fakes/control_fakes.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::engine {
namespace {

using namespace std::chrono_literals;

// A supervisor with `count` workers, all RUNNING.
struct Fixture {
  explicit Fixture(int count) {
    config::RawConfig raw;
    for (int i = 0; i < count; ++i) {
      config::RawWorker& worker = raw.workers["worker-" + std::to_string(i)];
      worker.values["Command"] = config::RawValue::String("worker.exe --id " + std::to_string(i));
      worker.values["BackoffInitialMs"] = config::RawValue::Dword(0);
      worker.values["MaxFailures"] = config::RawValue::Dword(1000);
    }
    engine.supervisor.ApplyConfig(config::ValidateConfig(raw));
    engine.timers.Advance(1000ms);
  }

  testing::FakeEngine engine;
  Supervisor& supervisor = engine.supervisor;
  std::vector<engine::Event>& events = engine.logged.events;
};

// One round: every worker crashes, backs off (0 ms), is relaunched and confirmed RUNNING again:
// 4 transitions per worker (RUNNING->BACKOFF->STARTING->RUNNING plus the exit itself).
void BM_CrashRestartCycle1000Workers(benchmark::State& state) {
  Fixture fixture(1000);
  std::int64_t events = 0;
  for (auto _ : state) {
    const std::size_t before = fixture.events.size();
    for (const WorkerSnapshot& worker : fixture.supervisor.Snapshot()) {
      fixture.supervisor.OnExit(worker.name, worker.pid, 1);
    }
    fixture.engine.timers.Advance(1000ms);
    events += static_cast<std::int64_t>(fixture.events.size() - before);
    if (fixture.events.size() > 1'000'000) fixture.events.clear();
  }
  state.SetItemsProcessed(events);
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CrashRestartCycle1000Workers)->Unit(benchmark::kMillisecond);

void BM_StatusSnapshot200Workers(benchmark::State& state) {
  Fixture fixture(200);
  for (auto _ : state) {
    sup::v1::StatusResponse status;
    for (const WorkerSnapshot& worker : fixture.supervisor.Snapshot()) {
      *status.add_workers() = control::ToWireStatus(worker);
    }
    benchmark::DoNotOptimize(status);
  }
  state.counters["share_of_5ms_budget"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 5e-3,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_StatusSnapshot200Workers)->Unit(benchmark::kMicrosecond);

// A frame sink that only counts: the transport's part is measured under Wine (control_bench).
class CountingSink final : public control::FrameSink {
 public:
  void Send(std::string payload) override { bytes += payload.size(); }
  void End() override {}
  std::size_t bytes = 0;
};

void BM_StatusRequest200Workers(benchmark::State& state) {
  Fixture fixture(200);
  testing::FakeConfigSource config;
  control::ConfigApplier config_apply{fixture.supervisor, config};
  testing::FakeOutputSource output;
  testing::FakeResourceSource resources;
  control::ControlDispatcher dispatcher{
      control::ControlPorts{fixture.engine.clock, fixture.supervisor, config_apply, output,
                            fixture.engine.events, resources},
      control::DaemonIdentity{1, "bench", ""}};
  CountingSink sink;
  std::unique_ptr<control::Session> session =
      dispatcher.Open(sink, control::Caller{control::Role::kAdministrator, "bench"});
  sup::v1::Request request;
  request.set_protocol_version(kProtocolVersion);
  request.mutable_status();
  const std::string frame = request.SerializeAsString();
  for (auto _ : state) {
    if (!session->OnFrame(frame).ok()) state.SkipWithError("status refused");
  }
  state.counters["share_of_5ms_budget"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 5e-3,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_StatusRequest200Workers)->Unit(benchmark::kMicrosecond);

// Metrics of 200 running workers with their resources, as the textfile writer and /metrics render
// them (DESIGN budget: under 5 ms).
void BM_RenderMetrics200Workers(benchmark::State& state) {
  Fixture fixture(200);
  control::MetricsInput input;
  input.version = "bench";
  input.workers = fixture.supervisor.Snapshot();
  for (const WorkerSnapshot& worker : input.workers) {
    control::ResourceSample sample;
    sample.cpu_user = std::chrono::milliseconds(1500);
    sample.working_set_bytes = 50'000'000;
    input.resources[worker.name] = sample;
  }
  std::size_t bytes = 0;
  for (auto _ : state) bytes = control::RenderMetrics(input).size();
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["share_of_5ms_budget"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 5e-3,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_RenderMetrics200Workers)->Unit(benchmark::kMicrosecond);

void BM_HealthCheck(benchmark::State& state) {
  Fixture fixture(16);
  control::StatusBoard board;
  control::StatusPublisher publisher(fixture.supervisor, fixture.engine.events, board,
                                     [](std::function<void()> task) { task(); });
  publisher.PublishNow();
  control::HealthService health{board};
  CountingSink sink;
  std::unique_ptr<control::Session> session = health.Open(sink, control::Caller{});
  sup::v1::HealthRequest request;
  request.set_protocol_version(kProtocolVersion);
  request.mutable_check()->set_service("");
  const std::string frame = request.SerializeAsString();
  for (auto _ : state) {
    if (!session->OnFrame(frame).ok()) state.SkipWithError("check refused");
  }
  state.counters["checks_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["share_of_20k_per_s_budget"] =
      benchmark::Counter(static_cast<double>(state.iterations()) / 20000,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_HealthCheck)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace sup::engine

BENCHMARK_MAIN();

// The engine over its fakes and a manual clock, with helpers to write a configuration, apply it
// and act as the launcher would: the fixture of the Supervisor's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/config/validate.h"
#include "daemon/engine/supervisor.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::engine {

using namespace std::chrono_literals;
using Outcome = CommandResult::Outcome;

class SupervisorTest : public ::testing::Test {
 protected:
  SupervisorTest() { Recreate(); }

  // A new engine on the same fakes: what a daemon restart looks like to the engine.
  void Recreate() {
    supervisor_.reset();
    supervisor_ = std::make_unique<Supervisor>(
        SupervisorPorts{clock_, timers_, launcher_, prober_, store_, events_, random_});
  }

  config::RawWorker& Add(const std::string& name, std::string command = "worker.exe") {
    config::RawWorker& worker = raw_.workers[name];
    worker.values["Command"] = config::RawValue::String(std::move(command));
    return worker;
  }
  static void AddProbe(config::RawWorker& worker, const std::string& kind,
                       std::uint32_t failure_threshold = 3, std::uint32_t period_ms = 1000,
                       std::uint32_t initial_delay_ms = 0) {
    worker.probes[kind]["Type"] = config::RawValue::String("pipe");  // a pipe name may be any word:
    worker.probes[kind]["Target"] =
        config::RawValue::String(kind);  // FakeProber tells them apart by it
    worker.probes[kind]["PeriodMs"] = config::RawValue::Dword(period_ms);
    worker.probes[kind]["InitialDelayMs"] = config::RawValue::Dword(initial_delay_ms);
    worker.probes[kind]["FailureThreshold"] = config::RawValue::Dword(failure_threshold);
  }
  // The engine's own invariants hold after every step of every test.
  void TearDown() override {
    EXPECT_EQ(supervisor_->CheckInvariants(), std::vector<std::string>{});
  }

  config::ConfigDiff Apply() {
    // The daemon's path: read, validate against what is in force, apply.
    testing::FakeConfigSource source;
    source.raw = raw_;
    return supervisor_->ApplyConfig(*supervisor_->ReadConfig(source));
  }

  WorkerSnapshot Status(const std::string& name) { return *supervisor_->Snapshot(name); }
  WorkerState State(const std::string& name) { return Status(name).state; }
  void Exit(const std::string& name, std::int64_t code) {
    supervisor_->OnExit(name, Status(name).pid, code);
  }
  void Advance(Millis by) { timers_.Advance(by); }
  // Starts `name` and lets its StartSeconds (1 s) pass.
  void RunUntilRunning(const std::string& name) {
    Advance(1000ms);
    ASSERT_EQ(State(name), WorkerState::kRunning) << Describe(Status(name));
  }

  sup::testing::ManualClock clock_;
  sup::testing::ManualTimers timers_{clock_};
  sup::testing::FakeLauncher launcher_;
  sup::testing::FakeProber prober_;
  sup::testing::FakeStateStore store_;
  sup::testing::RecordingEventSink events_;
  sup::testing::FixedRandom random_;
  config::RawConfig raw_;
  std::unique_ptr<Supervisor> supervisor_;
};

}  // namespace sup::engine

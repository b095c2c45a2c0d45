// Fakes for the engine's ports: a manual timer queue driven by ManualClock, a launcher that
// records what it was asked, a prober whose results the test delivers, an in-memory state store
// and an event recorder. Deterministic: nothing happens unless the test makes it happen.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/control/event_feed.h"
#include "daemon/engine/ports.h"
#include "daemon/engine/supervisor.h"
#include "tests/fakes/manual_clock.h"

namespace sup::testing {

// The configuration as a reload reads it; `failure` makes the next reads fail.
class FakeConfigSource final : public config::ConfigSource {
 public:
  Result<config::RawConfig> Read() override {
    if (failure) return *failure;
    return raw;
  }
  config::RawConfig raw;
  std::optional<Error> failure;
};

class ManualTimers final : public engine::Timers {
 public:
  explicit ManualTimers(ManualClock& clock) : clock_(clock) {}

  Id Schedule(Millis delay, std::function<void()> callback) override {
    const Id id = ++last_id_;
    pending_[id] = {clock_.SteadyNow() + delay, std::move(callback)};
    return id;
  }
  void Cancel(Id id) override { pending_.erase(id); }

  // Moves the clock forward by `by`, firing each timer that falls due at its due time, earliest
  // first (ties in scheduling order). Timers scheduled by callbacks fire too if they fall due.
  void Advance(Millis by) {
    const auto target = clock_.SteadyNow() + by;
    while (true) {
      auto next = pending_.end();
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->second.due <= target &&
            (next == pending_.end() || it->second.due < next->second.due))
          next = it;
      }
      if (next == pending_.end()) break;
      if (next->second.due > clock_.SteadyNow()) {
        clock_.Advance(std::chrono::duration_cast<Millis>(next->second.due - clock_.SteadyNow()));
      }
      std::function<void()> callback = std::move(next->second.callback);
      pending_.erase(next);
      callback();
    }
    clock_.Advance(std::chrono::duration_cast<Millis>(target - clock_.SteadyNow()));
  }

  std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    std::function<void()> callback;
  };
  ManualClock& clock_;
  Id last_id_ = 0;
  std::map<Id, Pending> pending_;  // ordered by id: ties fire in scheduling order
};

class FakeLauncher final : public engine::ProcessLauncher {
 public:
  Result<engine::LaunchStarted> Launch(const std::string& worker,
                                       const LaunchConfig& launch) override {
    launches.push_back({worker, launch});
    if (launch_later) return engine::kLaunching;  // the test calls Supervisor::OnLaunched
    if (failing.contains(worker))
      return Error(ErrorKind::kNotFound, "cannot start " + launch.command);
    return engine::LaunchStarted(next_pid++);
  }
  void RequestStop(const std::string& worker, StopStep step) override {
    stop_requests.push_back({worker, step});
  }
  void Kill(const std::string& worker) override { kills.push_back(worker); }
  void Forget(const std::string& worker) override { forgotten.push_back(worker); }
  std::optional<std::uint64_t> WorkingSetBytes(const std::string& worker) override {
    ++working_set_reads;
    const auto found = working_sets.find(worker);
    if (found == working_sets.end()) return std::nullopt;
    return found->second;
  }

  std::size_t LaunchCount(const std::string& worker) const {
    std::size_t count = 0;
    for (const auto& [name, launch] : launches) count += name == worker;
    return count;
  }

  std::vector<std::pair<std::string, LaunchConfig>> launches;
  std::vector<std::pair<std::string, StopStep>> stop_requests;
  std::vector<std::string> kills;
  std::vector<std::string> forgotten;
  std::set<std::string> failing;
  bool launch_later = false;  // every start goes on elsewhere (kLaunching)
  std::uint32_t next_pid = 1000;
  std::map<std::string, std::uint64_t> working_sets;  // what WorkingSetBytes says; none: nullopt
  std::size_t working_set_reads = 0;
};

// Probe calls wait until the test completes them; the probe's Target tells them apart.
class FakeProber final : public engine::Prober {
 public:
  void Run(const std::string& worker, const ProbeConfig& probe,
           std::function<void(engine::ProbeResult)> done) override {
    calls.push_back({worker, probe.target, std::move(done)});
  }

  // Completes the oldest pending call of `worker` with `target`; false if there is none.
  bool Complete(const std::string& worker, const std::string& target, bool success) {
    for (auto it = calls.begin(); it != calls.end(); ++it) {
      if (it->worker == worker && it->target == target) {
        auto done = std::move(it->done);
        calls.erase(it);
        done({success, success ? "" : "probe failed"});
        return true;
      }
    }
    return false;
  }
  // Completes every pending call, in order.
  void CompleteAll(bool success) {
    std::vector<Call> pending = std::move(calls);
    calls.clear();
    for (Call& call : pending) call.done({success, success ? "" : "probe failed"});
  }
  std::size_t Pending(const std::string& worker, const std::string& target) const {
    std::size_t count = 0;
    for (const Call& call : calls) count += call.worker == worker && call.target == target;
    return count;
  }

  struct Call {
    std::string worker;
    std::string target;
    std::function<void(engine::ProbeResult)> done;
  };
  std::vector<Call> calls;
};

class FakeStateStore final : public config::StateStore {
 public:
  std::set<std::string> LoadStoppedByOperator() override { return stopped; }
  Result<void> SetStoppedByOperator(const std::string& worker, bool is_stopped) override {
    if (failing) return Error(ErrorKind::kUnavailable, "access denied");
    if (is_stopped) {
      stopped.insert(worker);
    } else {
      stopped.erase(worker);
    }
    return Ok();
  }
  bool failing = false;
  std::set<std::string> stopped;
};

class RecordingEventSink final : public engine::EventSink {
 public:
  void Emit(const engine::Event& event) override { events.push_back(event); }
  std::vector<engine::Event> events;
};

class FixedRandom final : public engine::RandomSource {
 public:
  double NextUnit() override { return value; }
  double value = 0.5;  // the middle of the jitter range: no jitter
};

// Every port of the engine faked, and a Supervisor over them, its events going through a feed
// (as in supd) into a recorder: the whole world of a fuzzer or a benchmark.
struct FakeEngine {
  ManualClock clock;
  ManualTimers timers{clock};
  FakeLauncher launcher;
  FakeProber prober;
  FakeStateStore store;
  RecordingEventSink logged;
  control::EventFeed events{logged};
  FixedRandom random;
  engine::Supervisor supervisor{
      engine::SupervisorPorts{clock, timers, launcher, prober, store, events, random}};
};

}  // namespace sup::testing

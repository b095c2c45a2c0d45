#include "engine_model.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "common/config/validate.h"
#include "daemon/engine/supervisor.h"
#include "tests/fakes/engine_fakes.h"

namespace sup::model {
namespace {

using config::RawValue;
using namespace std::chrono_literals;

const std::vector<std::string> kNames = {"a", "b", "c", "d", "e"};
constexpr std::uint32_t kProbePortBase = 41000;

// A probe's target says which kind it is, so the model's steps can name the kind.
std::string ProbeTarget(std::uint32_t kind) {
  return "127.0.0.1:" + std::to_string(kProbePortBase + kind);
}

template <typename T>
const T& Pick(Choices& choices, const std::vector<T>& items) {
  return items[choices.Below(static_cast<std::uint32_t>(items.size()))];
}

// A configuration from the space the engine must cope with: workers come and go, change their
// command, policy and probes, get disabled, and depend on each other, on themselves, in cycles
// and on workers that do not exist; now and then one is invalid outright.
config::RawConfig RandomConfig(Choices& c) {
  config::RawConfig raw;
  for (const std::string& name : kNames) {
    if (c.OneIn(5)) continue;
    config::RawWorker& w = raw.workers[name];
    if (c.OneIn(15)) {
      w.values["Command"] = config::RawValue::Dword(1);  // invalid
    } else {
      w.values["Command"] = config::RawValue::String(name + (c.OneIn(3) ? "-v2.exe" : ".exe"));
    }
    if (c.OneIn(8)) w.values["Enabled"] = config::RawValue::Dword(0);
    std::vector<std::string> depends_on;
    for (const std::string other : {"a", "b", "c", "d", "e", "zz"}) {
      if (c.OneIn(other < name ? 3 : 12)) depends_on.push_back(other);  // mostly acyclic
    }
    if (!depends_on.empty()) w.values["DependsOn"] = config::RawValue::MultiString(depends_on);
    w.values["Restart"] = config::RawValue::String(
        Pick(c, std::vector<std::string>{"always", "always", "always", "on-failure", "never"}));
    w.values["StartSeconds"] = config::RawValue::Dword(c.Below(2));
    w.values["BackoffInitialMs"] = config::RawValue::Dword(100 * c.Below(5));
    w.values["BackoffMaxMs"] = config::RawValue::Dword(2000);
    w.values["StableAfterMs"] = config::RawValue::Dword(2000);
    w.values["MaxFailures"] = config::RawValue::Dword(1 + c.Below(5));
    w.values["FailureWindowMs"] = config::RawValue::Dword(10000);
    w.values["FailedRetryMs"] = config::RawValue::Dword(c.OneIn(3) ? 0 : 3000);
    w.values["StopSteps"] = config::RawValue::MultiString(Pick(
        c, std::vector<std::vector<std::string>>{{"event", "terminate"},
                                                 {"terminate"},
                                                 {"ctrl-c", "close", "terminate"},
                                                 {"event", "ctrl-c", "close", "terminate"}}));
    w.values["StopTimeoutMs"] =
        config::RawValue::Dword(Pick(c, std::vector<std::uint32_t>{0, 300, 3000}));
    if (c.OneIn(4)) {
      w.values["Notify"] = config::RawValue::Dword(1);
      w.values["StartTimeoutMs"] =
          config::RawValue::Dword(Pick(c, std::vector<std::uint32_t>{0, 2000, 10000}));
    }
    // Beats come at least every second once processes cooperate (SettleCooperatively).
    if (c.OneIn(4))
      w.values["WatchdogMs"] =
          config::RawValue::Dword(Pick(c, std::vector<std::uint32_t>{1500, 4000}));
    if (c.OneIn(3)) {
      w.values["MemoryRestartMB"] = config::RawValue::Dword(100);
      w.values["MemoryCheckMs"] = config::RawValue::Dword(100 + 100 * c.Below(10));
    }
    for (std::uint32_t kind = 0; kind < 3; ++kind) {
      if (!c.OneIn(3)) continue;
      config::RawValues& probe = w.probes[std::string(kProbeKindNames[kind])];
      probe["Type"] = config::RawValue::String("tcp");
      probe["Target"] = config::RawValue::String(ProbeTarget(kind));
      probe["PeriodMs"] = config::RawValue::Dword(100 + 100 * c.Below(20));
      probe["InitialDelayMs"] = config::RawValue::Dword(100 * c.Below(5));
      probe["FailureThreshold"] = config::RawValue::Dword(1 + c.Below(3));
      probe["SuccessThreshold"] = config::RawValue::Dword(1 + c.Below(2));
    }
  }
  return raw;
}

std::vector<std::string> RandomTargets(Choices& c) {
  if (c.OneIn(5)) return {};  // all
  std::vector<std::string> targets{Pick(c, kNames)};
  if (c.OneIn(3)) targets.push_back(c.OneIn(4) ? std::string("zz") : Pick(c, kNames));
  return targets;
}

Step RandomStep(Choices& c) {
  Step step;
  const std::uint32_t roll = c.Below(78);
  if (roll < 4) {
    step.kind = Step::Kind::kReload;
    step.config = RandomConfig(c);
  } else if (roll < 8) {
    step.kind = Step::Kind::kStart;
    step.workers = RandomTargets(c);
  } else if (roll < 12) {
    step.kind = Step::Kind::kStop;
    step.workers = RandomTargets(c);
  } else if (roll < 18) {
    step.kind = Step::Kind::kRestart;
    step.workers = RandomTargets(c);
  } else if (roll < 20) {
    step.kind = Step::Kind::kReset;
    step.workers = RandomTargets(c);
  } else if (roll < 32) {
    step.kind = Step::Kind::kExit;
    step.workers = {Pick(c, kNames)};
    step.number = Pick(c, std::vector<std::int64_t>{0, 0, 1, 0xC0000005});
  } else if (roll < 34) {
    step.kind = Step::Kind::kSpawnFailure;
    step.workers = {Pick(c, kNames)};
    step.number = c.Below(2);
  } else if (roll < 46) {
    step.kind = Step::Kind::kProbe;
    step.workers = {Pick(c, kNames)};
    step.number = c.Below(3);
    step.success = !c.OneIn(3);
  } else if (roll < 59) {
    step.kind = Step::Kind::kAdvance;
    step.number = Pick(c, std::vector<std::int64_t>{0, 50, 300, 1000, 1000, 5000, 60000});
  } else if (roll < 61) {
    // A worker's starts go on elsewhere from now on (1) or not (0), or (2) the one under way
    // ends, as the launcher would report it.
    step.kind = Step::Kind::kSlowLaunch;
    step.workers = {Pick(c, kNames)};
    step.number = Pick(c, std::vector<std::int64_t>{0, 1, 2, 2});
  } else if (roll < 64) {
    // The working set the worker's job shows from now on (MiB; -1: unreadable), or (-2) its job
    // reaching MemoryLimitMB.
    step.kind = Step::Kind::kMemory;
    step.workers = {Pick(c, kNames)};
    step.number = Pick(c, std::vector<std::int64_t>{50, 150, 150, -1, -2});
  } else if (roll < 66) {
    // The worker's processes heed only terminate from now on (1), or every stop step (0): the
    // ladder must reach its end.
    step.kind = Step::Kind::kDeaf;
    step.workers = {Pick(c, kNames)};
    step.number = c.Below(2);
  } else if (roll < 68) {
    // An earlier process of the worker reports its exit late, with this code: a stale pid.
    step.kind = Step::Kind::kLateExit;
    step.workers = {Pick(c, kNames)};
    step.number = Pick(c, std::vector<std::int64_t>{0, 1});
  } else if (roll < 70) {
    step.kind = Step::Kind::kRestartSupd;  // supd ends and starts again over its state store
  } else if (roll < 72) {
    // The last stop step sent to the worker's process did not reach it (a console that could not
    // be attached); the process may be an earlier one by now.
    step.kind = Step::Kind::kUndelivered;
    step.workers = {Pick(c, kNames)};
  } else {
    // The worker's process, or (one time in five) its earlier one, says something.
    step.kind = Step::Kind::kNotify;
    step.workers = {Pick(c, kNames)};
    step.number = c.Below(4) + (c.OneIn(5) ? 4 : 0);
  }
  return step;
}

std::string Join(const std::vector<std::string>& items, const char* separator = ",") {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// The launcher as the model sees processes: which are alive, and a check at every launch.
class ModelLauncher final : public engine::ProcessLauncher {
 public:
  Result<engine::LaunchStarted> Launch(const std::string& worker,
                                       const LaunchConfig& launch) override {
    if (on_launch) on_launch(worker, launch);
    if (slow.contains(worker)) {  // ends at a "launch ends" step
      launching.insert(worker);
      return engine::kLaunching;
    }
    if (failing.contains(worker)) return Error(ErrorKind::kNotFound, "cannot start " + worker);
    const std::uint32_t pid = next_pid++;
    alive[worker] = pid;
    asked_to_stop.erase(worker);
    return engine::LaunchStarted(pid);
  }
  // A stop reaches only a process that is there (not a start under way): the engine repeats it.
  void RequestStop(const std::string& worker, StopStep step) override {
    const auto process = alive.find(worker);
    if (process == alive.end()) return;
    last_step[worker] = {process->second, step};
    ++steps_sent[worker];
    if (!deaf.contains(worker)) asked_to_stop.insert(worker);
  }
  void Kill(const std::string& worker) override {
    const auto process = alive.find(worker);
    if (process == alive.end()) return;
    last_step[worker] = {process->second, StopStep::kTerminate};
    ++steps_sent[worker];
    asked_to_stop.insert(worker);
  }
  void Forget(const std::string& worker) override {
    if (on_forget) on_forget(worker);
  }
  std::optional<std::uint64_t> WorkingSetBytes(const std::string& worker) override {
    const auto found = working_sets.find(worker);
    if (found == working_sets.end()) return std::nullopt;
    return found->second;
  }

  std::function<void(const std::string&, const LaunchConfig&)> on_launch;
  std::function<void(const std::string&)> on_forget;
  std::map<std::string, std::uint32_t> alive;
  std::set<std::string> failing;
  std::set<std::string> slow;           // their starts go on elsewhere (a held image, on Windows)
  std::set<std::string> launching;      // starts under way
  std::set<std::string> asked_to_stop;  // live processes a stop step or a kill reached
  std::set<std::string> deaf;           // their processes heed only a kill (terminate)
  // The last stop step (a kill: terminate) sent to each worker's live process, with its pid.
  std::map<std::string, std::pair<std::uint32_t, StopStep>> last_step;
  std::map<std::string, int> steps_sent;  // stop steps and kills that reached a live process
  std::uint32_t next_pid = 100;
  std::map<std::string, std::uint64_t> working_sets;  // set by the schedule's memory steps
};

// One run of a schedule: the engine, its fakes, and what the model remembers between steps.
class Run {
 public:
  Run() {
    launcher_.on_launch = [this](const std::string& worker, const LaunchConfig& launch) {
      CheckLaunch(worker, launch);
      remembered_.insert(worker);
    };
    launcher_.on_forget = [this](const std::string& worker) {
      CheckForget(worker);
      remembered_.erase(worker);
      operator_stopped_.erase(worker);  // gone: what comes back under its name is a new worker
    };
  }

  std::unique_ptr<engine::Supervisor> NewSupervisor() {
    return std::make_unique<engine::Supervisor>(
        engine::SupervisorPorts{clock_, timers_, launcher_, prober_, store_, events_, random_});
  }

  // supd ends and the SCM starts it again (a crash, a restart): every process dies with its job,
  // and a new engine over the same state store reads the configuration again. Operator stops
  // survive (the shadow keeps expecting them); nothing else of the old engine does.
  void RestartSupd() {
    launcher_.alive.clear();
    launcher_.launching.clear();
    launcher_.asked_to_stop.clear();
    launcher_.last_step.clear();
    prober_.calls.clear();  // their callbacks are the old engine's
    supervisor_.reset();
    supervisor_ = NewSupervisor();
    shutting_down_ = shutdown_done_ = false;
    restart_pending_.clear();
    remembered_.clear();
    ended_pids_.clear();
    event_state_.clear();  // the new engine's workers begin STOPPED
    events_seen_ = events_.events.size();
    if (last_config_) Reload(*last_config_);
  }

  // A reload of `raw`, as supd's registry watch makes it.
  void Reload(const config::RawConfig& raw) {
    restart_pending_.clear();
    last_config_ = raw;
    testing::FakeConfigSource source;
    source.raw = raw;
    Result<ValidatedConfig> read = supervisor_->ReadConfig(source);
    // What a launch must carry from now on: each valid new definition's; a worker whose new
    // definition is invalid keeps the one in force; a worker left out has none.
    for (auto it = intended_launch_.begin(); it != intended_launch_.end();) {
      it = raw.workers.contains(it->first) ? std::next(it) : intended_launch_.erase(it);
    }
    for (const auto& [name, worker] : read->workers) intended_launch_[name] = worker.launch;
    configured_.clear();
    for (const auto& [name, worker] : raw.workers) configured_.insert(name);
    // Operator intent is the engine's to keep only for workers still configured.
    for (auto it = operator_stopped_.begin(); it != operator_stopped_.end();) {
      it = raw.workers.contains(it->first) ? std::next(it) : operator_stopped_.erase(it);
    }
    supervisor_->ApplyConfig(*read);
  }

  std::optional<std::string> Execute(const std::vector<Step>& schedule) {
    bool settled_before_shutdown = false;
    for (std::size_t i = 0; i < schedule.size() && !violation_; ++i) {
      step_ = "step " + std::to_string(i) + " (" + schedule[i].ToString() + ")";
      if (schedule[i].kind == Step::Kind::kShutdown && !shutting_down_) {
        SettleCooperatively();  // nothing may be stuck before supd stops
        CheckNothingStuck();
        settled_before_shutdown = true;
      }
      Apply(schedule[i]);
      CheckAfterStep();
    }
    step_ = "the end";
    if (!settled_before_shutdown && !violation_) {
      SettleCooperatively();
      CheckNothingStuck();
    }
    if (shutting_down_ && !violation_) {
      SettleCooperatively();
      if (!launcher_.alive.empty())
        Fail("after shutdown a process is still alive: " + launcher_.alive.begin()->first);
      if (!launcher_.launching.empty())
        Fail("after shutdown a start is still under way: " + *launcher_.launching.begin());
      if (!shutdown_done_) Fail("shutdown never reported that it was done");
    }
    return violation_;
  }

 private:
  void Fail(const std::string& what) {
    if (!violation_) violation_ = what + "\n    at " + step_;
  }

  void Apply(const Step& step) {
    const std::string worker = step.workers.empty() ? std::string() : step.workers.front();
    switch (step.kind) {
      case Step::Kind::kReload: Reload(step.config); return;
      case Step::Kind::kRestartSupd: RestartSupd(); return;
      case Step::Kind::kStart:
        NoteOperatorIntent(supervisor_->Start(step.workers), /*stopped=*/false);
        return;
      case Step::Kind::kStop:
        restart_pending_.clear();
        NoteOperatorIntent(supervisor_->Stop(step.workers), /*stopped=*/true);
        return;
      case Step::Kind::kRestart: {
        const std::vector<engine::CommandResult> results = supervisor_->Restart(step.workers);
        for (const engine::CommandResult& result : results) {
          if (result.outcome == engine::CommandResult::Outcome::kDone &&
              !restart_pending_.contains(result.worker)) {
            restart_pending_[result.worker] = result.launches;
          }
        }
        NoteOperatorIntent(results, /*stopped=*/false);
        return;
      }
      case Step::Kind::kReset: supervisor_->Reset(step.workers); return;
      case Step::Kind::kExit: Exit(worker, step.number); return;
      case Step::Kind::kSpawnFailure:
        if (step.number) {
          launcher_.failing.insert(worker);
        } else {
          launcher_.failing.erase(worker);
        }
        return;
      case Step::Kind::kProbe:
        prober_.Complete(worker, ProbeTarget(static_cast<std::uint32_t>(step.number)),
                         step.success);
        return;
      case Step::Kind::kAdvance: timers_.Advance(Millis(step.number)); return;
      case Step::Kind::kSlowLaunch:
        if (step.number == 2) {
          EndLaunch(worker);
        } else if (step.number == 1) {
          launcher_.slow.insert(worker);
        } else {
          launcher_.slow.erase(worker);
        }
        return;
      case Step::Kind::kMemory:
        if (step.number == -2) {
          if (const auto alive = launcher_.alive.find(worker); alive != launcher_.alive.end())
            supervisor_->OnMemoryLimit(worker, alive->second);
        } else if (step.number == -1) {
          launcher_.working_sets.erase(worker);
        } else {
          launcher_.working_sets[worker] = static_cast<std::uint64_t>(step.number) << 20;
        }
        return;
      case Step::Kind::kDeaf:
        if (step.number) {
          launcher_.deaf.insert(worker);
        } else {
          launcher_.deaf.erase(worker);
        }
        return;
      case Step::Kind::kUndelivered: {
        const auto sent = launcher_.last_step.find(worker);
        if (sent == launcher_.last_step.end()) return;
        const auto [pid, stop_step] = sent->second;
        if (stop_step == StopStep::kTerminate) return;  // a kill is never reported undelivered
        // It never reached the process: only a later step can stop it (if it is still that one).
        const auto alive = launcher_.alive.find(worker);
        const bool current = alive != launcher_.alive.end() && alive->second == pid;
        if (current) launcher_.asked_to_stop.erase(worker);
        bool stopping = false;
        for (const engine::WorkerSnapshot& s : supervisor_->Snapshot())
          stopping = stopping || (s.name == worker && s.state == WorkerState::kStopping);
        const int sent_before = launcher_.steps_sent[worker];
        supervisor_->OnStopStepUndelivered(worker, pid, stop_step);
        // The ladder moves on at once, not after the step's timeout: the next step or the kill.
        if (current && stopping && launcher_.steps_sent[worker] == sent_before)
          Fail(worker + "'s stop did not move on when its last step was reported undelivered");
        return;
      }
      case Step::Kind::kNotify: Notify(worker, step.number); return;
      case Step::Kind::kLateExit:
        if (const auto ended = ended_pids_.find(worker); ended != ended_pids_.end())
          supervisor_->OnExit(worker, ended->second, step.number);
        return;
      case Step::Kind::kShutdown:
        if (shutting_down_) return;
        shutting_down_ = true;
        restart_pending_.clear();
        supervisor_->Shutdown([this] {
          if (shutdown_done_) Fail("shutdown reported done twice");
          shutdown_done_ = true;
        });
        return;
    }
  }

  // The shadow of what operators asked: a worker named in an accepted stop is operator-stopped
  // until an accepted start or restart names it. Dependents taken down with it are not, nor is a
  // worker the last reload left out (on its way out, it comes back as a new worker).
  void NoteOperatorIntent(const std::vector<engine::CommandResult>& results, bool stopped) {
    for (const engine::CommandResult& result : results) {
      if (result.ok() && result.dependency_of.empty() && configured_.contains(result.worker))
        operator_stopped_[result.worker] = stopped;
    }
  }

  // `number` as in Step::kNotify: what the worker's current process (or its earlier one) says.
  void Notify(const std::string& worker, std::int64_t number) {
    const bool earlier = number >= 4;
    const auto& pids = earlier ? ended_pids_ : launcher_.alive;
    const auto process = pids.find(worker);
    if (process == pids.end()) return;
    const auto kind = static_cast<NotifyKind>(number % 4);
    if (kind == NotifyKind::kReady && !earlier) said_ready_[worker] = process->second;
    supervisor_->OnNotify(worker, process->second,
                          NotifyMessage{kind, kind == NotifyKind::kStatus ? "step" : ""});
  }

  void Exit(const std::string& worker, std::int64_t code) {
    const auto alive = launcher_.alive.find(worker);
    if (alive == launcher_.alive.end()) return;
    const std::uint32_t pid = alive->second;
    launcher_.alive.erase(alive);
    ended_pids_[worker] = pid;
    supervisor_->OnExit(worker, pid, code);
  }

  // The start under way ends: a process, or a spawn error if its starts fail now.
  void EndLaunch(const std::string& worker) {
    if (!launcher_.launching.erase(worker)) return;
    if (launcher_.failing.contains(worker)) {
      supervisor_->OnLaunched(worker, Error(ErrorKind::kNotFound, "cannot start " + worker));
      return;
    }
    const std::uint32_t pid = launcher_.next_pid++;
    launcher_.alive[worker] = pid;
    launcher_.asked_to_stop.erase(worker);
    supervisor_->OnLaunched(worker, pid);
  }

  // No worker is launched while its process is alive, while a dependency is neither running and
  // ready nor done, or once supd is stopping.
  void CheckLaunch(const std::string& worker, const LaunchConfig& launch) {
    // It carries the definition the model applied last, not an older one.
    if (const auto intended = intended_launch_.find(worker); intended == intended_launch_.end()) {
      Fail(worker + " launched though no definition of it was ever valid");
    } else if (launch != intended->second) {
      Fail(worker + " launched with another definition than the one in force (command " +
           launch.command + ", in force " + intended->second.command + ")");
    }
    if (launcher_.alive.contains(worker)) Fail(worker + " launched while its process is alive");
    if (launcher_.launching.contains(worker))
      Fail(worker + " launched while its previous start is under way");
    if (shutting_down_) Fail(worker + " launched while supd is stopping");
    const std::map<std::string, WorkerConfig> definitions = supervisor_->DefinitionsInForce();
    const auto definition = definitions.find(worker);
    if (definition == definitions.end()) {
      Fail(worker + " launched without a definition in force");
      return;
    }
    for (const std::string& dependency : definition->second.policy.depends_on) {
      const std::optional<engine::WorkerSnapshot> d = supervisor_->Snapshot(dependency);
      if (!d || !engine::IsServing(*d)) {
        Fail(worker + " launched while its dependency " + dependency +
             " is neither RUNNING and ready nor done");
      }
    }
  }

  // A worker is forgotten (its capture released) only once it has left the configuration and
  // its process is gone.
  void CheckForget(const std::string& worker) {
    if (launcher_.alive.contains(worker)) Fail(worker + " forgotten while its process is alive");
    if (launcher_.launching.contains(worker))
      Fail(worker + " forgotten while its start is under way");
    if (supervisor_->DefinitionsInForce().contains(worker))
      Fail(worker + " forgotten while it is still configured");
  }

  // The events tell the states as they went: each transition starts where the worker's last one
  // ended (a worker's first, from STOPPED), changes something, and the last one is where the
  // worker is now.
  void CheckEvents(const std::vector<engine::WorkerSnapshot>& snapshots) {
    for (; events_seen_ < events_.events.size(); ++events_seen_) {
      const engine::Event& event = events_.events[events_seen_];
      if (event.kind != engine::EventKind::kTransition) continue;
      if (event.from == WorkerState::kStarting && event.to == WorkerState::kRunning) {
        const std::map<std::string, WorkerConfig> definitions = supervisor_->DefinitionsInForce();
        const auto definition = definitions.find(event.worker);
        const auto ready = said_ready_.find(event.worker);
        if (definition != definitions.end() && definition->second.policy.notify &&
            (ready == said_ready_.end() || ready->second != event.pid)) {
          Fail(event.worker + " (Notify=1) is RUNNING though its process " +
               std::to_string(event.pid) + " never said READY=1");
        }
      }
      const auto last = event_state_.find(event.worker);
      const WorkerState from = last == event_state_.end() ? WorkerState::kStopped : last->second;
      if (event.from != from) {
        Fail("an event takes " + event.worker + " from " +
             std::string(NameOf(event.from, kWorkerStateNames)) + ", but its last event left it " +
             std::string(NameOf(from, kWorkerStateNames)));
      }
      event_state_[event.worker] = event.to;
    }
    for (const engine::WorkerSnapshot& s : snapshots) {
      const auto last = event_state_.find(s.name);
      const WorkerState told = last == event_state_.end() ? WorkerState::kStopped : last->second;
      if (told != s.state) {
        Fail(s.name + " is " + std::string(NameOf(s.state, kWorkerStateNames)) +
             " but its events last said " + std::string(NameOf(told, kWorkerStateNames)));
      }
    }
    // A worker gone from the engine starts again from STOPPED if it comes back.
    for (auto it = event_state_.begin(); it != event_state_.end();) {
      const bool listed =
          std::any_of(snapshots.begin(), snapshots.end(),
                      [&](const engine::WorkerSnapshot& s) { return s.name == it->first; });
      it = listed ? std::next(it) : event_state_.erase(it);
    }
  }

  void CheckAfterStep() {
    for (const std::string& broken : supervisor_->CheckInvariants()) Fail(broken);
    // The snapshot agrees with the processes: a pid exactly while one is alive.
    const std::vector<engine::WorkerSnapshot> snapshots = supervisor_->Snapshot();
    CheckEvents(snapshots);
    std::set<std::string> listed;
    for (const engine::WorkerSnapshot& s : snapshots) {
      listed.insert(s.name);
      const auto alive = launcher_.alive.find(s.name);
      const std::uint32_t pid = alive == launcher_.alive.end() ? 0 : alive->second;
      if (s.pid != pid) {
        Fail(s.name + " shows pid " + std::to_string(s.pid) + " while its live process is " +
             std::to_string(pid));
      }
      if (s.done && s.state != WorkerState::kExited) Fail(s.name + " is done but not EXITED");
    }
    for (const auto& [worker, pid] : launcher_.alive) {
      if (!listed.contains(worker)) Fail(worker + " has a live process but is not in the status");
    }
    if (shutdown_done_ && !launcher_.alive.empty())
      Fail("shutdown reported done with processes alive");
  }

  // Processes cooperate from now on: they start, pass their probes and stop when asked; time
  // passes well beyond every backoff, retry and probe period; their memory stays within bounds.
  void SettleCooperatively() {
    launcher_.failing.clear();
    launcher_.working_sets.clear();
    launcher_.slow.clear();
    // 80 s: enough for a chain of five dependencies to come up one after another, each through
    // its start, its readiness probe's thresholds, and a breaker retry.
    for (int round = 0; round < 80 && !violation_; ++round) {
      for (const std::string& worker : std::set<std::string>(launcher_.launching))
        EndLaunch(worker);
      for (const engine::WorkerSnapshot& s : supervisor_->Snapshot()) {
        // A process stops when a stop step or a kill reached it.
        if (s.state == WorkerState::kStopping && launcher_.asked_to_stop.contains(s.name))
          Exit(s.name, 0);
      }
      prober_.CompleteAll(true);
      for (const auto& [worker, pid] : std::map<std::string, std::uint32_t>(launcher_.alive)) {
        Notify(worker, static_cast<int>(NotifyKind::kReady));
        Notify(worker, static_cast<int>(NotifyKind::kWatchdog));
      }
      timers_.Advance(1000ms);
      CheckAfterStep();
    }
  }

  // A worker that should run and whose dependencies run is running (or has ended as its policy
  // says), and every accepted restart has led to a new launch once its dependencies allowed.
  void CheckNothingStuck() {
    const std::map<std::string, WorkerConfig> definitions = supervisor_->DefinitionsInForce();
    auto dependencies_run = [&](const std::string& worker) {
      const auto definition = definitions.find(worker);
      if (definition == definitions.end()) return false;
      for (const std::string& dependency : definition->second.policy.depends_on) {
        const std::optional<engine::WorkerSnapshot> d = supervisor_->Snapshot(dependency);
        if (!d || !engine::IsServing(*d)) return false;
      }
      return true;
    };
    for (const engine::WorkerSnapshot& s : supervisor_->Snapshot()) {
      if (!s.wanted || !dependencies_run(s.name)) continue;
      const bool at_rest = s.state == WorkerState::kRunning || s.state == WorkerState::kExited ||
                           (s.state == WorkerState::kFailed && !s.next_restart_in);
      if (!at_rest) {
        std::string dependencies;
        for (const std::string& dependency : definitions.at(s.name).policy.depends_on) {
          dependencies +=
              " " + dependency + ": " + Describe(*supervisor_->Snapshot(dependency)) + ";";
        }
        Fail(s.name + " should run and its dependencies run, but it is " + Describe(s) + " (" +
             dependencies + " )");
      }
    }
    for (const std::string& worker : remembered_) {
      if (!definitions.contains(worker) && !launcher_.alive.contains(worker))
        Fail(worker + " left the configuration, its process is gone, but it was never forgotten");
    }
    // Every operator's wish was honoured: a worker stopped stays down, one started is not held
    // down by an old stop.
    for (const auto& [worker, stopped] : operator_stopped_) {
      const std::optional<engine::WorkerSnapshot> s = supervisor_->Snapshot(worker);
      if (!s) continue;
      if (stopped && (!s->stopped_by_operator || s->state != WorkerState::kStopped || s->pid != 0))
        Fail(worker + " was stopped by an operator but is " + Describe(*s) + " (held " +
             (s->stopped_by_operator ? "yes" : "no") + ", pid " + std::to_string(s->pid) +
             ", state " + std::to_string(static_cast<int>(s->state)) + ", config " +
             (s->has_config ? "yes" : "no") + ")");
      if (!stopped && s->stopped_by_operator)
        Fail(worker + " was started by an operator but is still held as operator-stopped");
    }
    for (const auto& [worker, launches] : restart_pending_) {
      const std::optional<engine::WorkerSnapshot> s = supervisor_->Snapshot(worker);
      if (s && s->wanted && dependencies_run(worker) && s->launches <= launches) {
        Fail("the restart of " + worker + " was accepted but never launched it: " + Describe(*s));
      }
    }
  }

  testing::ManualClock clock_;
  testing::ManualTimers timers_{clock_};
  ModelLauncher launcher_;
  testing::FakeProber prober_;
  testing::FakeStateStore store_;
  testing::RecordingEventSink events_;
  testing::FixedRandom random_;
  std::unique_ptr<engine::Supervisor> supervisor_ = NewSupervisor();

  std::string step_;
  std::optional<std::string> violation_;
  bool shutting_down_ = false;
  bool shutdown_done_ = false;
  std::map<std::string, std::uint64_t> restart_pending_;  // worker -> launches when accepted
  std::set<std::string> remembered_;                      // launched, and not forgotten since
  std::map<std::string, LaunchConfig> intended_launch_;   // the launch of each definition applied
  std::map<std::string, bool> operator_stopped_;          // the operators' last word, by worker
  std::set<std::string> configured_;                      // in the last reload, valid or not
  std::optional<config::RawConfig> last_config_;
  std::size_t events_seen_ = 0;                     // of events_.events, checked so far
  std::map<std::string, WorkerState> event_state_;  // where each worker's events left it     // the
                                                    // last reload's, read again by a new supd
  std::map<std::string, std::uint32_t> ended_pids_;  // each worker's last process that ended
  std::map<std::string, std::uint32_t> said_ready_;  // each worker's last process that said READY
};

}  // namespace

std::uint64_t Mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint32_t SeededChoices::Below(std::uint32_t bound) {
  // splitmix64: small, fast, and the same on every platform.
  state_ += 0x9E3779B97F4A7C15ULL;
  return static_cast<std::uint32_t>(Mix64(state_) % bound);
}

std::uint32_t ByteChoices::Below(std::uint32_t bound) {
  if (used_ >= size_) return 0;
  return data_[used_++] % bound;
}

std::string Step::ToString() const {
  switch (kind) {
    case Kind::kReload: {
      std::string text = "reload";
      for (const auto& [name, worker] : config.workers) {
        text += " " + name + "{";
        std::vector<std::string> values;
        for (const auto& [key, value] : worker.values)
          values.push_back(key + "=" + config::DescribeRawValue(value));
        for (const auto& [probe, probe_values] : worker.probes) {
          std::vector<std::string> parts;
          for (const auto& [key, value] : probe_values)
            parts.push_back(key + "=" + config::DescribeRawValue(value));
          values.push_back(probe + "{" + Join(parts) + "}");
        }
        text += Join(values, " ") + "}";
      }
      return text;
    }
    case Kind::kStart: return "start " + (workers.empty() ? "all" : Join(workers));
    case Kind::kStop: return "stop " + (workers.empty() ? "all" : Join(workers));
    case Kind::kRestart: return "restart " + (workers.empty() ? "all" : Join(workers));
    case Kind::kReset: return "reset " + (workers.empty() ? "all" : Join(workers));
    case Kind::kExit: return "exit " + workers.front() + " code " + std::to_string(number);
    case Kind::kSpawnFailure:
      return std::string(number ? "spawn fails for " : "spawn works for ") + workers.front();
    case Kind::kProbe:
      return std::string(kProbeKindNames[number]) + " probe of " + workers.front() +
             (success ? " passes" : " fails");
    case Kind::kAdvance: return "advance " + std::to_string(number) + " ms";
    case Kind::kSlowLaunch:
      if (number == 2) return "the start of " + workers.front() + " under way ends";
      return "starts of " + workers.front() + (number ? " go on elsewhere" : " end at once");
    case Kind::kMemory:
      if (number == -2) return workers.front() + "'s job reaches its memory limit";
      if (number == -1) return workers.front() + "'s working set cannot be read";
      return workers.front() + "'s working set is " + std::to_string(number) + " MiB";
    case Kind::kShutdown: return "shutdown";
    case Kind::kDeaf:
      return workers.front() + (number ? " heeds only terminate" : " heeds every stop step");
    case Kind::kRestartSupd: return "supd restarts";
    case Kind::kNotify: {
      static constexpr const char* kSaid[] = {"READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=step"};
      return (number >= 4 ? "an earlier process of " : "") + workers.front() + " says " +
             kSaid[number % 4];
    }
    case Kind::kUndelivered:
      return "the last stop step sent to " + workers.front() + " did not reach it";
    case Kind::kLateExit:
      return "an earlier process of " + workers.front() + " reports exit code " +
             std::to_string(number) + " late";
  }
  return "?";
}

std::vector<Step> GenerateSchedule(Choices& choices, std::size_t length) {
  std::vector<Step> schedule;
  Step first;
  first.kind = Step::Kind::kReload;
  first.config = RandomConfig(choices);
  schedule.push_back(std::move(first));
  // An early shutdown, drawn once: at every step it made most schedules end their supervising
  // after a dozen steps (median step 11) and spend the rest after shutdown.
  const std::size_t early_shutdown =
      choices.OneIn(5) ? 1 + choices.Below(static_cast<std::uint32_t>(length - 1)) : length;
  while (schedule.size() < length) {
    if (schedule.size() == early_shutdown) {
      Step shutdown;
      shutdown.kind = Step::Kind::kShutdown;
      schedule.push_back(shutdown);
      continue;
    }
    schedule.push_back(RandomStep(choices));
  }
  Step shutdown;
  shutdown.kind = Step::Kind::kShutdown;
  schedule.push_back(shutdown);
  for (int i = 0; i < 5; ++i) schedule.push_back(RandomStep(choices));
  return schedule;
}

std::optional<std::string> RunSchedule(const std::vector<Step>& schedule) {
  Run run;
  return run.Execute(schedule);
}

std::vector<Step> Shrink(std::vector<Step> schedule) {
  // Delta debugging: drop ever smaller chunks while the schedule still fails.
  for (std::size_t chunk = std::max<std::size_t>(schedule.size() / 2, 1);;
       chunk = std::max<std::size_t>(chunk / 2, 1)) {
    bool removed_any = false;
    for (std::size_t start = 0; start < schedule.size();) {
      std::vector<Step> candidate = schedule;
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(start),
                      candidate.begin() +
                          static_cast<std::ptrdiff_t>(std::min(start + chunk, candidate.size())));
      if (!candidate.empty() && RunSchedule(candidate)) {
        schedule = std::move(candidate);
        removed_any = true;
      } else {
        start += chunk;
      }
    }
    if (chunk == 1 && !removed_any) return schedule;
  }
}

}  // namespace sup::model

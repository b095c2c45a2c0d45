// Supervisor: the operator's commands (start, stop, restart, reset), each acting on its targets
// and the dependents they take down. The rules they apply are in supervisor.cc.
#include "daemon/engine/supervisor.h"

#include <algorithm>

#include "common/format.h"

namespace sup::engine {

template <typename Action>
std::vector<CommandResult> Supervisor::ForEachTarget(const std::vector<std::string>& names,
                                                     Action action, bool dependencies_first) {
  std::vector<std::string> targets = Targets(names);
  if (dependencies_first) {
    // `start a b` or `start all` brings up a dependency before its dependents ask for it.
    const std::vector<std::string> order = config::StartOrder(DependenciesInForce());
    auto position = [&](const std::string& name) {
      return std::find(order.begin(), order.end(), name) - order.begin();
    };
    std::stable_sort(
        targets.begin(), targets.end(),
        [&](const std::string& a, const std::string& b) { return position(a) < position(b); });
  }
  std::vector<CommandResult> results;
  for (const std::string& name : targets) {
    Worker* w = Find(name);
    if (!w) {
      results.push_back({name, CommandResult::Outcome::kNotFound, "no such worker", "", 0});
      continue;
    }
    for (CommandResult& result : action(*w)) {
      // A dependent that is named itself gets its own line, not one for its dependency.
      if (!result.dependency_of.empty() &&
          std::ranges::find(targets, result.worker) != targets.end())
        continue;
      results.push_back(std::move(result));
    }
  }
  Settle();
  return results;
}

void Supervisor::SetStoppedByOperator(Worker& w, bool stopped) {
  if (w.stopped_by_operator == stopped) return;
  w.stopped_by_operator = stopped;
  if (Result<void> saved = ports_.state_store.SetStoppedByOperator(w.name, stopped); !saved) {
    NoteConfig(w, "operator intent not saved, so it holds only until supd restarts: " +
                      saved.error().message());
  }
}

std::optional<CommandResult> Supervisor::RefuseStart(const Worker& w) const {
  auto refuse = [&](std::string why) {
    return CommandResult{w.name, CommandResult::Outcome::kRefused, std::move(why), "", w.launches};
  };
  if (shutting_down_) return refuse("supd is stopping");
  if (w.intent && w.intent->kind == IntentKind::kRemove)
    return refuse("being removed from the configuration");
  if (!w.config)
    return refuse("disabled by a configuration error: " + w.config_errors.front().ToString());
  if (!w.config->policy.enabled) return refuse("disabled in the configuration (Enabled=0)");
  if (const std::vector<std::string> missing = MissingDependencies(view(), w); !missing.empty()) {
    return refuse("depends on " + JoinNames(missing) + ", which is not configured");
  }
  // No wait without an end: a start that could only wait for ever is refused, saying for what.
  if (const Worker* blocking = BlockingDependency(view(), w)) {
    return refuse("depends on " + blocking->name +
                  ", which will not run unless started: " + Describe(SnapshotOf(*blocking)));
  }
  return std::nullopt;
}

CommandResult Supervisor::StartOne(Worker& w, std::string_view started_message) {
  if (std::optional<CommandResult> refused = RefuseStart(w)) return *refused;
  const std::uint64_t launches = w.launches;
  SetStoppedByOperator(w, false);
  auto result = [&](CommandResult::Outcome outcome, std::string message) {
    return CommandResult{w.name, outcome, std::move(message), "", launches};
  };
  switch (w.state) {
    case WorkerState::kRunning:
    case WorkerState::kStarting:
      // An operator's own pending stop is called off; any other intent goes ahead.
      if (w.intent && w.intent->kind == IntentKind::kStop && w.intent->reason == Reason::kOperator)
        w.intent.reset();
      if (w.intent && w.intent->kind == IntentKind::kStop) {
        return result(CommandResult::Outcome::kDone, "starting again once its dependencies allow");
      }
      if (w.intent) return result(CommandResult::Outcome::kAlready, "already restarting");
      return result(CommandResult::Outcome::kAlready,
                    w.state == WorkerState::kRunning ? "already running" : "already starting");
    case WorkerState::kStopping:
      SetIntent(w, Intent{IntentKind::kRestart, Reason::kOperator, {}});
      return result(CommandResult::Outcome::kDone, "starting once its stop completes");
    default:
      CancelTimers(w);
      w.next_start_at.reset();
      TryLaunch(w, Reason::kOperator);
      if (w.state == WorkerState::kStarting || w.state == WorkerState::kRunning) {
        return result(CommandResult::Outcome::kDone, std::string(started_message));
      }
      return result(CommandResult::Outcome::kDone, Describe(SnapshotOf(w)));
  }
}

std::vector<CommandResult> Supervisor::Start(const std::vector<std::string>& names) {
  return ForEachTarget(
      names, [this](Worker& w) { return std::vector<CommandResult>{StartOne(w, "started")}; },
      /*dependencies_first=*/true);
}

std::vector<CommandResult> Supervisor::Stop(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) {
    const std::uint64_t launches = w.launches;
    SetStoppedByOperator(w, true);
    std::vector<CommandResult> results;
    if (IsUp(w.state)) {
      SetIntent(w, Intent{IntentKind::kStop, Reason::kOperator, {}});
      results.push_back({w.name, CommandResult::Outcome::kDone, "stopping", "", launches});
      for (CommandResult& dependent : TakeDownDependents(w, "stopped"))
        results.push_back(std::move(dependent));
    } else if (w.state == WorkerState::kBackoff || w.state == WorkerState::kFailed) {
      ActOnIntentWhileDown(w, Intent{IntentKind::kStop, Reason::kOperator, {}});
      results.push_back({w.name, CommandResult::Outcome::kDone, "stopped", "", launches});
    } else {
      if (w.state != WorkerState::kStopped || w.reason != Reason::kOperator) {
        Transition(w, WorkerState::kStopped, Reason::kOperator);
      }
      results.push_back(
          {w.name, CommandResult::Outcome::kAlready, "already stopped", "", launches});
    }
    return results;
  });
}

std::vector<CommandResult> Supervisor::Restart(const std::vector<std::string>& names) {
  return ForEachTarget(
      names,
      [this](Worker& w) {
        if (std::optional<CommandResult> refused = RefuseStart(w))
          return std::vector<CommandResult>{*refused};
        if (!IsUp(w.state)) return std::vector<CommandResult>{StartOne(w, "restarted")};
        const std::uint64_t launches = w.launches;
        SetStoppedByOperator(w, false);
        SetIntent(w, Intent{IntentKind::kRestart, Reason::kOperator, {}});
        std::vector<CommandResult> results{
            {w.name, CommandResult::Outcome::kDone, "restarted", "", launches}};
        for (CommandResult& dependent : TakeDownDependents(w, "restarted"))
          results.push_back(std::move(dependent));
        return results;
      },
      /*dependencies_first=*/true);
}

std::vector<CommandResult> Supervisor::Reset(const std::vector<std::string>& names) {
  return ForEachTarget(names, [this](Worker& w) {
    const std::uint64_t launches = w.launches;
    w.restarts = 0;
    w.backoff_attempt = 0;
    w.failures.Clear();
    if ((w.state == WorkerState::kFailed || w.state == WorkerState::kBackoff) &&
        Wanted(view(), w)) {
      CancelTimers(w);
      w.next_start_at.reset();
      TryLaunch(w, Reason::kOperator);
      return std::vector<CommandResult>{
          {w.name, CommandResult::Outcome::kDone, "reset and started", "", launches}};
    }
    return std::vector<CommandResult>{
        {w.name, CommandResult::Outcome::kDone, "reset", "", launches}};
  });
}

}  // namespace sup::engine

// The predicates the supervisor's rules are made of (daemon/engine/worker_rules.h), asked
// directly of workers in the states the rules meet.
#include "daemon/engine/worker_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace sup::engine {
namespace {

// Workers by name, each defined (enabled) with the dependencies given.
class WorkerRulesTest : public ::testing::Test {
 protected:
  Worker& Define(const std::string& name, std::vector<std::string> depends_on = {}) {
    Worker& w = workers_[name];
    w.name = name;
    w.config = WorkerConfig{};
    w.config->name = name;
    w.config->policy.depends_on = std::move(depends_on);
    w.config->policy.success_exit_codes = {0};
    return w;
  }
  static void Run(Worker& w) {
    w.state = WorkerState::kRunning;
    w.process.emplace();
    w.process->pid = 100;
  }
  WorkersView View(bool shutting_down = false) const { return {workers_, shutting_down}; }

  std::map<std::string, Worker> workers_;
};

TEST_F(WorkerRulesTest, WantedIsADefinitionThatIsEnabledNotStoppedNotLeavingWithItsDependencies) {
  Worker& web = Define("web", {"db"});
  Worker& db = Define("db");
  EXPECT_TRUE(Wanted(View(), web));
  EXPECT_FALSE(Wanted(View(/*shutting_down=*/true), web));

  db.intent.emplace();
  db.intent->kind = IntentKind::kRemove;
  EXPECT_FALSE(IsConfigured(View(), "db"));
  EXPECT_FALSE(Wanted(View(), web)) << "a dependency on its way out";
  EXPECT_EQ(MissingDependencies(View(), web), std::vector<std::string>{"db"});
  EXPECT_FALSE(Wanted(View(), db));
  db.intent.reset();

  web.stopped_by_operator = true;
  EXPECT_FALSE(Wanted(View(), web));
  web.stopped_by_operator = false;
  web.config->policy.enabled = false;
  EXPECT_FALSE(Wanted(View(), web));
  web.config.reset();  // its newest definition was rejected
  EXPECT_FALSE(Wanted(View(), web));

  Worker& orphan = Define("orphan", {"nosuch"});
  EXPECT_FALSE(Wanted(View(), orphan));
  EXPECT_EQ(MissingDependencies(View(), orphan), std::vector<std::string>{"nosuch"});
}

TEST_F(WorkerRulesTest, AvailableIsRunningReadyAndStayingOrDone) {
  Worker& db = Define("db");
  EXPECT_FALSE(Available(db));
  Run(db);
  EXPECT_TRUE(Available(db));
  db.config->policy.probes[ProbeKind::kReadiness] = ProbeConfig{};
  EXPECT_FALSE(Available(db)) << "not ready yet";
  db.readiness_passed = true;
  EXPECT_TRUE(Available(db));
  db.intent.emplace();
  db.intent->kind = IntentKind::kRestart;
  EXPECT_FALSE(Available(db)) << "about to go down";

  Worker& migrate = Define("migrate");
  migrate.state = WorkerState::kExited;
  migrate.reason = Reason::kExited;
  migrate.last_exit_code = 0;
  EXPECT_TRUE(IsDone(migrate));
  EXPECT_TRUE(Available(migrate)) << "a run-once job that succeeded";
  migrate.last_exit_code = 3;
  EXPECT_FALSE(IsDone(migrate));
  EXPECT_FALSE(Available(migrate));
}

TEST_F(WorkerRulesTest, ADependencyThatWillNotRunBySelfBlocksEvenTwoLevelsDown) {
  Worker& web = Define("web", {"api"});
  Worker& api = Define("api", {"db"});
  Worker& db = Define("db");
  api.state = WorkerState::kBackoff;  // on its way back by itself
  EXPECT_EQ(BlockingDependency(View(), web), nullptr);
  EXPECT_EQ(UnavailableDependencies(View(), web), std::vector<std::string>{"api"});

  db.state = WorkerState::kFailed;  // an open breaker without FailedRetryMs
  EXPECT_EQ(BlockingDependency(View(), web), &db);
  db.state = WorkerState::kStopped;
  db.stopped_by_operator = true;
  EXPECT_EQ(BlockingDependency(View(), web), &db);
  api.stopped_by_operator = true;
  EXPECT_EQ(BlockingDependency(View(), web), &api) << "the nearest one";

  Worker& lone = Define("lone", {"nosuch"});
  EXPECT_EQ(BlockingDependency(View(), lone), nullptr) << "a missing one is refused as such";
}

TEST_F(WorkerRulesTest, UpDependentsAreDirectOrThroughOthers) {
  Worker& db = Define("db");
  Worker& api = Define("api", {"db"});
  Worker& web = Define("web", {"api"});
  Define("batch", {"db"});  // down
  Run(db);
  Run(api);
  Run(web);
  EXPECT_EQ(UpDependents(View(), db, /*transitive=*/false), std::vector<std::string>{"api"});
  std::vector<std::string> all = UpDependents(View(), db, /*transitive=*/true);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"api", "web"}));
  EXPECT_EQ(DependenciesInForce(View()).at("web"), std::vector<std::string>{"api"});
}

}  // namespace
}  // namespace sup::engine

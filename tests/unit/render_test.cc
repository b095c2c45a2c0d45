#include "client/render.h"

#include <gtest/gtest.h>

#include "common/worker_sid.h"

#include "client/exit_codes.h"
#include "common/format.h"

namespace sup::client {
namespace {

using sup::FormatDelay;
using sup::FormatUptime;

using std::chrono::milliseconds;
using sup::v1::WorkerStatus;

sup::v1::StatusResponse SampleStatus() {
  sup::v1::StatusResponse status;
  status.mutable_daemon()->set_pid(100);
  status.mutable_daemon()->set_version("0.1.0");
  status.mutable_daemon()->set_uptime_ms(65'000);
  status.mutable_daemon()->set_config_generation(3);
  WorkerStatus* api = status.add_workers();
  api->set_name("api");
  api->set_state(WorkerStatus::RUNNING);
  api->set_health(WorkerStatus::HEALTHY);
  api->set_ready(true);
  api->set_pid(4812);
  api->set_account("NT AUTHORITY\\LocalService");
  api->set_uptime_ms(155'000);
  api->set_restarts(2);
  api->set_last_exit_code(1);
  api->set_description("pid 4812, uptime 0:02:35");
  sup::v1::WorkerResources* resources = api->mutable_resources();
  resources->set_cpu_seconds(12.5);
  resources->set_cpu_percent(3.25);
  resources->set_working_set_bytes(47'400'000);
  resources->set_private_bytes(40'000'000);
  resources->set_processes(3);
  resources->set_handles(210);
  resources->set_io_read_bytes(4096);
  resources->set_io_write_bytes(1'500);
  WorkerStatus* queue = status.add_workers();
  queue->set_name("queue-consumer");
  queue->set_state(WorkerStatus::BACKOFF);
  queue->set_reason(WorkerStatus::EXITED_ITSELF);
  queue->set_health(WorkerStatus::UNKNOWN);
  queue->set_next_restart_ms(4000);
  queue->set_description("backoff: attempt 3, next in 4.0s");
  return status;
}

TEST(FormatTest, FormatsUptime) {
  EXPECT_EQ(FormatUptime(milliseconds(0)), "0:00:00");
  EXPECT_EQ(FormatUptime(milliseconds(155'999)), "0:02:35");
  EXPECT_EQ(FormatUptime(milliseconds(36'000'000)), "10:00:00");
  EXPECT_EQ(FormatUptime(milliseconds((3 * 86400 + 4 * 3600 + 5 * 60 + 6) * 1000LL)), "3d 4:05:06");
  EXPECT_EQ(FormatUptime(milliseconds(-5)), "0:00:00");
}

TEST(FormatTest, FormatsDelays) {
  EXPECT_EQ(FormatDelay(milliseconds(850)), "850ms");
  EXPECT_EQ(FormatDelay(milliseconds(4000)), "4.0s");
  EXPECT_EQ(FormatDelay(milliseconds(4290)), "4.2s");
  EXPECT_EQ(FormatDelay(milliseconds(125'000)), "2m05s");
  EXPECT_EQ(FormatDelay(milliseconds(5'400'000)), "1h30m");
  EXPECT_EQ(FormatDelay(milliseconds(-1)), "0ms");
}

TEST(RenderTest, StatusTableAlignsColumns) {
  EXPECT_EQ(
      RenderStatusTable(SampleStatus()),
      "supd 0.1.0, pid 100, uptime 0:01:05, config generation 3\n"
      "NAME            STATE    HEALTH   READY  PID   UPTIME   RESTARTS  LAST-EXIT  CPU   MEM    "
      "DESCRIPTION\n"
      "api             RUNNING  HEALTHY  yes    4812  0:02:35  2         1          3.2%  45.2M  "
      "pid 4812, uptime 0:02:35\n"
      "queue-consumer  BACKOFF  UNKNOWN  no     -     -        0         -          -     -      "
      "backoff: attempt 3, next in 4.0s\n");
}

TEST(RenderTest, BytesAndPercentsReadAsPeopleReadThem) {
  EXPECT_EQ(FormatBytes(0), "0B");
  EXPECT_EQ(FormatBytes(1023), "1023B");
  EXPECT_EQ(FormatBytes(1536), "1.5K");
  EXPECT_EQ(FormatBytes(150ull << 20), "150M");
  EXPECT_EQ(FormatBytes(3ull << 40), "3.0T");
  EXPECT_EQ(FormatPercent(0), "0.0%");
  EXPECT_EQ(FormatPercent(12.34), "12.3%");
  EXPECT_EQ(FormatPercent(250.4), "250%");
}

TEST(RenderTest, TopSortsByCpuOrMemoryHighestFirst) {
  sup::v1::StatusResponse status = SampleStatus();
  WorkerStatus* big = status.add_workers();
  big->set_name("big");
  big->set_state(WorkerStatus::RUNNING);
  big->set_pid(77);
  big->mutable_resources()->set_cpu_percent(1.0);
  big->mutable_resources()->set_working_set_bytes(900u << 20);
  const std::string by_cpu = RenderTop(status, TopSort::kCpu);
  EXPECT_EQ(by_cpu.substr(0, by_cpu.find('\n')),
            "supd 0.1.0, pid 100, uptime 0:01:05; 3 workers, 2 running; CPU 4.2%, MEM 945M");
  EXPECT_LT(by_cpu.find("\napi "), by_cpu.find("\nbig "));
  EXPECT_LT(by_cpu.find("\nbig "), by_cpu.find("\nqueue-consumer "));
  EXPECT_NE(by_cpu.find("NAME            STATE    HEALTH   READY  PID   UPTIME   RESTARTS  CPU   "
                        "MEM\n"),
            std::string::npos)
      << by_cpu;
  const std::string by_mem = RenderTop(status, TopSort::kMem);
  EXPECT_LT(by_mem.find("\nbig "), by_mem.find("\napi "));
  const std::string by_name = RenderTop(status, TopSort::kName);
  EXPECT_LT(by_name.find("\napi "), by_name.find("\nbig "));
  EXPECT_EQ(ParseTopSort("mem"), TopSort::kMem);
  EXPECT_EQ(ParseTopSort("memory"), std::nullopt);
}

TEST(RenderTest, StatusTableSaysWhenThereAreNoWorkers) {
  sup::v1::StatusResponse status;
  status.mutable_daemon()->set_pid(7);
  status.mutable_daemon()->set_version("0.1.0");
  EXPECT_EQ(RenderStatusTable(status),
            "supd 0.1.0, pid 7, uptime 0:00:00, config generation 0\n"
            "NAME  STATE  HEALTH  READY  PID  UPTIME  RESTARTS  LAST-EXIT  CPU  MEM  DESCRIPTION\n"
            "(no workers configured)\n");
}

// supd's own problems (a port taken, a pipe name held) are a line each under supd's, and a list
// in JSON.
TEST(RenderTest, SupdsOwnProblemsAreShownUnderItsLine) {
  sup::v1::StatusResponse status;
  status.mutable_daemon()->set_pid(7);
  status.mutable_daemon()->set_version("0.1.0");
  status.mutable_daemon()->add_problems("http endpoint not listening on 127.0.0.1:9182: in use");
  status.mutable_daemon()->add_problems("pipe sup-health held by pid 4 (x.exe)");
  EXPECT_EQ(RenderStatusTable(status),
            "supd 0.1.0, pid 7, uptime 0:00:00, config generation 0\n"
            "supd: http endpoint not listening on 127.0.0.1:9182: in use\n"
            "supd: pipe sup-health held by pid 4 (x.exe)\n"
            "NAME  STATE  HEALTH  READY  PID  UPTIME  RESTARTS  LAST-EXIT  CPU  MEM  DESCRIPTION\n"
            "(no workers configured)\n");
  EXPECT_NE(RenderStatusJson(status).find(
                R"j("problems":["http endpoint not listening on 127.0.0.1:9182: in use",)j"
                R"j("pipe sup-health held by pid 4 (x.exe)"]})j"),
            std::string::npos)
      << RenderStatusJson(status);
}

TEST(RenderTest, StatusJsonUsesTheStableFieldNames) {
  EXPECT_EQ(
      RenderStatusJson(SampleStatus()),
      R"({"daemon":{"pid":100,"version":"0.1.0","uptime_ms":65000,"config_generation":3,"problems":[]},"workers":[)"
      R"({"name":"api","state":"RUNNING","reason":"","health":"HEALTHY","ready":true,"pid":4812,)"
      R"("uptime_ms":155000,"restarts":2,"last_exit_code":1,"next_restart_ms":0,"serving":false,"done":false,"launches":0,)"
      R"("account":"NT AUTHORITY\\LocalService","status_text":"",)"
      R"("description":"pid 4812, uptime 0:02:35","cpu_seconds":12.5,"cpu_percent":3.25,)"
      R"("private_bytes":40000000,"working_set_bytes":47400000,"processes":3,"handles":210,)"
      R"("io_read_bytes":4096,"io_write_bytes":1500},)"
      R"({"name":"queue-consumer","state":"BACKOFF","reason":"exited","health":"UNKNOWN","ready":false,)"
      R"("pid":0,"uptime_ms":0,"restarts":0,"last_exit_code":null,"next_restart_ms":4000,"serving":false,"done":false,"launches":0,"account":"","status_text":"",)"
      R"("description":"backoff: attempt 3, next in 4.0s","cpu_seconds":0.0,"cpu_percent":0.0,)"
      R"("private_bytes":0,"working_set_bytes":0,"processes":0,"handles":0,"io_read_bytes":0,)"
      R"("io_write_bytes":0}]})"
      "\n");
}

TEST(RenderTest, EveryStateAndReasonHasItsDesignName) {
  EXPECT_EQ(NameOf(WorkerStatus::STOPPED), "STOPPED");
  EXPECT_EQ(NameOf(WorkerStatus::STARTING), "STARTING");
  EXPECT_EQ(NameOf(WorkerStatus::STOPPING), "STOPPING");
  EXPECT_EQ(NameOf(WorkerStatus::EXITED), "EXITED");
  EXPECT_EQ(NameOf(WorkerStatus::FAILED), "FAILED");
  EXPECT_EQ(NameOf(WorkerStatus::UNHEALTHY), "UNHEALTHY");
  EXPECT_EQ(NameOf(WorkerStatus::OPERATOR), "operator");
  EXPECT_EQ(NameOf(WorkerStatus::KILLED), "killed");
  EXPECT_EQ(NameOf(WorkerStatus::SPAWN_ERROR), "spawn-error");
  EXPECT_EQ(NameOf(WorkerStatus::START_TIMEOUT), "start-timeout");
  EXPECT_EQ(NameOf(WorkerStatus::LIVENESS_FAILED), "liveness-failed");
  EXPECT_EQ(NameOf(WorkerStatus::MEMORY_LIMIT), "memory-limit");
  EXPECT_EQ(NameOf(WorkerStatus::CONFIG_CHANGED), "config-changed");
  EXPECT_EQ(NameOf(WorkerStatus::CONFIG_ERROR), "config-error");
  EXPECT_EQ(NameOf(WorkerStatus::DEPENDENCY), "dependency");
  EXPECT_EQ(NameOf(WorkerStatus::BREAKER_OPEN), "breaker-open");
  EXPECT_EQ(NameOf(WorkerStatus::SHUTDOWN), "shutdown");
}

TEST(RenderTest, WhatANewerSupdSendsShowsAsUnknownNotAsAnotherValue) {
  EXPECT_EQ(NameOf(WorkerStatus::STATE_UNSPECIFIED), "UNKNOWN");
  EXPECT_EQ(NameOf(static_cast<WorkerStatus::State>(99)), "UNKNOWN");
  EXPECT_EQ(NameOf(WorkerStatus::HEALTH_UNSPECIFIED), "UNKNOWN");
  EXPECT_EQ(NameOf(WorkerStatus::REASON_UNSPECIFIED), "");
  EXPECT_EQ(NameOf(static_cast<WorkerStatus::Reason>(99)), "");
}

TEST(RenderTest, EveryEngineValueReachesSupctlUnderItsOwnName) {
  // supd's log (kWorkerStateNames) and supctl (through the wire) show one name per value.
  for (const auto& row : kWorkerStateWire)
    EXPECT_EQ(NameOf(ToWire(row.value)), NameOf(row.value, kWorkerStateNames));
  for (const auto& row : kHealthWire)
    EXPECT_EQ(NameOf(ToWire(row.value)), NameOf(row.value, kHealthNames));
  for (const auto& row : kReasonWire)
    EXPECT_EQ(NameOf(ToWire(row.value)), NameOf(row.value, kReasonNames));
}

sup::v1::WorkerCommandResponse Results(
    std::vector<std::tuple<std::string, sup::v1::WorkerCommandResult::Outcome, std::string>> rows) {
  sup::v1::WorkerCommandResponse response;
  for (auto& [worker, outcome, message] : rows) {
    sup::v1::WorkerCommandResult* result = response.add_results();
    result->set_worker(worker);
    result->set_outcome(outcome);
    result->set_message(message);
  }
  return response;
}

TEST(RenderTest, CommandResultsOneLinePerTargetWithExitCodes) {
  using R = sup::v1::WorkerCommandResult;
  const auto response = Results({{"alpha", R::DONE, "restarting"},
                                 {"beta", R::ALREADY, "already running"},
                                 {"nosuch", R::NOT_FOUND, "no such worker"}});
  EXPECT_EQ(RenderCommandResults(response),
            "alpha: restarting\nbeta: already running\nnosuch: ERROR (no such worker)\n");
  EXPECT_EQ(
      RenderCommandResultsJson(response),
      R"({"results":[{"worker":"alpha","outcome":"done","message":"restarting","dependency_of":"","launches":0},)"
      R"({"worker":"beta","outcome":"already","message":"already running","dependency_of":"","launches":0},)"
      R"({"worker":"nosuch","outcome":"not_found","message":"no such worker","dependency_of":"","launches":0}]})"
      "\n");
  EXPECT_EQ(CommandExitCode(response), kExitUnknownOrUnreachable);
  EXPECT_EQ(
      CommandExitCode(Results({{"a", R::DONE, "stopping"}, {"b", R::REFUSED, "supd is stopping"}})),
      kExitFailure);
  EXPECT_EQ(
      CommandExitCode(Results({{"a", R::DONE, "stopping"}, {"b", R::ALREADY, "already stopped"}})),
      kExitOk);
}

TEST(ExitCodeTest, OneMappingFromAFailureToTheExitCode) {
  EXPECT_EQ(ExitCodeFor(ErrorKind::kInvalidArgument), kExitUsage);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kNotFound), kExitUnknownOrUnreachable);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kUnavailable), kExitUnknownOrUnreachable);  // supd not running
  EXPECT_EQ(ExitCodeFor(ErrorKind::kPermissionDenied), kExitFailure);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kFailedPrecondition), kExitFailure);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kInternal), kExitFailure);
}

TEST(RenderTest, StatusExitCodeIsZeroOnlyWhenEveryWorkerServes) {
  sup::v1::StatusResponse status = SampleStatus();
  for (WorkerStatus& worker : *status.mutable_workers()) worker.set_serving(true);
  EXPECT_EQ(StatusExitCode(status), kExitOk);
  status.mutable_workers(1)->set_serving(false);  // RUNNING but not ready, stopped, or failed
  EXPECT_EQ(StatusExitCode(status), kExitNotAllRunning);
  EXPECT_EQ(StatusExitCode(sup::v1::StatusResponse()), kExitOk);
}

TEST(RenderTest, FoldedProbeFailuresSayHowManyInARow) {
  sup::v1::Event event;
  event.set_time_unix_ms(1'700'000'000'000);
  event.set_worker("api");
  event.set_kind(sup::v1::Event::PROBE);
  event.set_probe("readiness");
  event.set_pid(42);
  event.set_count(5);
  event.set_message("connect failed");
  EXPECT_EQ(RenderEvent(event),
            "2023-11-14T22:13:20.000Z  api  readiness probe failed 5 times in a row pid 42: "
            "connect failed\n");
  EXPECT_NE(RenderEventJson(event).find(R"("success":false,"count":5,)"), std::string::npos)
      << RenderEventJson(event);
  event.set_count(1);
  EXPECT_EQ(RenderEvent(event),
            "2023-11-14T22:13:20.000Z  api  readiness probe failed pid 42: connect failed\n");
}

TEST(RenderTest, RestartWaitEndsOnlyWithANewProcessThatServes) {
  sup::v1::WorkerCommandResult result;
  result.set_worker("web");
  result.set_launches(3);
  WorkerStatus status;
  status.set_state(WorkerStatus::RUNNING);
  status.set_serving(true);
  status.set_launches(3);  // the old process, still serving
  EXPECT_FALSE(WaitIsOver(WorkerVerb::kRestart, result, status));
  EXPECT_TRUE(WaitIsOver(WorkerVerb::kStart, result, status));
  EXPECT_FALSE(WaitIsOver(WorkerVerb::kStop, result, status));
  status.set_launches(4);
  status.set_serving(false);  // the new one, not ready yet
  EXPECT_FALSE(WaitIsOver(WorkerVerb::kRestart, result, status));
  status.set_serving(true);
  EXPECT_TRUE(WaitIsOver(WorkerVerb::kRestart, result, status));
  status.set_state(WorkerStatus::STOPPED);
  status.set_serving(false);
  EXPECT_TRUE(WaitIsOver(WorkerVerb::kStop, result, status));
}

TEST(RenderDescribeTest, OutputTailsAreTitledByStreamOrAsOneSharedFile) {
  sup::v1::DescribeResponse describe;
  describe.mutable_status()->set_name("api");
  describe.add_stdout_tail("listening");
  describe.add_stderr_tail("cache cold");
  const std::string separate = RenderDescribe(describe);
  EXPECT_NE(separate.find("Last stdout lines:\n  listening\n"), std::string::npos) << separate;
  EXPECT_NE(separate.find("Last stderr lines:\n  cache cold\n"), std::string::npos) << separate;

  describe.clear_stderr_tail();
  describe.set_shared_tail(true);
  const std::string shared = RenderDescribe(describe);
  EXPECT_NE(shared.find("Last stdout and stderr lines (one file):\n  listening\n"),
            std::string::npos)
      << shared;
  EXPECT_EQ(shared.find("Last stderr lines"), std::string::npos) << shared;
  EXPECT_NE(RenderDescribeJson(describe).find("\"shared_tail\":true"), std::string::npos);
}

TEST(RenderDescribeTest, SaysWhatTheWorkerRunsAsAndItsSid) {
  sup::v1::DescribeResponse describe;
  describe.mutable_status()->set_name("api");
  const auto set = [&](const char* name, const char* value) {
    sup::v1::ConfigValue* entry = describe.add_config();
    entry->set_name(name);
    entry->set_value(value);
  };
  set("Restricted", "1");
  set("WriteAccess", "users");
  const std::string sid = WorkerSid("api");
  EXPECT_NE(
      RenderDescribe(describe).find("  runs as LocalSystem with a reduced token (writes where "
                                    "Users or its worker SID may), worker SID " +
                                    sid + "\n"),
      std::string::npos)
      << RenderDescribe(describe);
  describe.mutable_config(1)->set_value("own");
  EXPECT_NE(RenderDescribe(describe).find("a reduced token (writes only where its worker SID may)"),
            std::string::npos);
  describe.mutable_config(0)->set_value("0");
  EXPECT_NE(RenderDescribe(describe).find("supd's full token (Restricted=0: it can take the "
                                          "machine over)"),
            std::string::npos);
  std::string json = RenderDescribeJson(describe);
  EXPECT_NE(json.find("\"worker_sid\":\"" + sid + "\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"account\":\"LocalSystem\""), std::string::npos) << json;

  set("Account", "NT AUTHORITY\\LocalService");
  describe.mutable_config(0)->set_value("1");
  describe.mutable_config(1)->set_value("users");
  EXPECT_NE(RenderDescribe(describe).find("runs as NT AUTHORITY\\LocalService with a reduced "
                                          "token (writes where the account may)"),
            std::string::npos)
      << RenderDescribe(describe);
  json = RenderDescribeJson(describe);
  EXPECT_NE(json.find("\"account\":\"NT AUTHORITY\\\\LocalService\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"password\":\"not needed\""), std::string::npos) << json;

  // A user account: whether supd keeps its password, never the password.
  describe.mutable_config(2)->set_value(".\\svc-web");
  describe.set_password(sup::v1::DescribeResponse::PASSWORD_MISSING);
  EXPECT_NE(RenderDescribe(describe).find(", worker SID " + sid +
                                          "; no password is kept (supctl worker set-password "
                                          "api)\n"),
            std::string::npos)
      << RenderDescribe(describe);
  describe.set_password(sup::v1::DescribeResponse::PASSWORD_KEPT);
  EXPECT_NE(RenderDescribe(describe).find(", worker SID " + sid + "; its password is kept\n"),
            std::string::npos);
  EXPECT_NE(RenderDescribeJson(describe).find("\"password\":\"kept\""), std::string::npos);
}

// `supctl version`: each side's commit when it was built from a git checkout, none otherwise.
TEST(RenderTest, VersionsCarryTheCommitTheyWereBuiltFrom) {
  sup::v1::VersionResponse daemon;
  daemon.set_daemon_version("1.2.3");
  daemon.set_protocol_version(1);
  EXPECT_EQ(RenderVersionTable("1.2.3", "", daemon), "supctl 1.2.3\nsupd 1.2.3 (protocol 1)\n");
  daemon.set_daemon_commit("3f2a9c1d0b4e");
  EXPECT_EQ(RenderVersionTable("1.2.4", "aaaabbbbcccc", daemon),
            "supctl 1.2.4 (commit aaaabbbbcccc)\nsupd 1.2.3 (commit 3f2a9c1d0b4e, protocol 1)\n");
  EXPECT_EQ(RenderVersionJson("1.2.4", "aaaabbbbcccc", daemon),
            "{\"supctl\":{\"version\":\"1.2.4\",\"commit\":\"aaaabbbbcccc\"},\"supd\":{\"version\":"
            "\"1.2.3\",\"commit\":\"3f2a9c1d0b4e\",\"protocol_version\":1}}\n");
}

}  // namespace
}  // namespace sup::client

// How supctl shows replies: the status table, the JSON documents scripts rely on, and the exit
// code a status implies. Portable and pure, so it is unit-tested natively.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "client/json.h"
#include "common/worker_state_wire.h"
#include "sup/v1/control.pb.h"
#include "sup/v1/health.pb.h"

namespace sup::client {

// A daemon summary line, then NAME STATE HEALTH READY PID UPTIME RESTARTS LAST-EXIT DESCRIPTION.
std::string RenderStatusTable(const sup::v1::StatusResponse& status);
// {"daemon": {...}, "workers": [...]} with the snake_case names the README's status line promises.
std::string RenderStatusJson(const sup::v1::StatusResponse& status);

// `supctl top`: how its rows are ordered (the highest first; ties, and kName, by name).
enum class TopSort { kCpu, kMem, kName };
// "cpu", "mem" or "name"; nullopt for anything else.
std::optional<TopSort> ParseTopSort(std::string_view text);
// One frame of `supctl top`: a summary line (workers running, their CPU and memory together),
// then NAME STATE HEALTH READY PID UPTIME RESTARTS CPU MEM, sorted.
std::string RenderTop(const sup::v1::StatusResponse& status, TopSort sort);

std::string RenderVersionTable(std::string_view client_version, std::string_view client_commit,
                               const sup::v1::VersionResponse& daemon);
std::string RenderVersionJson(std::string_view client_version, std::string_view client_commit,
                              const sup::v1::VersionResponse& daemon);

// One line per target: "api: restarted", "nosuch: ERROR (no such worker)".
std::string RenderCommandResults(const sup::v1::WorkerCommandResponse& response);
// {"results": [{"worker", "outcome", "message"}]}, outcomes in lower case ("done", "not_found").
std::string RenderCommandResultsJson(const sup::v1::WorkerCommandResponse& response);
// kExitUnknownOrUnreachable if a worker was unknown, kExitFailure if one was refused, else kExitOk.
int CommandExitCode(const sup::v1::WorkerCommandResponse& response);

// kExitOk when every worker listed is serving (RUNNING and ready, or done: the predicate supd
// computes, the same as the health pipe's SERVING), else kExitNotAllRunning.
int StatusExitCode(const sup::v1::StatusResponse& status);

// What `supctl start|stop|restart|reset WORKER...` asks of supd.
enum class WorkerVerb { kStart, kStop, kRestart, kReset };

// Whether `start|stop|restart --wait` is done waiting for one worker the command acted on (a
// named one, or a dependent it took down): stop, once it is down; start, once it serves; restart,
// once a process launched after the command serves.
bool WaitIsOver(WorkerVerb verb, const sup::v1::WorkerCommandResult& result,
                const sup::v1::WorkerStatus& status);

// One worker's status object, as in `status -o json`.
Json WorkerJson(const sup::v1::WorkerStatus& worker);

// One event: a line ("2026-11-21T15:04:05.123Z  api  RUNNING -> BACKOFF (exited) pid 42 exit
// code 1"), or one JSON object per line for scripts (`events -f -o json`).
std::string RenderEvent(const sup::v1::Event& event);
std::string RenderEventJson(const sup::v1::Event& event);
Json EventJson(const sup::v1::Event& event);

// `supctl describe`: status, configuration in force, recent events, last output lines.
std::string RenderDescribe(const sup::v1::DescribeResponse& describe);
std::string RenderDescribeJson(const sup::v1::DescribeResponse& describe);

// `supctl reread` (applied = false) and `supctl update`: one line per changed worker.
std::string RenderConfigDiff(const sup::v1::ConfigDiffResponse& diff, bool applied);
std::string RenderConfigDiffJson(const sup::v1::ConfigDiffResponse& diff);

std::string_view ServingName(sup::v1::HealthCheckResponse::ServingStatus status);

}  // namespace sup::client

// The control protocol (sup.v1.Request on \\.\pipe\sup-control): one Session per connection,
// which checks the caller's role for each verb, answers unary verbs at once and keeps the
// `follow` streams of Logs and Events open. Portable and free of I/O, so every request path is
// unit-tested with a recording sink. Runs on the io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <set>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/frame_codec.h"
#include "common/result.h"
#include "daemon/control/audit.h"
#include "daemon/control/config_apply.h"
#include "daemon/control/event_feed.h"
#include "daemon/control/cpu_usage.h"
#include "daemon/control/daemon_problems.h"
#include "daemon/control/output_source.h"
#include "daemon/control/password_store.h"
#include "daemon/control/resource_source.h"
#include "daemon/control/session.h"
#include "daemon/engine/ports.h"
#include "daemon/engine/supervisor.h"
#include "sup/v1/control.pb.h"

namespace sup::control {

struct DaemonIdentity {
  std::uint32_t pid = 0;
  std::string version;
  std::string commit;  // empty when not built from a git checkout
};

// What the control plane reads and drives; each must outlive the dispatcher.
struct ControlPorts {
  const Clock& clock;
  engine::Supervisor& supervisor;
  ConfigApplier& config;                     // Reread, Update
  OutputSource& output;                      // Describe, Logs
  EventFeed& events;                         // Events -f
  ResourceSource& resources;                 // Status, Describe
  const DaemonProblems* problems = nullptr;  // Status; none: supd has none to tell
  AuditSink* audit = nullptr;                // every request of a changing verb; none: not kept
  PasswordStore* passwords = nullptr;        // SetPassword, Describe; none: supd keeps none
};

struct ControlLimits {
  std::size_t max_streams = 64;  // open Logs/Events follow streams, all clients together
  std::size_t max_frame_bytes = kMaxFrameBytes;  // replies are made to fit (MaxFrameBytes)
  unsigned processors = 1;  // the machine's: a worker's CPU percent is at most 100 per processor
};

class ControlDispatcher {
 public:
  ControlDispatcher(ControlPorts ports, DaemonIdentity identity, ControlLimits limits = {});
  ~ControlDispatcher();

  // A session for a new client of the control pipe.
  std::unique_ptr<Session> Open(FrameSink& sink, const Caller& caller);

  // The reply to one request, for every verb (a follow request gets its first frame). No
  // authorisation here: sessions check the caller first.
  sup::v1::Response Handle(const sup::v1::Request& request);

  // supd is stopping: every open stream gets its last frame and its connection ends; new
  // streams are refused.
  void EndStreams();
  std::size_t open_streams() const { return streams_.size(); }

  // Requests answered since supd started, by (verb, result): "status", "ok" or an error code in
  // lower case ("permission_denied"). For sup_control_requests_total.
  using RequestCounts = std::map<std::pair<std::string, std::string>, std::uint64_t>;
  const RequestCounts& request_counts() const { return request_counts_; }

 private:
  class ControlSession;

  Result<sup::v1::StatusResponse> Status(const sup::v1::StatusRequest& request) const;
  Result<sup::v1::DescribeResponse> Describe(const sup::v1::DescribeRequest& request) const;
  Result<sup::v1::LogsResponse> Logs(const sup::v1::LogsRequest& request) const;
  Result<sup::v1::SetPasswordResponse> SetPassword(const sup::v1::SetPasswordRequest& request);
  std::size_t LineBudget() const;
  // `sample`: the worker's resources, if it runs.
  sup::v1::WorkerStatus WireStatus(const engine::WorkerSnapshot& snapshot,
                                   const ResourceSample* sample) const;
  // Samples the resources of `workers` (their CPU percent since the previous sample).
  std::map<std::string, ResourceSample> SampleResources(const std::vector<std::string>& workers,
                                                        bool all) const;
  sup::v1::EventsResponse Events(const sup::v1::EventsRequest& request) const;
  // Reread (apply = false) or Update (apply = true) of the named workers, or all.
  Result<sup::v1::ConfigDiffResponse> Reconfigure(const std::vector<std::string>& names,
                                                  bool apply);
  // Start, Stop, Restart or Reset: runs `verb` on the named workers (or all) and puts one result
  // per worker into the reply's `field`.
  using Verb =
      std::vector<engine::CommandResult> (engine::Supervisor::*)(const std::vector<std::string>&);
  using ResultField = sup::v1::WorkerCommandResponse* (sup::v1::Response::*)();
  sup::v1::Response CommandReply(sup::v1::Response response,
                                 const sup::v1::WorkerCommandRequest& request, Verb verb,
                                 ResultField field);

  ControlPorts ports_;
  DaemonIdentity identity_;
  ControlLimits limits_;
  std::chrono::steady_clock::time_point started_;
  std::set<ControlSession*> streams_;  // sessions with a follow stream open
  // The previous CPU sample of each worker: a Status reports CPU percent since the one before.
  // Mutable: reading resources is a const request that remembers when it last read them.
  mutable CpuUsage cpu_usage_;
  RequestCounts request_counts_;
  bool ending_ = false;
};

}  // namespace sup::control

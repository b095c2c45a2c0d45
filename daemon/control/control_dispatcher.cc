#include "daemon/control/control_dispatcher.h"

#include <algorithm>

#include "common/case_insensitive.h"
#include "common/config/validate.h"
#include "common/protocol.h"
#include "common/text_encoding.h"
#include "daemon/control/reply_fit.h"
#include "daemon/control/status_wire.h"

namespace sup::control {
namespace {

using VerbCase = sup::v1::Request::BodyCase;

// How many of a worker's last output lines Describe shows.
constexpr std::size_t kDescribeTailLines = 10;

sup::v1::Response ErrorReply(std::uint64_t request_id, ErrorKind kind, std::string message) {
  sup::v1::Response response;
  response.set_request_id(request_id);
  response.mutable_error()->set_code(ToWireCode(kind));
  response.mutable_error()->set_message(std::move(message));
  return response;
}

sup::v1::WorkerCommandResult::Outcome ToWire(engine::CommandResult::Outcome outcome) {
  switch (outcome) {
    case engine::CommandResult::Outcome::kDone: return sup::v1::WorkerCommandResult::DONE;
    case engine::CommandResult::Outcome::kAlready: return sup::v1::WorkerCommandResult::ALREADY;
    case engine::CommandResult::Outcome::kNotFound: return sup::v1::WorkerCommandResult::NOT_FOUND;
    case engine::CommandResult::Outcome::kRefused: return sup::v1::WorkerCommandResult::REFUSED;
  }
  return sup::v1::WorkerCommandResult::OUTCOME_UNSPECIFIED;
}

OutputStream StreamOf(const sup::v1::LogsRequest& request) {
  return request.error_stream() ? OutputStream::kStderr : OutputStream::kStdout;
}

bool IsFollow(const sup::v1::Request& request) {
  return (request.has_logs() && request.logs().follow()) ||
         (request.has_events() && request.events().follow());
}

void AddNames(const std::vector<std::string>& names,
              google::protobuf::RepeatedPtrField<std::string>* field) {
  for (const std::string& name : names) field->Add(std::string(name));
}

}  // namespace

// One client of the control pipe. A follow request turns the connection into a one-way stream:
// the subscription lives as long as the session, which the connection destroys when it closes.
class ControlDispatcher::ControlSession final : public Session {
 public:
  ControlSession(ControlDispatcher& dispatcher, FrameSink& sink, Caller caller)
      : dispatcher_(dispatcher), sink_(sink), caller_(std::move(caller)) {}
  ~ControlSession() override { dispatcher_.streams_.erase(this); }

  Result<void> OnFrame(std::string_view payload) override {
    if (streaming()) {
      return Error(ErrorKind::kInvalidArgument,
                   "a request arrived on a connection that carries a stream");
    }
    sup::v1::Request request;
    if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Error(ErrorKind::kInvalidArgument,
                   "frame of " + std::to_string(payload.size()) + " bytes is not a sup.v1.Request");
    }
    if (request.body_case() != VerbCase::BODY_NOT_SET &&
        !MayUse(caller_.role, request.body_case())) {
      Answer(request,
             ErrorReply(request.request_id(), ErrorKind::kPermissionDenied,
                        std::string(VerbName(request.body_case())) + " is not allowed for " +
                            (caller_.name.empty() ? "this caller" : caller_.name) + " (" +
                            RoleName(caller_.role) + ")"));
      return Ok();
    }
    if (!IsFollow(request)) {
      Answer(request, dispatcher_.Handle(request));
      return Ok();
    }
    if (dispatcher_.ending_ || dispatcher_.streams_.size() >= dispatcher_.limits_.max_streams) {
      Answer(request, ErrorReply(request.request_id(), ErrorKind::kUnavailable,
                                 dispatcher_.ending_
                                     ? "supd is stopping"
                                     : "too many open streams (MaxStreams is " +
                                           std::to_string(dispatcher_.limits_.max_streams) + ")"));
      return Ok();
    }
    sup::v1::Response first = dispatcher_.Handle(request);
    const bool failed = first.has_error();
    Answer(request, first);
    if (!failed) OpenStream(request);
    return Ok();
  }

  bool streaming() const override { return static_cast<bool>(subscription_); }

  // The last frame of the stream, then the connection ends.
  void End() {
    subscription_.Cancel();
    sup::v1::Response last;
    last.set_request_id(stream_request_id_);
    if (logs_stream_) {
      last.mutable_logs()->set_end_of_stream(true);
    } else {
      last.mutable_events()->set_end_of_stream(true);
    }
    Reply(last);
    sink_.End();
  }

 private:
  // The reply to a request, counted by verb and result (sup_control_requests_total).
  void Answer(const sup::v1::Request& request, const sup::v1::Response& response) {
    std::string result = "ok";
    if (response.has_error()) {
      result = std::string(ErrorKindName(FromWireCode(response.error().code())));
      std::replace(result.begin(), result.end(), ' ', '_');
    }
    ++dispatcher_.request_counts_[{VerbName(request.body_case()), result}];
    if (dispatcher_.ports_.audit && Changes(request.body_case()))
      dispatcher_.ports_.audit->Audit(AuditOf(request, result));
    Reply(response);
  }

  // The verbs that change what runs: each request of them is audited, allowed or not.
  static bool Changes(VerbCase verb) {
    return verb == VerbCase::kStart || verb == VerbCase::kStop || verb == VerbCase::kRestart ||
           verb == VerbCase::kReset || verb == VerbCase::kUpdate || verb == VerbCase::kSetPassword;
  }

  AuditRecord AuditOf(const sup::v1::Request& request, const std::string& result) const {
    AuditRecord record{
        caller_.name, RoleName(caller_.role), VerbName(request.body_case()), {}, result};
    const auto add = [&](const auto& names, bool all) {
      record.workers.assign(names.begin(), names.end());
      if (all) record.workers.push_back("all");
    };
    switch (request.body_case()) {
      case VerbCase::kStart: add(request.start().workers(), request.start().all()); break;
      case VerbCase::kStop: add(request.stop().workers(), request.stop().all()); break;
      case VerbCase::kRestart: add(request.restart().workers(), request.restart().all()); break;
      case VerbCase::kReset: add(request.reset().workers(), request.reset().all()); break;
      case VerbCase::kUpdate:
        add(request.update().workers(), request.update().workers().empty());
        break;
      case VerbCase::kSetPassword:  // the worker's name only, never the password
        record.workers.push_back(request.set_password().worker());
        break;
      default: break;
    }
    return record;
  }

  // A reply that cannot fit the frame limit even after its output was trimmed becomes an error
  // reply: the client learns why, and the connection stays up.
  void Reply(const sup::v1::Response& response) {
    const std::size_t bytes = response.ByteSizeLong();
    if (bytes <= dispatcher_.limits_.max_frame_bytes) {
      sink_.Send(response.SerializeAsString());
      return;
    }
    sink_.Send(ErrorReply(response.request_id(), ErrorKind::kFailedPrecondition,
                          "the reply of " + std::to_string(bytes) +
                              " bytes does not fit MaxFrameBytes (" +
                              std::to_string(dispatcher_.limits_.max_frame_bytes) + ")")
                   .SerializeAsString());
  }

  void OpenStream(const sup::v1::Request& request) {
    stream_request_id_ = request.request_id();
    if (request.has_logs()) {
      logs_stream_ = true;
      Result<Subscription> followed = dispatcher_.ports_.output.Follow(
          request.logs().worker(), StreamOf(request.logs()),
          [this](const std::vector<std::string>& lines) { SendLines(lines); },
          [this] {  // the worker was removed, or its output goes elsewhere now
            dispatcher_.streams_.erase(this);
            End();
          });
      if (!followed) return;  // the first frame already said why (Logs checks the same)
      subscription_ = std::move(*followed);
    } else {
      subscription_ = dispatcher_.ports_.events.Follow([this](const engine::Event& event) {
        sup::v1::Response frame;
        frame.set_request_id(stream_request_id_);
        *frame.mutable_events()->add_events() = ToWireEvent(event, dispatcher_.ports_.clock);
        Reply(frame);
      });
    }
    dispatcher_.streams_.insert(this);
  }

  // A chunk of followed lines, in as many frames as the frame limit needs.
  void SendLines(const std::vector<std::string>& lines) {
    for (std::vector<std::string>& group : SplitToFit(lines, dispatcher_.LineBudget())) {
      sup::v1::Response frame;
      frame.set_request_id(stream_request_id_);
      for (std::string& line : group) frame.mutable_logs()->add_lines(std::move(line));
      Reply(frame);
    }
  }

  ControlDispatcher& dispatcher_;
  FrameSink& sink_;
  Caller caller_;
  Subscription subscription_;
  std::uint64_t stream_request_id_ = 0;
  bool logs_stream_ = false;
};

ControlDispatcher::ControlDispatcher(ControlPorts ports, DaemonIdentity identity,
                                     ControlLimits limits)
    : ports_(ports),
      identity_(std::move(identity)),
      limits_(limits),
      started_(ports.clock.SteadyNow()),
      cpu_usage_(limits.processors) {}

ControlDispatcher::~ControlDispatcher() = default;

std::unique_ptr<Session> ControlDispatcher::Open(FrameSink& sink, const Caller& caller) {
  return std::make_unique<ControlSession>(*this, sink, caller);
}

void ControlDispatcher::EndStreams() {
  ending_ = true;
  const std::set<ControlSession*> open = streams_;
  streams_.clear();
  for (ControlSession* session : open) session->End();
}

sup::v1::Response ControlDispatcher::Handle(const sup::v1::Request& request) {
  const std::uint64_t id = request.request_id();
  if (std::optional<std::string> unsupported =
          UnsupportedProtocolVersion(request.protocol_version())) {
    return ErrorReply(id, ErrorKind::kFailedPrecondition, *unsupported);
  }
  sup::v1::Response response;
  response.set_request_id(id);
  // Puts a verb's result into the reply, or its error instead.
  const auto fill = [&](auto result, auto* field) {
    if (!result) return ErrorReply(id, result.error().kind(), result.error().message());
    *field = std::move(*result);
    return response;
  };
  switch (request.body_case()) {
    case VerbCase::kVersion:
      response.mutable_version()->set_daemon_version(identity_.version);
      response.mutable_version()->set_daemon_commit(identity_.commit);
      response.mutable_version()->set_protocol_version(kProtocolVersion);
      return response;
    case VerbCase::kStatus: return fill(Status(request.status()), response.mutable_status());
    case VerbCase::kStart:
      return CommandReply(std::move(response), request.start(), &engine::Supervisor::Start,
                          &sup::v1::Response::mutable_start);
    case VerbCase::kStop:
      return CommandReply(std::move(response), request.stop(), &engine::Supervisor::Stop,
                          &sup::v1::Response::mutable_stop);
    case VerbCase::kRestart:
      return CommandReply(std::move(response), request.restart(), &engine::Supervisor::Restart,
                          &sup::v1::Response::mutable_restart);
    case VerbCase::kReset:
      return CommandReply(std::move(response), request.reset(), &engine::Supervisor::Reset,
                          &sup::v1::Response::mutable_reset);
    case VerbCase::kDescribe:
      return fill(Describe(request.describe()), response.mutable_describe());
    case VerbCase::kLogs: return fill(Logs(request.logs()), response.mutable_logs());
    case VerbCase::kEvents: *response.mutable_events() = Events(request.events()); return response;
    case VerbCase::kReread:
      return fill(Reconfigure({}, /*apply=*/false), response.mutable_reread());
    case VerbCase::kUpdate: {
      const std::vector<std::string> names(request.update().workers().begin(),
                                           request.update().workers().end());
      return fill(Reconfigure(names, /*apply=*/true), response.mutable_update());
    }
    case VerbCase::kSetPassword:
      return fill(SetPassword(request.set_password()), response.mutable_set_password());
    case VerbCase::BODY_NOT_SET: break;
  }
  return ErrorReply(id, ErrorKind::kInvalidArgument, "request has no verb this supd knows");
}

Result<sup::v1::StatusResponse> ControlDispatcher::Status(
    const sup::v1::StatusRequest& request) const {
  sup::v1::StatusResponse status;
  std::string unknown;
  std::vector<engine::WorkerSnapshot> workers;
  const bool all = request.workers().empty();
  if (all) {
    workers = ports_.supervisor.Snapshot();
  } else {
    for (const std::string& name : request.workers()) {
      std::optional<engine::WorkerSnapshot> worker = ports_.supervisor.Snapshot(name);
      if (!worker) {
        unknown += (unknown.empty() ? "" : ", ") + name;
        continue;
      }
      workers.push_back(std::move(*worker));
    }
  }
  if (!unknown.empty()) return Error(ErrorKind::kNotFound, "no such worker: " + unknown);
  std::vector<std::string> running;
  for (const engine::WorkerSnapshot& worker : workers)
    if (worker.pid != 0) running.push_back(worker.name);
  const std::map<std::string, ResourceSample> samples = SampleResources(running, all);
  for (const engine::WorkerSnapshot& worker : workers) {
    const auto sample = samples.find(worker.name);
    *status.add_workers() = WireStatus(worker, sample == samples.end() ? nullptr : &sample->second);
  }
  sup::v1::DaemonStatus* daemon = status.mutable_daemon();
  daemon->set_pid(identity_.pid);
  daemon->set_version(identity_.version);
  daemon->set_uptime_ms(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(ports_.clock.SteadyNow() - started_)
          .count()));
  daemon->set_config_generation(ports_.supervisor.config_generation());
  if (ports_.problems) {
    for (const std::string& problem : ports_.problems->List()) daemon->add_problems(problem);
  }
  daemon->set_server_time_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      ports_.clock.WallNow().time_since_epoch())
                                      .count());
  return status;
}

// A worker's wire status, its description also saying what fails with its log files: an admin
// sees "log rotation failing since ..." in `supctl status` and `describe`, not only in supd's log.
std::map<std::string, ResourceSample> ControlDispatcher::SampleResources(
    const std::vector<std::string>& workers, bool all) const {
  std::map<std::string, ResourceSample> samples =
      workers.empty() ? std::map<std::string, ResourceSample>{} : ports_.resources.Sample(workers);
  if (all) cpu_usage_.Keep(samples);  // workers removed or stopped start afresh next time
  return samples;
}

sup::v1::WorkerStatus ControlDispatcher::WireStatus(const engine::WorkerSnapshot& snapshot,
                                                    const ResourceSample* sample) const {
  sup::v1::WorkerStatus wire = ToWireStatus(snapshot);
  if (sample) {
    sup::v1::WorkerResources* resources = wire.mutable_resources();
    resources->set_cpu_seconds(
        std::chrono::duration<double>(sample->cpu_user + sample->cpu_kernel).count());
    resources->set_cpu_percent(cpu_usage_.Percent(snapshot.name, *sample));
    resources->set_working_set_bytes(sample->working_set_bytes);
    resources->set_private_bytes(sample->private_bytes);
    resources->set_processes(sample->processes);
    resources->set_handles(sample->handles);
    resources->set_io_read_bytes(sample->io_read_bytes);
    resources->set_io_write_bytes(sample->io_write_bytes);
  }
  if (std::optional<std::string> problem = ports_.output.Problem(snapshot.name))
    wire.set_description(wire.description() + "; " + *problem);
  return wire;
}

// What a reply may spend on output lines: the frame limit less room for the reply's envelope
// (request id, the verb's field, end_of_stream).
std::size_t ControlDispatcher::LineBudget() const {
  constexpr std::size_t kEnvelopeBytes = 64;
  return limits_.max_frame_bytes > kEnvelopeBytes ? limits_.max_frame_bytes - kEnvelopeBytes : 0;
}

namespace {

// Whether a worker defined by `identity` is logged on with a password supd keeps.
bool LogsOnWithPassword(const WorkerIdentity& identity) {
  return identity.account.needs_password() && identity.logon_type == LogonType::kService;
}

}  // namespace

Result<sup::v1::SetPasswordResponse> ControlDispatcher::SetPassword(
    const sup::v1::SetPasswordRequest& request) {
  const std::string& worker = request.worker();
  if (!config::IsValidWorkerName(worker)) {
    return Error(ErrorKind::kInvalidArgument,
                 "\"" + ToValidUtf8(worker.substr(0, 64)) +
                     "\" is no worker name (1 to 64 letters, digits, '.', '_' or '-')");
  }
  if (!ports_.passwords)
    return Error(ErrorKind::kFailedPrecondition, "this supd keeps no passwords");
  sup::v1::SetPasswordResponse reply;
  if (request.forget()) {
    if (!request.password().empty()) {
      return Error(ErrorKind::kInvalidArgument, "a password and forget: ask for one or the other");
    }
    const bool had = ports_.passwords->Has(worker);
    if (Result<void> forgotten = ports_.passwords->Forget(worker); !forgotten)
      return forgotten.error();
    reply.set_message(had ? "password of " + worker + " forgotten"
                          : "no password of " + worker + " was kept");
    return reply;
  }
  // What Windows takes: at most 256 characters (LogonUser's limit), no NUL, valid text.
  const std::string& password = request.password();
  if (password.empty())
    return Error(ErrorKind::kInvalidArgument, "an empty password (to forget one: --forget)");
  if (password.size() > 1024 || password.find('\0') != std::string::npos ||
      !IsValidUtf8(password)) {
    return Error(ErrorKind::kInvalidArgument,
                 "the password is not text Windows takes (UTF-8, no NUL, at most 1024 bytes)");
  }
  if (Result<void> kept = ports_.passwords->Keep(worker, password); !kept) return kept.error();
  std::string message = "password of " + worker + " kept (encrypted for SYSTEM)";
  const std::map<std::string, WorkerConfig> definitions = ports_.supervisor.DefinitionsInForce();
  const auto definition = definitions.find(worker);
  if (definition == definitions.end()) {
    message += "; no worker " + worker + " is defined yet";
  } else if (!LogsOnWithPassword(definition->second.launch.identity)) {
    message +=
        "; " + worker + " runs as " + definition->second.launch.identity.account.ToString() +
        (definition->second.launch.identity.logon_type == LogonType::kS4u ? " by s4u, without it"
                                                                          : ", which needs none");
  } else {
    message += "; used from " + worker + "'s next start";
  }
  reply.set_message(message);
  return reply;
}

Result<sup::v1::DescribeResponse> ControlDispatcher::Describe(
    const sup::v1::DescribeRequest& request) const {
  std::optional<engine::WorkerSnapshot> snapshot = ports_.supervisor.Snapshot(request.worker());
  if (!snapshot) return Error(ErrorKind::kNotFound, "no such worker: " + request.worker());
  sup::v1::DescribeResponse describe;
  const std::map<std::string, ResourceSample> samples =
      snapshot->pid != 0 ? SampleResources({snapshot->name}, false)
                         : std::map<std::string, ResourceSample>{};
  const auto sample = samples.find(snapshot->name);
  *describe.mutable_status() =
      WireStatus(*snapshot, sample == samples.end() ? nullptr : &sample->second);
  const std::map<std::string, WorkerConfig> definitions = ports_.supervisor.DefinitionsInForce();
  if (const auto definition = definitions.find(request.worker()); definition != definitions.end()) {
    const LaunchConfig& launch = definition->second.launch;
    if (LogsOnWithPassword(launch.identity)) {
      describe.set_password(ports_.passwords && ports_.passwords->Has(request.worker())
                                ? sup::v1::DescribeResponse::PASSWORD_KEPT
                                : sup::v1::DescribeResponse::PASSWORD_MISSING);
    }
    describe.set_shared_tail(!launch.stdout_log.empty() &&
                             EqualsIgnoringCase(launch.stdout_log, launch.stderr_log));
    for (const auto& [name, value] : definition->second.settings) {
      sup::v1::ConfigValue* wire = describe.add_config();
      wire->set_name(name);
      wire->set_value(value);
    }
  }
  for (const ConfigError& error : snapshot->config_errors)
    describe.add_config_errors(error.ToString());
  for (const engine::Event& event : ports_.supervisor.RecentEvents(request.worker())) {
    *describe.add_recent_events() = ToWireEvent(event, ports_.clock);
  }
  // A stream that is not captured simply has no lines here. The two tails share what the frame
  // limit leaves: stderr up to half of it, stdout the rest. One file for both: one tail.
  const std::size_t used = describe.ByteSizeLong();
  std::size_t budget = LineBudget() > used ? LineBudget() - used : 0;
  if (auto err = ports_.output.Tail(request.worker(), OutputStream::kStderr, kDescribeTailLines);
      err && !describe.shared_tail()) {
    for (std::string& line : FitTail(std::move(*err), budget / 2)) {
      budget -= std::min(budget, line.size() + kLineOverheadBytes);
      describe.add_stderr_tail(std::move(line));
    }
  }
  if (auto out = ports_.output.Tail(request.worker(), OutputStream::kStdout, kDescribeTailLines)) {
    for (std::string& line : FitTail(std::move(*out), budget))
      describe.add_stdout_tail(std::move(line));
  }
  return describe;
}

Result<sup::v1::LogsResponse> ControlDispatcher::Logs(const sup::v1::LogsRequest& request) const {
  if (!ports_.supervisor.Snapshot(request.worker())) {
    return Error(ErrorKind::kNotFound, "no such worker: " + request.worker());
  }
  Result<std::vector<std::string>> tail =
      ports_.output.Tail(request.worker(), StreamOf(request), request.lines());
  if (!tail) return Error(ErrorKind::kFailedPrecondition, tail.error().message());
  sup::v1::LogsResponse logs;
  for (std::string& line : FitTail(std::move(*tail), LineBudget())) logs.add_lines(std::move(line));
  return logs;
}

sup::v1::EventsResponse ControlDispatcher::Events(const sup::v1::EventsRequest& request) const {
  // Each worker's own ring (where repeated probe failures fold into one event, its count rising),
  // and for workers no longer there the daemon-wide ring, which outlives them.
  std::vector<engine::Event> recent;
  std::set<std::string> present;
  for (const engine::WorkerSnapshot& worker : ports_.supervisor.Snapshot()) {
    present.insert(worker.name);
    for (engine::Event& event : ports_.supervisor.RecentEvents(worker.name))
      recent.push_back(std::move(event));
  }
  for (engine::Event& event : ports_.events.Recent(EventFeed::kRecentEvents)) {
    if (!present.contains(event.worker)) recent.push_back(std::move(event));
  }
  std::stable_sort(recent.begin(), recent.end(),
                   [](const engine::Event& a, const engine::Event& b) { return a.time < b.time; });
  const std::size_t keep = std::min<std::size_t>(request.limit(), recent.size());
  sup::v1::EventsResponse events;
  for (auto it = recent.end() - static_cast<std::ptrdiff_t>(keep); it != recent.end(); ++it)
    *events.add_events() = ToWireEvent(*it, ports_.clock);
  return events;
}

Result<sup::v1::ConfigDiffResponse> ControlDispatcher::Reconfigure(
    const std::vector<std::string>& names, bool apply) {
  Result<ApplyOutcome> outcome = apply ? ports_.config.Apply(ApplyTrigger::kUpdateRequest, names)
                                       : ports_.config.Preview(names);
  if (!outcome) return outcome.error();
  sup::v1::ConfigDiffResponse reply;
  for (const ConfigError& error : outcome->read.daemon_errors) reply.add_errors(error.ToString());
  for (const auto& [name, errors] : outcome->read.invalid_workers) {
    for (const ConfigError& error : errors) reply.add_errors(error.ToString());
  }
  const config::ConfigDiff& diff = outcome->diff;
  AddNames(diff.added, reply.mutable_added());
  AddNames(diff.removed, reply.mutable_removed());
  AddNames(diff.launch_changed, reply.mutable_restarted());
  AddNames(diff.policy_changed, reply.mutable_updated());
  AddNames(diff.unchanged, reply.mutable_unchanged());
  AddNames(diff.invalid, reply.mutable_invalid());
  return reply;
}

sup::v1::Response ControlDispatcher::CommandReply(sup::v1::Response response,
                                                  const sup::v1::WorkerCommandRequest& request,
                                                  Verb verb, ResultField field) {
  if (request.all() == !request.workers().empty()) {
    return ErrorReply(response.request_id(), ErrorKind::kInvalidArgument,
                      "name workers, or ask for all of them, but not both");
  }
  const std::vector<std::string> names(request.workers().begin(), request.workers().end());
  sup::v1::WorkerCommandResponse* results = (response.*field)();
  for (const engine::CommandResult& result : (ports_.supervisor.*verb)(names)) {
    sup::v1::WorkerCommandResult* wire = results->add_results();
    wire->set_worker(result.worker);
    wire->set_outcome(ToWire(result.outcome));
    wire->set_message(result.message);
    wire->set_dependency_of(result.dependency_of);
    wire->set_launches(result.launches);
  }
  return response;
}

}  // namespace sup::control

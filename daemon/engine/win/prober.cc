#include "daemon/engine/win/prober.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <optional>

#include "common/format.h"
#include "common/win/pipe_client.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"
#include "common/config/probe_target.h"
#include "daemon/engine/win/launch_in_job.h"
#include "daemon/engine/win/worker_environment.h"

namespace sup::win {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// One probe in flight: whichever of the result and the deadline comes first finishes it.
struct ProbeRun : std::enable_shared_from_this<ProbeRun> {
  ProbeRun(asio::io_context& io, std::function<void(engine::ProbeResult)> done)
      : deadline(io), retry(io), socket(io), done(std::move(done)) {}

  void Finish(bool success, std::string message) {
    if (End()) done({success, std::move(message)});
  }

  // Ends the probe without a result (supd is stopping).
  void Abandon() { End(); }

  // Stops whatever the probe has under way; false if it had ended already.
  bool End() {
    if (finished) return false;
    finished = true;
    deadline.cancel();
    retry.cancel();
    error_code ignored;
    socket.close(ignored);
    if (job) ::TerminateJobObject(job.get(), 1);
    return true;
  }

  void ArmDeadline(Millis timeout) {
    deadline.expires_after(timeout);
    deadline.async_wait([self = shared_from_this(), timeout](error_code ec) {
      if (!ec) self->Finish(false, "timed out after " + std::to_string(timeout.count()) + " ms");
    });
  }

  bool finished = false;
  asio::steady_timer deadline;
  asio::steady_timer retry;  // pipe probes: the next try while every instance is busy
  tcp::socket socket;
  HostResolver::Endpoints endpoints;  // what async_connect tries, in order
  std::string request;
  std::optional<boost::beast::flat_buffer> http_buffer;  // http probes: bounded by kHttpHeaderLimit
  std::optional<http::response_parser<http::empty_body>> http_response;
  UniqueHandle job;  // exec probes
  std::unique_ptr<asio::windows::object_handle> exit_watch;
  std::function<void(engine::ProbeResult)> done;
};

namespace {

// The most of an HTTP probe's response supd reads: the status line and headers (the body is
// never read). An endpoint that sends more, or never ends its headers, fails the probe at once
// instead of growing supd's memory until the timeout.
constexpr std::size_t kHttpHeaderLimit = 16 * 1024;

void Connect(const std::shared_ptr<ProbeRun>& run, HostResolver& resolver, const std::string& host,
             const std::string& port, std::function<void()> connected) {
  // A numeric address needs no lookup.
  error_code not_numeric;
  const asio::ip::address address = asio::ip::make_address(host, not_numeric);
  if (!not_numeric) {
    run->socket.async_connect(tcp::endpoint(address, static_cast<unsigned short>(std::stoi(port))),
                              [run, connected](error_code ec) {
                                if (ec)
                                  return run->Finish(false, "connect failed: " + Utf8Message(ec));
                                connected();
                              });
    return;
  }
  resolver.Resolve(host, port, [run, connected](Result<HostResolver::Endpoints> endpoints) {
    if (run->finished) return;  // timed out while the lookup ran
    if (!endpoints) return run->Finish(false, "cannot resolve: " + endpoints.error().message());
    run->endpoints = std::move(*endpoints);
    asio::async_connect(run->socket, run->endpoints,
                        [run, connected](error_code ec, const tcp::endpoint&) {
                          if (ec) return run->Finish(false, "connect failed: " + Utf8Message(ec));
                          connected();
                        });
  });
}

void HttpGet(const std::shared_ptr<ProbeRun>& run, const config::HttpTarget& target) {
  run->request = "GET " + target.path + " HTTP/1.0\r\nHost: " + target.host +
                 "\r\nUser-Agent: supd-probe\r\n" + "Connection: close\r\n\r\n";
  asio::async_write(run->socket, asio::buffer(run->request), [run](error_code ec, std::size_t) {
    if (ec) return run->Finish(false, "sending the request failed: " + Utf8Message(ec));
    run->http_buffer.emplace(kHttpHeaderLimit);
    run->http_response.emplace();
    run->http_response->header_limit(kHttpHeaderLimit);
    http::async_read_header(
        run->socket, *run->http_buffer, *run->http_response, [run](error_code ec, std::size_t) {
          if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
            return run->Finish(false, "the response's status line and headers pass " +
                                          std::to_string(kHttpHeaderLimit / 1024) + " KiB");
          }
          if (ec) return run->Finish(false, "no HTTP response: " + Utf8Message(ec));
          const unsigned status = run->http_response->get().result_int();
          run->Finish(status >= 200 && status <= 399, "HTTP " + std::to_string(status));
        });
  });
}

// Whether process `pid` runs in `job`. (PROCESS_QUERY_INFORMATION: Windows also accepts the
// limited right, Wine's IsProcessInJob does not.)
bool InJob(DWORD pid, HANDLE job) {
  const UniqueHandle process{::OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid)};
  BOOL in_job = FALSE;
  return process && job && ::IsProcessInJob(process.get(), job, &in_job) && in_job;
}

// Passes when the worker serves the pipe: a process that created the name first (while the
// worker restarts, say) must make the probe fail, not pass. Connected at identification level,
// so whoever serves the pipe may learn that supd asks but never act as SYSTEM. Every instance
// busy: tried again shortly, until the probe's deadline. `worker_job` is asked when the server is
// known (the worker may have restarted meanwhile, in a new job).
void ProbePipe(const std::shared_ptr<ProbeRun>& run, const std::string& name,
               std::function<HANDLE()> worker_job) {
  if (run->finished) return;
  const std::string display = "\\\\.\\pipe\\" + name;
  UniqueFileHandle pipe{::CreateFileW(PipePath(name).c_str(), FILE_READ_ATTRIBUTES, 0, nullptr,
                                      OPEN_EXISTING,
                                      SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr)};
  if (!pipe) {
    const DWORD error = ::GetLastError();
    if (error != ERROR_PIPE_BUSY)
      return run->Finish(false, Win32Error("connecting to " + display, error).message());
    run->retry.expires_after(std::chrono::milliseconds(50));
    run->retry.async_wait([run, name, worker_job](error_code ec) {
      if (!ec) ProbePipe(run, name, worker_job);
    });
    return;
  }
  ULONG pid = 0;
  if (!::GetNamedPipeServerProcessId(pipe.get(), &pid))
    return run->Finish(false, Win32Error("asking who serves " + display).message());
  if (!InJob(pid, worker_job())) {
    return run->Finish(false, display + " is served by pid " + std::to_string(pid) +
                                  ", which is not one of the worker's processes");
  }
  run->Finish(true, "");
}

// The command starts on a file worker (CreateProcess opens its image, which another program may
// hold): the io thread never waits for it, and the probe's deadline ends a start that does not
// end. Only the newest start of a worker's exec probe waits there: an older one's probe has
// timed out already.
void ProbeExec(const std::shared_ptr<ProbeRun>& run, asio::io_context& io, FileWorkers& files,
               const IoInbox& inbox, const std::string& worker, const std::string& command,
               JobLauncher::RunAs run_as) {
  auto job = std::make_shared<UniqueHandle>(::CreateJobObjectW(nullptr, nullptr));
  if (!*job) return run->Finish(false, Win32Error("CreateJobObjectW").message());
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  ::SetInformationJobObject(job->get(), JobObjectExtendedLimitInformation, &limits, sizeof(limits));
  files.Replace("probe " + worker, [run, &io, inbox, job, command, run_as = std::move(run_as)] {
    STARTUPINFOW startup{};
    startup.cb = sizeof(startup);
    std::wstring desktop = run_as.desktop;
    if (!desktop.empty()) startup.lpDesktop = desktop.data();
    // An account's probe runs in the account's environment (its profile, its TEMP), as the
    // worker does; a LocalSystem worker's in supd's.
    const std::wstring environment =
        run_as.environment ? EnvironmentBlock(*run_as.environment) : std::wstring();
    auto started = std::make_shared<Result<StartedProcess>>(
        LaunchInJob(job->get(), {.command_line = Widen(command),
                                 .flags = CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT,
                                 .environment = run_as.environment ? &environment : nullptr,
                                 .startup = &startup,
                                 .token = run_as.token ? run_as.token->get() : nullptr,
                                 .what = "\"" + command + "\""}));
    inbox.Post([run, &io, job, started] {
      if (!*started) return run->Finish(false, started->error().message());
      if (run->finished) return;  // timed out meanwhile: the job closes with `job`, and kills it
      run->job = std::move(*job);
      // The run keeps the watch until its wait completes (a timeout terminates the job, which
      // ends the wait): destroying an object_handle whose wait is completing blocks.
      run->exit_watch =
          std::make_unique<asio::windows::object_handle>(io, (*started)->process.release());
      run->exit_watch->async_wait([run](error_code ec) {
        if (ec) return;
        DWORD code = 1;
        ::GetExitCodeProcess(run->exit_watch->native_handle(), &code);
        run->Finish(code == 0, code == 0 ? "" : "exit code " + FormatExitCode(code));
      });
    });
  });
}

}  // namespace

bool Prober::InAProbesJob(HANDLE process) const {
  for (const std::weak_ptr<ProbeRun>& weak : in_flight_) {
    const std::shared_ptr<ProbeRun> run = weak.lock();
    BOOL inside = FALSE;
    if (run && run->job && ::IsProcessInJob(process, run->job.get(), &inside) && inside)
      return true;
  }
  return false;
}

void Prober::Stop() {
  stopped_ = true;
  resolver_.Stop();
  for (const std::weak_ptr<ProbeRun>& weak : in_flight_) {
    if (std::shared_ptr<ProbeRun> run = weak.lock()) run->Abandon();
  }
  in_flight_.clear();
}

void Prober::Run(const std::string& worker, const ProbeConfig& probe,
                 std::function<void(engine::ProbeResult)> done) {
  if (stopped_) return;
  auto run = std::make_shared<ProbeRun>(io_, std::move(done));
  std::erase_if(in_flight_, [](const std::weak_ptr<ProbeRun>& r) { return r.expired(); });
  in_flight_.push_back(run);
  run->ArmDeadline(probe.timeout);
  switch (probe.type) {
    case ProbeType::kTcp: {
      Result<config::HostPort> address = config::ParseHostPort(probe.target);
      if (!address) return run->Finish(false, address.error().message());
      Connect(run, resolver_, address->host, address->port, [run] { run->Finish(true, ""); });
      return;
    }
    case ProbeType::kHttp: {
      Result<config::HttpTarget> target = config::ParseHttpTarget(probe.target);
      if (!target) return run->Finish(false, target.error().message());
      Connect(run, resolver_, target->host, target->port,
              [run, target = *target] { HttpGet(run, target); });
      return;
    }
    case ProbeType::kPipe:
      ProbePipe(run, probe.target, [job_of = job_of_, worker] { return job_of(worker); });
      return;
    case ProbeType::kExec:
      ProbeExec(run, io_, files_, inbox_, worker, probe.target, run_as_of_(worker));
      return;
  }
}

}  // namespace sup::win

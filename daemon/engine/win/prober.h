// The Windows Prober: tcp (connect), http (GET, status 200-399), pipe (connect to a named pipe
// served from the worker's own job) and exec (a command in a job of its own, exit code 0), each
// bounded by the probe's TimeoutMs.
//
// Threading: io thread; `done` is called on the io thread exactly once per probe, until Stop.
#pragma once

#include "daemon/win/asio.h"

#include <functional>
#include <memory>
#include <string>

#include "daemon/engine/ports.h"
#include "common/file_workers.h"
#include "common/win/unique_handle.h"
#include "daemon/engine/win/job_launcher.h"
#include "daemon/engine/win/host_resolver.h"
#include "daemon/win/io_inbox.h"

#include <vector>

namespace sup::win {

struct ProbeRun;  // one probe in flight (prober.cc)

class Prober final : public engine::Prober {
 public:
  // The job of a worker's running process, or null (JobLauncher::JobOf).
  using JobOf = std::function<HANDLE(const std::string& worker)>;
  // What a worker's processes run with (its token and desktop), which its exec probes run with
  // too (JobLauncher::RunAsOf).
  using RunAsOf = std::function<JobLauncher::RunAs(const std::string& worker)>;

  // Exec probes' commands start on `files` (their outcome back through `inbox`).
  Prober(boost::asio::io_context& io, FileWorkers& files, IoInbox inbox, JobOf job_of,
         RunAsOf run_as_of)
      : io_(io),
        files_(files),
        inbox_(std::move(inbox)),
        job_of_(std::move(job_of)),
        run_as_of_(std::move(run_as_of)),
        resolver_(io) {}
  void Run(const std::string& worker, const ProbeConfig& probe,
           std::function<void(engine::ProbeResult)> done) override;

  // Whether `process` runs in the job of an exec probe in flight: a probe's command runs with its
  // worker's token, so on supd's pipes it is a worker too (JobLauncher::InAWorkersJob).
  bool InAProbesJob(HANDLE process) const;

  // supd is stopping: every probe in flight is abandoned now (its connection closed, its
  // command's job terminated, its `done` never called), so none keeps supd's stop waiting for its
  // timeout; later Runs are ignored.
  void Stop();

 private:
  boost::asio::io_context& io_;
  FileWorkers& files_;
  IoInbox inbox_;
  JobOf job_of_;
  RunAsOf run_as_of_;
  HostResolver resolver_;
  std::vector<std::weak_ptr<ProbeRun>> in_flight_;
  bool stopped_ = false;
};

}  // namespace sup::win

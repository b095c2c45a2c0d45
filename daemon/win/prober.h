// The Windows Prober: tcp (connect), http (GET, status 200-399), pipe (connect to a named pipe
// served from the worker's own job) and exec (a command in a job of its own, exit code 0), each
// bounded by the probe's TimeoutMs.
//
// Threading: io thread; `done` is called on the io thread exactly once per probe.
#pragma once

#include "daemon/win/asio.h"

#include <functional>
#include <memory>
#include <string>

#include "daemon/engine/ports.h"

namespace sup::win {

class Prober final : public engine::Prober {
 public:
  // The job of a worker's running process, or null (JobLauncher::JobOf).
  using JobOf = std::function<HANDLE(const std::string& worker)>;

  Prober(boost::asio::io_context& io, JobOf job_of) : io_(io), job_of_(std::move(job_of)) {}
  void Run(const std::string& worker, const ProbeConfig& probe,
           std::function<void(engine::ProbeResult)> done) override;

 private:
  boost::asio::io_context& io_;
  JobOf job_of_;
};

}  // namespace sup::win

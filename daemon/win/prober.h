// The Windows Prober: tcp (connect), http (GET, status 200-399), pipe (connect to a named pipe)
// and exec (a command in a job of its own, exit code 0), each bounded by the probe's TimeoutMs.
//
// Threading: io thread; `done` is called on the io thread exactly once per probe.
#pragma once

#include "daemon/win/asio.h"

#include <memory>

#include "daemon/engine/ports.h"

namespace sup::win {

class Prober final : public engine::Prober {
 public:
  explicit Prober(boost::asio::io_context& io) : io_(io) {}
  void Run(const std::string& worker, const ProbeConfig& probe,
           std::function<void(engine::ProbeResult)> done) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace sup::win

// Host names of tcp and http probes, resolved off the io thread: each lookup on a thread of its
// own, any number of hosts at once, one lookup at a time per host and port (probes asking while
// one runs share its answer). Asio's resolver on Windows runs every lookup on one private thread:
// one slow DNS answer delayed every other worker's probe behind it, and supd's stop waited for it.
//
// Threading: Resolve and Stop on the io thread; `done` is called there. A lookup cannot be
// interrupted: one still running at Stop ends on its own thread, and its answer is dropped.
#pragma once

#include "daemon/win/asio.h"

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"

namespace sup::win {

class HostResolver {
 public:
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
  using Done = std::function<void(Result<Endpoints>)>;
  // The lookup itself, run on the lookup's thread (tests pass one that waits as long as they say).
  using Lookup = std::function<Result<Endpoints>(const std::string& host, const std::string& port)>;

  explicit HostResolver(boost::asio::io_context& io, Lookup lookup = &SystemLookup);
  HostResolver(const HostResolver&) = delete;
  HostResolver& operator=(const HostResolver&) = delete;
  ~HostResolver() { Stop(); }

  void Resolve(const std::string& host, const std::string& port, Done done);
  // Answers still to come are dropped; Resolve does nothing from now on.
  void Stop();

  // GetAddrInfoW: IPv4 and IPv6 addresses of `host` for TCP; an error names the host.
  static Result<Endpoints> SystemLookup(const std::string& host, const std::string& port);

 private:
  // What the lookup threads share with the io thread; outlives the resolver while they run.
  struct Shared {
    std::mutex mutex;
    boost::asio::io_context* io = nullptr;             // null once stopped: answers are dropped
    std::map<std::string, std::vector<Done>> waiting;  // by "host:port"; io thread only
  };

  std::shared_ptr<Shared> shared_;
  Lookup lookup_;
};

}  // namespace sup::win

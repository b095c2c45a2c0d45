// The targets of tcp, http and pipe probes, parsed the same way when the configuration is read
// (a bad target is a configuration error naming it) and when a probe runs.
#pragma once

#include <string>

#include "common/result.h"

namespace sup::config {

struct HostPort {
  std::string host;
  std::string port;  // decimal, 1 to 65535
};

struct HttpTarget {
  std::string host;
  std::string port;
  std::string path;  // "/" when the URL has none
};

// "host:port".
Result<HostPort> ParseHostPort(const std::string& target);
// "http://host[:port][/path]"; https is not supported.
Result<HttpTarget> ParseHttpTarget(const std::string& url);

}  // namespace sup::config

#include "common/config/probe_target.h"

#include <algorithm>
#include <cctype>

namespace sup::config {
namespace {

bool IsPort(const std::string& text) {
  if (text.empty() || text.size() > 5) return false;
  if (!std::all_of(text.begin(), text.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return false;
  }
  const int port = std::stoi(text);
  return port >= 1 && port <= 65535;
}

Error Invalid(const std::string& what) { return Error(ErrorKind::kInvalidArgument, what); }

}  // namespace

Result<HostPort> ParseHostPort(const std::string& target) {
  const std::size_t colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Invalid("\"" + target + "\" is not host:port");
  HostPort address{target.substr(0, colon), target.substr(colon + 1)};
  if (!IsPort(address.port)) return Invalid("\"" + target + "\" has no port from 1 to 65535");
  return address;
}

Result<HttpTarget> ParseHttpTarget(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0)
    return Invalid("\"" + url + "\" is https, which http probes do not speak");
  if (url.rfind(scheme, 0) != 0) return Invalid("\"" + url + "\" does not start with http://");
  const std::string rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  HttpTarget target;
  target.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const std::size_t colon = authority.rfind(':');
  target.host = authority.substr(0, colon);
  target.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (target.host.empty()) return Invalid("\"" + url + "\" has no host");
  if (!IsPort(target.port)) return Invalid("\"" + url + "\" has no port from 1 to 65535");
  return target;
}

}  // namespace sup::config

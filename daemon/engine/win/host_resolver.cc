#include "daemon/engine/win/host_resolver.h"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <cstring>
#include <thread>

#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::win {

HostResolver::HostResolver(boost::asio::io_context& io, Lookup lookup)
    : shared_(std::make_shared<Shared>()), lookup_(std::move(lookup)) {
  shared_->io = &io;
}

void HostResolver::Resolve(const std::string& host, const std::string& port, Done done) {
  boost::asio::io_context* io = nullptr;
  {
    std::lock_guard lock(shared_->mutex);
    io = shared_->io;
  }
  if (!io) return;
  const std::string key = host + ":" + port;
  std::vector<Done>& waiting = shared_->waiting[key];
  waiting.push_back(std::move(done));
  if (waiting.size() > 1) return;  // a lookup of this host is under way: its answer is shared
  std::thread([shared = shared_, lookup = lookup_, host, port, key] {
    Result<Endpoints> answer = lookup(host, port);
    std::lock_guard lock(shared->mutex);
    if (!shared->io) return;  // stopped meanwhile
    boost::asio::post(*shared->io, [shared, key, answer = std::move(answer)] {
      const auto found = shared->waiting.find(key);
      if (found == shared->waiting.end()) return;
      std::vector<Done> callbacks = std::move(found->second);
      shared->waiting.erase(found);
      for (Done& callback : callbacks) callback(answer);
    });
  }).detach();
}

void HostResolver::Stop() {
  std::lock_guard lock(shared_->mutex);
  shared_->io = nullptr;
  shared_->waiting.clear();
}

Result<HostResolver::Endpoints> HostResolver::SystemLookup(const std::string& host,
                                                           const std::string& port) {
  ADDRINFOW hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  ADDRINFOW* found = nullptr;
  const int failed = ::GetAddrInfoW(Widen(host).c_str(), Widen(port).c_str(), &hints, &found);
  if (failed != 0) return Win32Error("resolving " + host, static_cast<DWORD>(failed));
  Endpoints endpoints;
  for (const ADDRINFOW* entry = found; entry; entry = entry->ai_next) {
    if (entry->ai_addrlen > sizeof(sockaddr_storage)) continue;
    boost::asio::ip::tcp::endpoint endpoint;
    std::memcpy(endpoint.data(), entry->ai_addr, entry->ai_addrlen);
    endpoint.resize(entry->ai_addrlen);
    endpoints.push_back(endpoint);
  }
  ::FreeAddrInfoW(found);
  if (endpoints.empty()) return Error(ErrorKind::kNotFound, "resolving " + host + ": no address");
  return endpoints;
}

}  // namespace sup::win

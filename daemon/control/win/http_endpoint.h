// The optional HTTP endpoint (HttpListen): answers control::AnswerHttp's routes over Boost.Beast.
// Each connection gets one request, read with limits (8 KiB of request line and headers, no body)
// within a short deadline, one answer, and is closed. What a client sends can cost supd no more
// than that, and no client keeps the others out:
//  - at most `max_connections` at once, of which one remote address holds at most
//    `per_address` (a quarter); beyond them `kept_for_health` more are accepted that answer only
//    /healthz (anything else: 503), so a load balancer's check gets through while idle sockets
//    hold every other slot; beyond those a connection is closed at once;
//  - a Host header that names neither loopback nor the listening address is refused (421): DNS
//    rebinding cannot turn an admin's browser into a reader of /metrics;
//  - the port is bound before supd starts its workers; a port that is taken (by a squatter, or a
//    process not yet gone) is a problem shown in `supctl status` and logged once as an error, and
//    bound again after 1 s, 2 s, ... up to a minute, until it is free.
//
// Threading: the io_context may run on several threads (supd's read side): the listener's state
// is kept on a strand of its own, each connection on its own. Stop from any thread; the
// destructor only once no thread runs the io_context.
#pragma once

#include "daemon/win/asio.h"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/control/http_routes.h"

namespace spdlog {
class logger;
}

namespace sup::win {

struct HttpEndpointOptions {
  std::string listen;  // a numeric address and port: "127.0.0.1:9182", "[::1]:9182"
  // The whole request (line and headers) must arrive within this of connecting.
  std::chrono::milliseconds request_deadline{2000};
  std::size_t max_connections = 32;
  std::size_t per_address = 8;
  std::size_t kept_for_health = 4;
  std::chrono::milliseconds first_bind_retry{1000};
  std::chrono::milliseconds max_bind_retry{60'000};
  // Told why the port cannot be listened on (once per streak), and nullopt once it is.
  std::function<void(const std::optional<std::string>& problem)> on_listen_problem;
};

class HttpEndpoint {
 public:
  // Listens on `options.listen` now, or keeps trying (see above). Fails only for an address that
  // is not a numeric address and port.
  static Result<std::unique_ptr<HttpEndpoint>> Start(boost::asio::io_context& io,
                                                     HttpEndpointOptions options,
                                                     control::HttpRoutes routes,
                                                     std::shared_ptr<spdlog::logger> log);
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;
  ~HttpEndpoint() { StopOnStrand(); }

  // Stops listening and closes every connection.
  void Stop();

 private:
  class Connection;
  HttpEndpoint(boost::asio::io_context& io, HttpEndpointOptions options, control::HttpRoutes routes,
               std::shared_ptr<spdlog::logger> log, boost::asio::ip::tcp::endpoint where,
               std::string listen_host);
  // Binds and listens, or says why not and tries again later. On the strand.
  void Listen();
  void Accept();
  // The connection for a client from `remote`, or none (closed at once).
  void Admit(boost::asio::ip::tcp::socket socket);
  void StopOnStrand();

  boost::asio::io_context& io_;
  HttpEndpointOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;  // on a strand: accepts, the list, stopping
  boost::asio::steady_timer bind_retry_;     // on the same strand
  std::chrono::milliseconds next_bind_retry_;
  boost::asio::ip::tcp::endpoint where_;
  std::string listen_host_;  // as HttpListen spells it, for the Host check
  control::HttpRoutes routes_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::weak_ptr<Connection>> connections_;
  bool listen_failing_ = false;
  bool stopped_ = false;
};

}  // namespace sup::win

// The optional HTTP endpoint (HttpListen): answers control::AnswerHttp's routes over Boost.Beast.
// Each connection gets one request, read with limits (8 KiB of request line and
// headers, no body) within 5 s, one answer, and is closed; at most 32 at once, more are closed at
// once. What a client sends can cost supd no more than that.
//
// Threading: the io_context may run on several threads (supd's read side): the listener's state
// is kept on a strand of its own, each connection on its own. Stop from any thread; the
// destructor only once no thread runs the io_context.
#pragma once

#include "daemon/win/asio.h"

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/control/http_routes.h"

namespace spdlog {
class logger;
}

namespace sup::win {

class HttpEndpoint {
 public:
  // Listens on `listen`, a numeric address and port ("127.0.0.1:9182", "[::1]:9182").
  static Result<std::unique_ptr<HttpEndpoint>> Start(boost::asio::io_context& io,
                                                     const std::string& listen,
                                                     control::HttpRoutes routes,
                                                     std::shared_ptr<spdlog::logger> log);
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;
  ~HttpEndpoint() { StopOnStrand(); }

  // Stops listening and closes every connection.
  void Stop();

 private:
  class Connection;
  HttpEndpoint(boost::asio::io_context& io, control::HttpRoutes routes,
               std::shared_ptr<spdlog::logger> log);
  void Accept();
  void StopOnStrand();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;  // on a strand: accepts, the list, stopping
  control::HttpRoutes routes_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::weak_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace sup::win

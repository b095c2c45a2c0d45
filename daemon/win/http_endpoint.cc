#include "daemon/win/http_endpoint.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include <optional>

#include "common/config/probe_target.h"

namespace sup::win {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t kRequestHeaderLimit = 8 * 1024;
constexpr auto kRequestDeadline = std::chrono::seconds(5);
constexpr std::size_t kMaxConnections = 32;
}  // namespace

// One client: one request, one answer, closed. Owned by its pending operations.
class HttpEndpoint::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const control::HttpRoutes& routes)
      : socket_(std::move(socket)), routes_(routes), deadline_(socket_.get_executor()) {
    parser_.header_limit(kRequestHeaderLimit);
    parser_.body_limit(0);
  }

  void Start() {
    deadline_.expires_after(kRequestDeadline);
    deadline_.async_wait([weak = weak_from_this()](error_code ec) {
      if (std::shared_ptr<Connection> self = weak.lock(); self && !ec) self->Close();
    });
    http::async_read(socket_, buffer_, parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return self->Close();  // not HTTP, too long, or gone
                       self->Answer();
                     });
  }

  // From any thread (the endpoint's Stop).
  void CloseOnStrand() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->Close(); });
  }

  void Close() {
    deadline_.cancel();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void Answer() {
    const auto& request = parser_.get();
    const auto method = request.method_string();
    const auto target = request.target();
    // Health is answered at once; metrics come from the io thread, back on this strand.
    control::AnswerHttp(std::string_view(method.data(), method.size()),
                        std::string_view(target.data(), target.size()), routes_,
                        [self = shared_from_this()](control::HttpAnswer answer) {
                          asio::dispatch(
                              self->socket_.get_executor(),
                              [self, answer = std::move(answer)] { self->Write(answer); });
                        });
  }

  void Write(const control::HttpAnswer& answer) {
    if (!socket_.is_open()) return;  // the deadline or Stop came first
    const auto& request = parser_.get();
    response_.emplace(static_cast<http::status>(answer.status), request.version());
    response_->set(http::field::server, "supd");
    response_->set(http::field::content_type, answer.content_type);
    response_->keep_alive(false);
    if (request.method() == http::verb::head) {
      response_->content_length(answer.body.size());
    } else {
      response_->body() = answer.body;
      response_->prepare_payload();
    }
    http::async_write(socket_, *response_,
                      [self = shared_from_this()](error_code, std::size_t) { self->Close(); });
  }

  tcp::socket socket_;
  const control::HttpRoutes routes_;  // a copy: a read completed before Stop still finds them
  asio::steady_timer deadline_;
  boost::beast::flat_buffer buffer_{kRequestHeaderLimit};
  http::request_parser<http::empty_body> parser_;
  std::optional<http::response<http::string_body>> response_;
};

HttpEndpoint::HttpEndpoint(asio::io_context& io, control::HttpRoutes routes,
                           std::shared_ptr<spdlog::logger> log)
    : io_(io), acceptor_(asio::make_strand(io)), routes_(std::move(routes)), log_(std::move(log)) {}

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(asio::io_context& io,
                                                          const std::string& listen,
                                                          control::HttpRoutes routes,
                                                          std::shared_ptr<spdlog::logger> log) {
  Result<config::HostPort> address = config::ParseHostPort(listen);
  if (!address) return address.error().WithContext("HttpListen");
  error_code ec;
  const asio::ip::address ip = asio::ip::make_address(address->host, ec);
  if (ec) {
    return Error(ErrorKind::kInvalidArgument, "HttpListen \"" + listen +
                                                  "\": the host must be a numeric address, such as "
                                                  "127.0.0.1 or [::1]");
  }
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint(io, std::move(routes), std::move(log)));
  const tcp::endpoint where(ip, static_cast<unsigned short>(std::stoi(address->port)));
  endpoint->acceptor_.open(where.protocol(), ec);
  // Windows: no other socket may take the port while supd has it (SO_EXCLUSIVEADDRUSE).
  if (!ec) {
    BOOL exclusive = TRUE;
    ::setsockopt(endpoint->acceptor_.native_handle(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
                 reinterpret_cast<const char*>(&exclusive), sizeof(exclusive));
    endpoint->acceptor_.bind(where, ec);
  }
  if (!ec) endpoint->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error(ErrorKind::kUnavailable, "listening on " + listen + ": " + Utf8Message(ec));
  endpoint->Accept();
  return endpoint;
}

void HttpEndpoint::Accept() {
  // Each connection's socket on a strand of its own.
  acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      std::erase_if(connections_, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
      if (connections_.size() >= kMaxConnections) {
        error_code ignored;
        socket.close(ignored);  // busy: the client retries; the ones being answered go first
      } else {
        auto connection = std::make_shared<Connection>(std::move(socket), routes_);
        connections_.push_back(connection);
        connection->Start();
      }
    } else if (ec != asio::error::operation_aborted) {
      log_->warn("http endpoint accept failed error=\"{}\"", Utf8Message(ec));
    }
    Accept();
  });
}

void HttpEndpoint::Stop() {
  asio::dispatch(acceptor_.get_executor(), [this] { StopOnStrand(); });
}

void HttpEndpoint::StopOnStrand() {
  if (stopped_) return;
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  for (const std::weak_ptr<Connection>& weak : connections_)
    if (std::shared_ptr<Connection> connection = weak.lock()) connection->CloseOnStrand();
  connections_.clear();
}

}  // namespace sup::win

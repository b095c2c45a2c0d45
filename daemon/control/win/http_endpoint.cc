#include "daemon/control/win/http_endpoint.h"

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
}  // namespace

// One client: one request, one answer, closed. Owned by its pending operations.
class HttpEndpoint::Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `health_only`: one of the connections kept for /healthz (the others were all taken).
  Connection(tcp::socket socket, asio::ip::address remote, bool health_only,
             const control::HttpRoutes& routes, std::string listen_host)
      : socket_(std::move(socket)),
        remote_(std::move(remote)),
        health_only_(health_only),
        routes_(routes),
        listen_host_(std::move(listen_host)),
        deadline_(socket_.get_executor()) {
    parser_.header_limit(kRequestHeaderLimit);
    parser_.body_limit(0);
  }

  const asio::ip::address& remote() const { return remote_; }
  bool health_only() const { return health_only_; }

  void Start(std::chrono::milliseconds request_deadline) {
    deadline_.expires_after(request_deadline);
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
    const auto host = request[http::field::host];
    if (std::optional<control::HttpAnswer> refused =
            control::RefuseHost(std::string_view(host.data(), host.size()), listen_host_)) {
      return Write(*refused);
    }
    if (health_only_ && !control::IsHealthTarget(std::string_view(target.data(), target.size()))) {
      return Write({503, "text/plain; charset=utf-8",
                    "busy: every connection is taken; only /healthz is answered now\n"});
    }
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
  const asio::ip::address remote_;
  const bool health_only_;
  const control::HttpRoutes routes_;  // a copy: a read completed before Stop still finds them
  const std::string listen_host_;
  asio::steady_timer deadline_;
  boost::beast::flat_buffer buffer_{kRequestHeaderLimit};
  http::request_parser<http::empty_body> parser_;
  std::optional<http::response<http::string_body>> response_;
};

HttpEndpoint::HttpEndpoint(asio::io_context& io, HttpEndpointOptions options,
                           control::HttpRoutes routes, std::shared_ptr<spdlog::logger> log,
                           tcp::endpoint where, std::string listen_host)
    : io_(io),
      options_(std::move(options)),
      acceptor_(asio::make_strand(io)),
      bind_retry_(acceptor_.get_executor()),
      next_bind_retry_(options_.first_bind_retry),
      where_(where),
      listen_host_(std::move(listen_host)),
      routes_(std::move(routes)),
      log_(std::move(log)) {}

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(asio::io_context& io,
                                                          HttpEndpointOptions options,
                                                          control::HttpRoutes routes,
                                                          std::shared_ptr<spdlog::logger> log) {
  Result<config::HostPort> address = config::ParseHostPort(options.listen);
  if (!address) return address.error().WithContext("HttpListen");
  error_code ec;
  const asio::ip::address ip = asio::ip::make_address(address->host, ec);
  if (ec) {
    return Error(ErrorKind::kInvalidArgument, "HttpListen \"" + options.listen +
                                                  "\": the host must be a numeric address, such as "
                                                  "127.0.0.1 or [::1]");
  }
  const tcp::endpoint where(ip, static_cast<unsigned short>(std::stoi(address->port)));
  // The Host check compares with the address as a client writes it: [::1] for IPv6.
  std::string listen_host = ip.is_v6() ? "[" + ip.to_string() + "]" : ip.to_string();
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint(
      io, std::move(options), std::move(routes), std::move(log), where, std::move(listen_host)));
  endpoint->Listen();  // no thread runs the io_context for it yet: now, before the workers start
  return endpoint;
}

void HttpEndpoint::Listen() {
  if (stopped_) return;
  error_code ec;
  acceptor_.open(where_.protocol(), ec);
  // Windows: no other socket may take the port while supd has it (SO_EXCLUSIVEADDRUSE).
  if (!ec) {
    BOOL exclusive = TRUE;
    ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE,
                 reinterpret_cast<const char*>(&exclusive), sizeof(exclusive));
    acceptor_.bind(where_, ec);
  }
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) {
    log_->info("http endpoint listening address={}", options_.listen);
    if (listen_failing_ && options_.on_listen_problem) options_.on_listen_problem(std::nullopt);
    listen_failing_ = false;
    next_bind_retry_ = options_.first_bind_retry;
    Accept();
    return;
  }
  error_code ignored;
  acceptor_.close(ignored);
  if (!listen_failing_) {
    listen_failing_ = true;
    const std::string problem = "http endpoint not listening on " + options_.listen + ": " +
                                Utf8Message(ec) + " (tried again until it is free)";
    log_->error("{}", problem);
    if (options_.on_listen_problem) options_.on_listen_problem(problem);
  }
  bind_retry_.expires_after(next_bind_retry_);
  next_bind_retry_ = std::min(next_bind_retry_ * 2, options_.max_bind_retry);
  bind_retry_.async_wait([this](error_code wait_error) {
    if (!wait_error) Listen();
  });
}

void HttpEndpoint::Accept() {
  // Each connection's socket on a strand of its own.
  acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      Admit(std::move(socket));
    } else if (ec != asio::error::operation_aborted) {
      log_->warn("http endpoint accept failed error=\"{}\"", Utf8Message(ec));
    }
    Accept();
  });
}

void HttpEndpoint::Admit(tcp::socket socket) {
  std::erase_if(connections_, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
  error_code ec;
  const asio::ip::address remote = socket.remote_endpoint(ec).address();
  std::size_t from_remote = 0, health_only = 0;
  for (const std::weak_ptr<Connection>& weak : connections_) {
    if (std::shared_ptr<Connection> connection = weak.lock()) {
      from_remote += connection->remote() == remote;
      health_only += connection->health_only();
    }
  }
  const std::size_t others = connections_.size() - health_only;
  // Closed at once: the client tries again; the ones being answered go first.
  if (ec || from_remote >= options_.per_address ||
      (others >= options_.max_connections && health_only >= options_.kept_for_health)) {
    error_code ignored;
    socket.close(ignored);
    return;
  }
  auto connection = std::make_shared<Connection>(
      std::move(socket), remote, others >= options_.max_connections, routes_, listen_host_);
  connections_.push_back(connection);
  connection->Start(options_.request_deadline);
}

void HttpEndpoint::Stop() {
  asio::dispatch(acceptor_.get_executor(), [this] { StopOnStrand(); });
}

void HttpEndpoint::StopOnStrand() {
  if (stopped_) return;
  stopped_ = true;
  bind_retry_.cancel();
  error_code ignored;
  acceptor_.close(ignored);
  for (const std::weak_ptr<Connection>& weak : connections_)
    if (std::shared_ptr<Connection> connection = weak.lock()) connection->CloseOnStrand();
  connections_.clear();
}

}  // namespace sup::win

#include "daemon/control/http_routes.h"

#include <algorithm>
#include <cctype>

#include "common/case_insensitive.h"

namespace sup::control {
namespace {

HttpAnswer Health(const HttpRoutes& routes, const std::string& what) {
  const std::optional<bool> serving = routes.serving(what);
  if (!serving) return {404, "text/plain; charset=utf-8", "no such worker: " + what + "\n"};
  if (*serving) return {200, "text/plain; charset=utf-8", "SERVING\n"};
  const std::optional<std::string> reason = routes.reason ? routes.reason() : std::nullopt;
  return {503, "text/plain; charset=utf-8",
          reason ? "NOT_SERVING: " + *reason + "\n" : "NOT_SERVING\n"};
}

// The host of a Host header, without its port: "[::1]:80" -> "[::1]", "a:80" -> "a".
std::string_view HostWithoutPort(std::string_view header) {
  if (header.starts_with('[')) {
    const std::size_t close = header.find(']');
    return close == std::string_view::npos ? header : header.substr(0, close + 1);
  }
  return header.substr(0, header.find(':'));
}

// "10.0.0.5": four numbers up to 255.
bool IsIpv4Literal(std::string_view host) {
  int parts = 0;
  while (!host.empty()) {
    const std::size_t dot = host.find('.');
    const std::string_view part = host.substr(0, dot);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(part)) > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
    if (host.empty()) return false;
  }
  return parts == 4;
}

// "[fe80::1]": hex digits, colons and dots between brackets.
bool IsIpv6Literal(std::string_view host) {
  return host.size() > 2 && host.front() == '[' && host.back() == ']' &&
         std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
         });
}

}  // namespace

bool IsHealthTarget(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/healthz" || path.starts_with("/healthz/");
}

std::optional<HttpAnswer> RefuseHost(std::string_view host_header, std::string_view listen_host) {
  const std::string_view host = HostWithoutPort(host_header);
  const bool numeric = IsIpv4Literal(host) || IsIpv6Literal(host);
  const bool loopback = EqualsIgnoringCase(host, "localhost") || host == "[::1]" ||
                        (IsIpv4Literal(host) && host.starts_with("127."));
  const bool every_address = listen_host == "0.0.0.0" || listen_host == "[::]";
  if (host.empty() || loopback || EqualsIgnoringCase(host, listen_host) ||
      (every_address && numeric)) {
    return std::nullopt;
  }
  return HttpAnswer{421, "text/plain; charset=utf-8",
                    "this endpoint answers requests for localhost or its own address, not for " +
                        std::string(host) + "\n"};
}

void AnswerHttp(std::string_view method, std::string_view target, const HttpRoutes& routes,
                std::function<void(HttpAnswer)> done) {
  if (method != "GET" && method != "HEAD")
    return done({405, "text/plain; charset=utf-8", "only GET and HEAD\n"});
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    routes.metrics([done = std::move(done)](std::string body) {
      done({200, "text/plain; version=0.0.4; charset=utf-8", std::move(body)});
    });
    return;
  }
  if (path == "/healthz" || path == "/healthz/") return done(Health(routes, ""));
  constexpr std::string_view kWorkerPrefix = "/healthz/";
  if (path.starts_with(kWorkerPrefix)) {
    const std::string worker(path.substr(kWorkerPrefix.size()));
    return done(Health(routes, worker));
  }
  done({404, "text/plain; charset=utf-8",
        "not found; supd answers /metrics, /healthz and /healthz/<worker>\n"});
}

}  // namespace sup::control

// What supd's optional HTTP endpoint (HttpListen) answers, for load balancers and monitors that
// cannot speak the pipe protocol: `/metrics` (Prometheus text format), `/healthz` (200 when every
// worker serves, 503 otherwise: the health pipe's predicate) and `/healthz/<worker>`. Read-only,
// no authentication (the config README says so). Portable and pure;
// daemon/control/win/http_endpoint is the transport, on supd's read side: health comes from the
// published status at once, metrics from the io thread (which owns what they measure) when it gets
// to them, no thread waiting.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sup::control {

struct HttpRoutes {
  // Renders the metrics and hands them to `reply`, at once or later, on any thread.
  std::function<void(std::function<void(std::string body)> reply)> metrics;
  // Whether `worker` serves ("" = supd as a whole); nullopt for no such worker. Any thread.
  std::function<std::optional<bool>(const std::string& worker)> serving;
  // Why everything is NOT_SERVING when the reason is supd's own ("supervision has not answered
  // for 12 s"), said in a 503's body; nullopt otherwise. Any thread; may be empty.
  std::function<std::optional<std::string>()> reason;
};

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Whether `target` asks for health (/healthz, /healthz/<worker>): the connections kept for when
// every other one is taken answer only these.
bool IsHealthTarget(std::string_view target);

// The answer refusing a request whose Host header is `host` ("localhost:9182", "[::1]:9182"),
// or nullopt when the endpoint listening on `listen_host` (HttpListen's host: "127.0.0.1",
// "[::1]", "10.0.0.5", "0.0.0.0") may answer it. A web page the admin opens can make their
// browser send requests to a name the attacker's DNS turns into 127.0.0.1 (DNS rebinding), and
// read the answers as its own: such a request carries that name as its Host. Loopback names
// (localhost, 127.x.x.x, [::1]), the listening address itself and, when it listens on every
// address, any numeric address pass; an empty Host (HTTP/1.0) passes. Refused: 421.
std::optional<HttpAnswer> RefuseHost(std::string_view host, std::string_view listen_host);

// Hands the answer to `method` `target` ("/healthz/api?x=1": the query is ignored) to `done`:
// at once, or for /metrics once routes.metrics replies.
void AnswerHttp(std::string_view method, std::string_view target, const HttpRoutes& routes,
                std::function<void(HttpAnswer)> done);

}  // namespace sup::control

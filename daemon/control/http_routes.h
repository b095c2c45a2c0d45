// What supd's optional HTTP endpoint (HttpListen) answers, for load balancers and monitors that
// cannot speak the pipe protocol: `/metrics` (Prometheus text format), `/healthz` (200 when every
// worker serves, 503 otherwise: the health pipe's predicate) and `/healthz/<worker>`. Read-only,
// no authentication (the config README says so). Portable and pure; daemon/win/http_endpoint is
// the transport, on supd's read side: health comes from the published status at once, metrics
// from the io thread (which owns what they measure) when it gets to them, no thread waiting.
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
};

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Hands the answer to `method` `target` ("/healthz/api?x=1": the query is ignored) to `done`:
// at once, or for /metrics once routes.metrics replies.
void AnswerHttp(std::string_view method, std::string_view target, const HttpRoutes& routes,
                std::function<void(HttpAnswer)> done);

}  // namespace sup::control

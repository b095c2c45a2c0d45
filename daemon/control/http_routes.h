// What supd's optional HTTP endpoint (HttpListen) answers, for load balancers and monitors that
// cannot speak the pipe protocol: `/metrics` (Prometheus text format), `/healthz` (200 when every
// worker serves, 503 otherwise: the health pipe's predicate) and `/healthz/<worker>`. Read-only,
// no authentication (the config README says so). Portable and pure; daemon/win/http_endpoint is
// the transport.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sup::control {

struct HttpRoutes {
  std::function<std::string()> metrics;
  // Whether `worker` serves ("" = supd as a whole); nullopt for no such worker.
  std::function<std::optional<bool>(const std::string& worker)> serving;
};

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// The answer to `method` `target` ("/healthz/api?x=1": the query is ignored).
HttpAnswer AnswerHttp(std::string_view method, std::string_view target, const HttpRoutes& routes);

}  // namespace sup::control

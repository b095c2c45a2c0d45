#include "daemon/control/http_routes.h"

namespace sup::control {
namespace {

HttpAnswer Health(const std::optional<bool>& serving, std::string_view what) {
  if (!serving)
    return {404, "text/plain; charset=utf-8", "no such worker: " + std::string(what) + "\n"};
  return {*serving ? 200 : 503, "text/plain; charset=utf-8",
          *serving ? "SERVING\n" : "NOT_SERVING\n"};
}

}  // namespace

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
  if (path == "/healthz" || path == "/healthz/") return done(Health(routes.serving(""), ""));
  constexpr std::string_view kWorkerPrefix = "/healthz/";
  if (path.starts_with(kWorkerPrefix)) {
    const std::string worker(path.substr(kWorkerPrefix.size()));
    return done(Health(routes.serving(worker), worker));
  }
  done({404, "text/plain; charset=utf-8",
        "not found; supd answers /metrics, /healthz and /healthz/<worker>\n"});
}

}  // namespace sup::control

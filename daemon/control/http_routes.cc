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

HttpAnswer AnswerHttp(std::string_view method, std::string_view target, const HttpRoutes& routes) {
  if (method != "GET" && method != "HEAD")
    return {405, "text/plain; charset=utf-8", "only GET and HEAD\n"};
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/metrics")
    return {200, "text/plain; version=0.0.4; charset=utf-8", routes.metrics()};
  if (path == "/healthz" || path == "/healthz/") return Health(routes.serving(""), "");
  constexpr std::string_view kWorkerPrefix = "/healthz/";
  if (path.starts_with(kWorkerPrefix)) {
    const std::string worker(path.substr(kWorkerPrefix.size()));
    return Health(routes.serving(worker), worker);
  }
  return {404, "text/plain; charset=utf-8",
          "not found; supd answers /metrics, /healthz and /healthz/<worker>\n"};
}

}  // namespace sup::control

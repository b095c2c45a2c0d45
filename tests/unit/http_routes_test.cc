#include "daemon/control/http_routes.h"

#include <gtest/gtest.h>

namespace sup::control {
namespace {

HttpRoutes Routes() {
  return {.metrics = [] { return std::string("sup_build_info{version=\"x\"} 1\n"); },
          .serving = [](const std::string& worker) -> std::optional<bool> {
            if (worker.empty()) return false;  // one worker down: supd as a whole is not
            if (worker == "api") return true;
            if (worker == "batch") return false;
            return std::nullopt;
          }};
}

TEST(HttpRoutesTest, MetricsInThePrometheusTextFormat) {
  const HttpAnswer answer = AnswerHttp("GET", "/metrics", Routes());
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(answer.body, "sup_build_info{version=\"x\"} 1\n");
}

TEST(HttpRoutesTest, HealthzIsTheHealthPipesPredicateAsAStatusCode) {
  EXPECT_EQ(AnswerHttp("GET", "/healthz", Routes()).status, 503);
  EXPECT_EQ(AnswerHttp("GET", "/healthz", Routes()).body, "NOT_SERVING\n");
  EXPECT_EQ(AnswerHttp("GET", "/healthz/api", Routes()).status, 200);
  EXPECT_EQ(AnswerHttp("HEAD", "/healthz/api?probe=lb", Routes()).status, 200);
  EXPECT_EQ(AnswerHttp("GET", "/healthz/batch", Routes()).status, 503);
  const HttpAnswer unknown = AnswerHttp("GET", "/healthz/nosuch", Routes());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "no such worker: nosuch\n");
}

TEST(HttpRoutesTest, AnythingElseIsRefusedSayingWhatIsServed) {
  EXPECT_EQ(AnswerHttp("POST", "/metrics", Routes()).status, 405);
  const HttpAnswer other = AnswerHttp("GET", "/", Routes());
  EXPECT_EQ(other.status, 404);
  EXPECT_NE(other.body.find("/healthz/<worker>"), std::string::npos);
  EXPECT_EQ(AnswerHttp("GET", "/metricsx", Routes()).status, 404);
}

}  // namespace
}  // namespace sup::control

#include "daemon/control/http_routes.h"

#include <gtest/gtest.h>

namespace sup::control {
namespace {

HttpRoutes Routes() {
  return {.metrics =
              [](std::function<void(std::string)> reply) {
                reply("sup_build_info{version=\"x\"} 1\n");
              },
          .serving = [](const std::string& worker) -> std::optional<bool> {
            if (worker.empty()) return false;  // one worker down: supd as a whole is not
            if (worker == "api") return true;
            if (worker == "batch") return false;
            return std::nullopt;
          },
          .reason = [] { return std::nullopt; }};
}

HttpAnswer AnswerHttp(std::string_view method, std::string_view target, const HttpRoutes& routes) {
  std::optional<HttpAnswer> answer;
  control::AnswerHttp(method, target, routes, [&](HttpAnswer given) { answer = std::move(given); });
  EXPECT_TRUE(answer.has_value()) << target << " was not answered";
  return answer.value_or(HttpAnswer{});
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

// supd's own reason (its supervision not answering) is said in the 503's body, so whoever reads a
// load balancer's log sees why the node was taken out.
TEST(HttpRoutesTest, SupdsOwnReasonIsInTheBodyOfA503) {
  HttpRoutes routes = Routes();
  routes.serving = [](const std::string& worker) -> std::optional<bool> {
    if (worker.empty() || worker == "api") return false;
    return std::nullopt;
  };
  routes.reason = [] {
    return std::optional<std::string>("supervision has not answered for 12 s");
  };
  const HttpAnswer whole = AnswerHttp("GET", "/healthz", routes);
  EXPECT_EQ(whole.status, 503);
  EXPECT_EQ(whole.body, "NOT_SERVING: supervision has not answered for 12 s\n");
  EXPECT_EQ(AnswerHttp("GET", "/healthz/api", routes).body,
            "NOT_SERVING: supervision has not answered for 12 s\n");
  EXPECT_EQ(AnswerHttp("GET", "/healthz/nosuch", routes).status, 404);
}

// Metrics are rendered where their figures live (supd's io thread): the answer waits for them,
// nothing else does.
TEST(HttpRoutesTest, TheMetricsAnswerComesWhenTheMetricsDo) {
  std::function<void(std::string)> pending;
  HttpRoutes routes = Routes();
  routes.metrics = [&](std::function<void(std::string)> reply) { pending = std::move(reply); };
  std::optional<HttpAnswer> answer;
  control::AnswerHttp("GET", "/metrics", routes, [&](HttpAnswer given) { answer = given; });
  EXPECT_FALSE(answer.has_value());
  ASSERT_TRUE(pending);
  pending("sup_worker_up{worker=\"api\"} 1\n");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->body, "sup_worker_up{worker=\"api\"} 1\n");
}

TEST(HttpRoutesTest, AnythingElseIsRefusedSayingWhatIsServed) {
  EXPECT_EQ(AnswerHttp("POST", "/metrics", Routes()).status, 405);
  const HttpAnswer other = AnswerHttp("GET", "/", Routes());
  EXPECT_EQ(other.status, 404);
  EXPECT_NE(other.body.find("/healthz/<worker>"), std::string::npos);
  EXPECT_EQ(AnswerHttp("GET", "/metricsx", Routes()).status, 404);
}

TEST(HttpRoutesTest, OnlyHealthTargetsAreHealthTargets) {
  EXPECT_TRUE(IsHealthTarget("/healthz"));
  EXPECT_TRUE(IsHealthTarget("/healthz?verbose"));
  EXPECT_TRUE(IsHealthTarget("/healthz/api"));
  EXPECT_FALSE(IsHealthTarget("/metrics"));
  EXPECT_FALSE(IsHealthTarget("/healthzz"));
  EXPECT_FALSE(IsHealthTarget("/"));
}

// DNS rebinding: a page served from evil.example whose name then resolves to 127.0.0.1 makes the
// admin's browser ask supd with Host: evil.example, and reads the answer as its own.
TEST(HttpRoutesTest, ARequestForAnotherHostIsRefused) {
  for (const char* host : {"evil.example", "evil.example:9182", "127.0.0.1.evil.example",
                           "localhost.evil.example", "10.0.0.6", "[fe80::2]:80", "[::1"}) {
    const std::optional<HttpAnswer> refused = RefuseHost(host, "127.0.0.1");
    ASSERT_TRUE(refused.has_value()) << host;
    EXPECT_EQ(refused->status, 421) << host;
  }
  EXPECT_NE(RefuseHost("evil.example:80", "127.0.0.1")->body.find("not for evil.example"),
            std::string::npos);
}

TEST(HttpRoutesTest, LoopbackNamesAndTheListeningAddressAreAnswered) {
  for (const char* host : {"localhost", "LocalHost:9182", "127.0.0.1", "127.0.0.1:9182",
                           "127.1.2.3", "[::1]", "[::1]:9182", ""}) {
    EXPECT_EQ(RefuseHost(host, "127.0.0.1"), std::nullopt) << host;
  }
  EXPECT_EQ(RefuseHost("10.0.0.5:9182", "10.0.0.5"), std::nullopt);
  EXPECT_EQ(RefuseHost("[FE80::1]:9182", "[fe80::1]"), std::nullopt);
  // Listening on every address: any numeric address the node has, never a name.
  EXPECT_EQ(RefuseHost("192.168.1.20:9182", "0.0.0.0"), std::nullopt);
  EXPECT_EQ(RefuseHost("[2001:db8::5]", "[::]"), std::nullopt);
  EXPECT_TRUE(RefuseHost("node7.corp.example", "0.0.0.0").has_value());
  EXPECT_TRUE(RefuseHost("999.1.1.1", "0.0.0.0").has_value());
}

}  // namespace
}  // namespace sup::control

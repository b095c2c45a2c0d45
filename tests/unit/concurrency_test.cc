// The portable parts that supd uses from several threads at once (the read side's threads, the
// pipe servers' connections, the io thread), each driven from many threads: the invariants must
// hold and, under ThreadSanitizer (the linux-tsan preset builds these into thread_tests), no access
// may race. Each also runs natively, under AddressSanitizer and under Wine as a unit test.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/protocol.h"
#include "common/rate_limit.h"
#include "daemon/control/connection_quota.h"
#include "daemon/control/daemon_problems.h"
#include "daemon/control/health_service.h"
#include "daemon/control/http_routes.h"
#include "daemon/control/self_check.h"
#include "daemon/control/status_board.h"

namespace sup::control {
namespace {

constexpr int kThreads = 8;

// Runs `body(thread index)` on kThreads threads at once and joins them.
void OnThreads(const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
  for (std::thread& thread : threads) thread.join();
}

TEST(ConcurrencyTest, TheConnectionQuotaHoldsEveryShareWhileThreadsAdmitAndRelease) {
  ConnectionQuota quota(
      ConnectionLimits{.instances = 16, .reserved_for_administrators = 2, .per_account = 4});
  std::atomic<int> over_share{0};
  std::atomic<int> admitted{0};
  OnThreads([&](int t) {
    const ClientAccount account{"S-1-5-21-" + std::to_string(t % 3), t == 0};
    for (int i = 0; i < 2000; ++i) {
      ConnectionQuota::Decision decision = quota.Admit(account);
      if (!std::holds_alternative<ConnectionQuota::Admitted>(decision)) continue;
      ++admitted;
      if (!account.administrator && quota.HeldBy(account.sid) > 4) ++over_share;
      // The hold goes back as `decision` goes, at the end of this turn.
    }
  });
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(over_share.load(), 0);
  for (int t = 0; t < 3; ++t) EXPECT_EQ(quota.HeldBy("S-1-5-21-" + std::to_string(t)), 0);
}

TEST(ConcurrencyTest, ASharedRateLimitLetsThroughItsBurstOnceAcrossThreads) {
  SharedRateLimit limit(10, std::chrono::minutes(1));
  const RateLimit::TimePoint now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  std::atomic<int> let_through{0};
  OnThreads([&](int) {
    for (int i = 0; i < 1000; ++i)
      if (limit.Allow(now)) ++let_through;
  });
  EXPECT_EQ(let_through.load(), 10);
  // The next window's first line says how many were held back: all the others.
  EXPECT_EQ(limit.Allow(now + std::chrono::minutes(1)), kThreads * 1000 - 10);
}

TEST(ConcurrencyTest, DaemonProblemsAreSetClearedAndListedFromManyThreads) {
  DaemonProblems problems;
  OnThreads([&](int t) {
    const std::string part = "part " + std::to_string(t);
    for (int i = 0; i < 1000; ++i) {
      problems.Set(part, "broken " + std::to_string(i));
      EXPECT_FALSE(problems.List().empty());
      if (i % 2 == 0) problems.Clear(part);  // the last (999) stays
    }
  });
  EXPECT_EQ(problems.List().size(), static_cast<std::size_t>(kThreads));
}

// The self-check's beats (io thread), its readers (the read side's threads, the health answers)
// and a Recheck (the watch's timer) while watches open and close and statuses are published.
TEST(ConcurrencyTest, HealthWithTheSelfCheckAnswersFromEveryThread) {
  SystemClock clock;
  SelfCheck check(clock, std::chrono::milliseconds(60'000));
  StatusBoard board;
  HealthService health(board, 64, &check);
  std::atomic<bool> done{false};
  std::thread io([&] {
    for (int i = 0; !done; ++i) {
      check.Beat();
      engine::WorkerSnapshot worker;
      worker.name = "w";
      worker.state = i % 2 ? WorkerState::kRunning : WorkerState::kBackoff;
      worker.ready = true;
      board.Publish(PublishedStatus{{worker}, false});
      health.Recheck();
    }
  });
  std::atomic<int> answers{0};
  OnThreads([&](int t) {
    for (int i = 0; i < 300; ++i) {
      struct LockedSink final : FrameSink {
        void Send(std::string) override {
          std::lock_guard lock(mutex);
          ++frames;
        }
        void End() override {}
        std::mutex mutex;
        int frames = 0;
      } sink;
      std::unique_ptr<Session> session = health.Open(sink, {});
      sup::v1::HealthRequest request;
      request.set_protocol_version(kProtocolVersion);
      (t % 2 ? request.mutable_watch() : request.mutable_check())->set_service(t % 3 ? "w" : "");
      EXPECT_TRUE(session->OnFrame(request.SerializeAsString()).ok());
      EXPECT_FALSE(check.Problem().has_value());
      ++answers;
    }
  });
  done = true;
  io.join();
  EXPECT_EQ(answers.load(), kThreads * 300);
  EXPECT_EQ(health.open_watches(), 0u);
}

// HTTP requests answered on the read side's threads: health at once, metrics when the io thread
// (here one of its own, taking the renderings from a queue) gets to them.
TEST(ConcurrencyTest, HttpAnswersComeOnTheThreadThatHasThem) {
  std::mutex mutex;
  std::condition_variable queued;
  std::deque<std::function<void(std::string)>> pending;
  bool done = false;
  std::thread io([&] {
    std::unique_lock lock(mutex);
    while (!done || !pending.empty()) {
      queued.wait(lock, [&] { return done || !pending.empty(); });
      while (!pending.empty()) {
        std::function<void(std::string)> reply = std::move(pending.front());
        pending.pop_front();
        lock.unlock();
        reply("sup_up 1\n");
        lock.lock();
      }
    }
  });
  std::atomic<bool> serving{true};
  const HttpRoutes routes{
      .metrics =
          [&](std::function<void(std::string)> reply) {
            std::lock_guard lock(mutex);
            pending.push_back(std::move(reply));
            queued.notify_one();
          },
      .serving = [&](const std::string&) -> std::optional<bool> { return serving.load(); },
      .reason = [] { return std::nullopt; }};
  std::atomic<int> answered{0};
  OnThreads([&](int t) {
    for (int i = 0; i < 200; ++i) {
      std::promise<HttpAnswer> answer;
      std::future<HttpAnswer> later = answer.get_future();
      AnswerHttp("GET", t % 2 ? "/metrics" : "/healthz", routes,
                 [&](HttpAnswer given) { answer.set_value(std::move(given)); });
      const HttpAnswer got = later.get();
      EXPECT_TRUE(got.status == 200 || got.status == 503) << got.status;
      if (t == 0) serving = !serving;
      ++answered;
    }
  });
  {
    std::lock_guard lock(mutex);
    done = true;
    queued.notify_one();
  }
  io.join();
  EXPECT_EQ(answered.load(), kThreads * 200);
}

}  // namespace
}  // namespace sup::control

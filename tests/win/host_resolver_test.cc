// HostResolver with real threads and a real io_context: a lookup that hangs delays no other host,
// probes of one host share one lookup, and a stop neither waits for a hanging lookup nor delivers
// its late answer. The hanging lookup is a stand-in (Wine's DNS cannot be made slow on purpose);
// the real GetAddrInfoW is shown on localhost and on a name that does not exist.
#include "daemon/engine/win/host_resolver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;
using Endpoints = HostResolver::Endpoints;

// A lookup that answers 127.0.0.1 at once, except for "slow", which waits until released. Shared
// with the lookup threads, which may outlive the test.
class StandInDns : public std::enable_shared_from_this<StandInDns> {
 public:
  HostResolver::Lookup lookup() {
    return [self = shared_from_this(), this](const std::string& host,
                                             const std::string&) -> Result<Endpoints> {
      ++lookups_[host == "slow" ? 1 : 0];
      if (host == "slow") {
        std::unique_lock lock(mutex_);
        released_cv_.wait(lock, [&] { return released_; });
      }
      return Endpoints{{boost::asio::ip::make_address("127.0.0.1"), 80}};
    };
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    released_cv_.notify_all();
  }
  int slow_lookups() const { return lookups_[1].load(); }

 private:
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::atomic<int> lookups_[2] = {0, 0};
};

class HostResolverTest : public ::testing::Test {
 protected:
  void TearDown() override {
    dns_->Release();  // lets a lookup thread still waiting end
    if (io_thread_.joinable()) {
      work_.reset();
      io_thread_.join();
    }
  }
  void StartIo() {
    io_thread_ = std::thread([this] { io_.run(); });
  }
  // Runs `action` on the io thread and waits for it.
  template <typename Action>
  void OnIo(Action action) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      action();
      done.set_value();
    });
    done.get_future().wait();
  }

  boost::asio::io_context io_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  std::thread io_thread_;
  std::shared_ptr<StandInDns> dns_ = std::make_shared<StandInDns>();
};

TEST_F(HostResolverTest, AHangingLookupDelaysNoOtherHostAndOneHostsProbesShareOneLookup) {
  HostResolver resolver(io_, dns_->lookup());
  StartIo();
  std::atomic<int> slow_answers{0};
  std::atomic<bool> fast_answered{false};
  OnIo([&] {
    for (int i = 0; i < 3; ++i) {
      resolver.Resolve("slow", "80", [&](Result<Endpoints> answer) {
        if (answer && answer->size() == 1) ++slow_answers;
      });
    }
    resolver.Resolve("fast", "80", [&](Result<Endpoints> answer) { fast_answered = answer.ok(); });
  });
  EXPECT_TRUE(testing::WaitUntil([&] { return fast_answered.load(); }, 5s));
  EXPECT_EQ(slow_answers.load(), 0);
  dns_->Release();
  EXPECT_TRUE(testing::WaitUntil([&] { return slow_answers.load() == 3; }, 5s));
  EXPECT_EQ(dns_->slow_lookups(), 1);
  OnIo([&] { resolver.Stop(); });
}

TEST_F(HostResolverTest, AStopNeitherWaitsForAHangingLookupNorDeliversItsLateAnswer) {
  std::atomic<bool> answered{false};
  {
    HostResolver resolver(io_, dns_->lookup());
    StartIo();
    OnIo([&] { resolver.Resolve("slow", "80", [&](Result<Endpoints>) { answered = true; }); });
    EXPECT_TRUE(testing::WaitUntil([&] { return dns_->slow_lookups() == 1; }, 5s));
    OnIo([&] { resolver.Stop(); });
  }  // destroyed while its lookup still hangs
  work_.reset();
  io_thread_.join();  // nothing of the resolver keeps the io_context running
  dns_->Release();
  io_.restart();
  io_.run_for(200ms);  // had the late answer been posted, it would run here
  EXPECT_FALSE(answered.load());
}

TEST(HostResolverSystemTest, LocalhostResolvesAndAnUnknownNameIsAnErrorNamingIt) {
  Result<Endpoints> local = HostResolver::SystemLookup("localhost", "80");
  ASSERT_TRUE(local.ok()) << local.error().message();
  ASSERT_FALSE(local->empty());
  EXPECT_EQ(local->front().port(), 80);
  Result<Endpoints> unknown = HostResolver::SystemLookup("no-such-host.invalid", "80");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace sup::win

// The Timers port on Asio: a cancelled timer never calls back, also when it had expired already
// and its completion was queued behind the handler that cancels it. supd once hung on that race
// at every stop in which a worker's stop ladder ended together with a stop-progress tick: the
// tick ran after its cancel, scheduled the next one, and the io loop never ran out of work.
#include "daemon/engine/win/asio_timers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

namespace sup::win {
namespace {

using namespace std::chrono_literals;

TEST(AsioTimersTest, ATimerCancelledAfterItExpiredDoesNotCallBack) {
  boost::asio::io_context io;
  AsioTimers timers(io);
  int late_calls = 0;
  engine::Timers::Id late = 0;
  // Both expire before the loop runs; the first one's handler cancels the second, whose
  // completion Asio has already taken off the timer queue.
  timers.Schedule(0ms, [&] { timers.Cancel(late); });
  late = timers.Schedule(1ms, [&] { ++late_calls; });
  std::this_thread::sleep_for(50ms);  // a test of a race on real time: let both expire
  io.run();                           // returns: nothing is left to do
  EXPECT_EQ(late_calls, 0);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(AsioTimersTest, ARescheduleCancelledInTimeEndsTheLoop) {
  // The stop-progress pattern: a tick that schedules the next, cancelled by the last exit.
  boost::asio::io_context io;
  AsioTimers timers(io);
  engine::Timers::Id tick = 0;
  int ticks = 0;
  std::function<void()> on_tick = [&] {
    ++ticks;
    tick = timers.Schedule(1ms, on_tick);
  };
  tick = timers.Schedule(1ms, on_tick);
  timers.Schedule(0ms, [&] { timers.Cancel(tick); });  // the "last worker exit"
  std::this_thread::sleep_for(50ms);
  io.run_for(5s);  // returns at once when no work is left; the old AsioTimers ticked on for ever
  EXPECT_TRUE(io.stopped());
  EXPECT_LE(ticks, 1);
  EXPECT_EQ(timers.pending(), 0u);
}

TEST(AsioTimersTest, DestroyedWithTimersPendingCallsNothingBack) {
  boost::asio::io_context io;
  int calls = 0;
  {
    AsioTimers timers(io);
    timers.Schedule(0ms, [&] { ++calls; });
    std::this_thread::sleep_for(20ms);
  }
  io.run();
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace sup::win

// The exception barrier: what escapes a callback the system makes into supd is logged and ends
// supd with its exit code, instead of std::terminate or a hang. Under Wine this shows the barrier
// itself; that the SCM then runs the recovery actions only real Windows can show.
#include "daemon/win/exception_barrier.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "daemon/win/asio.h"

namespace sup::win {
namespace {

struct TextLog {
  std::ostringstream text;
  spdlog::logger logger{"test", std::make_shared<spdlog::sinks::ostream_sink_st>(text)};
};

TEST(ExceptionBarrierTest, AThrowingIoHandlerEndsTheLoopWithAnErrorThatSaysWhere) {
  TextLog log;
  boost::asio::io_context io;
  boost::asio::post(io, [] { throw std::runtime_error("bad handler"); });
  bool ran_after = false;
  boost::asio::post(io, [&] { ran_after = true; });
  const Result<void> ended = CatchUnexpected("the io loop", log.logger, [&] { io.run(); });
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().message(), "unexpected exception in the io loop: bad handler");
  EXPECT_NE(log.text.str().find("unexpected exception where=the io loop what=\"bad handler\""),
            std::string::npos)
      << log.text.str();
  EXPECT_FALSE(ran_after);  // the loop ended there, it did not go on in a broken state
}

TEST(ExceptionBarrierTest, NothingThrownIsOk) {
  TextLog log;
  EXPECT_TRUE(CatchUnexpected("a callback", log.logger, [] {}).ok());
  EXPECT_EQ(log.text.str(), "");
}

TEST(ExceptionBarrierDeathTest, AnExceptionEndsTheProcessWithTheServiceSpecificCode) {
  EXPECT_EXIT(
      {
        TextLog log;
        RunOrEndSupd(
            "the control handler", log.logger, [] { throw 42; },
            [] { std::fputs("reported\n", stderr); });
      },
      ::testing::ExitedWithCode(static_cast<int>(kUnexpectedExceptionExitCode)), "reported");
}

}  // namespace
}  // namespace sup::win

// supctl believes only supd: a pipe of supd's name served by another program (one that got
// there first, or serves it while supd is stopped) is refused, named, and exits 4 like an
// unreachable supd. Wine implements GetNamedPipeServerProcessId, so this shows under Wine; that
// a standard user's process could not have created an instance of supd's own pipes while supd
// runs only real Windows shows (tests/win/pipe_server_test.cc reads back the DACL that forbids it).
#include "client/win/supd_connection.h"

#include <windows.h>

#include <gtest/gtest.h>

#include "process_runner.h"
#include "wait_until.h"

namespace sup::client::win {
namespace {

using namespace std::chrono_literals;
using testing::ExecutableDirectory;

TEST(SupdConnectionTest, APipeServedByAnotherProgramIsRefusedAndNamed) {
  const std::string prefix = "sup-test-squat-" + std::to_string(::GetCurrentProcessId());
  Result<std::unique_ptr<testing::BackgroundProcess>> control = testing::BackgroundProcess::Start(
      {ExecutableDirectory() + "\\testworker.exe", "--serve-pipe", prefix + "-control"});
  Result<std::unique_ptr<testing::BackgroundProcess>> health = testing::BackgroundProcess::Start(
      {ExecutableDirectory() + "\\testworker.exe", "--serve-pipe", prefix + "-health"});
  ASSERT_TRUE(control.ok() && health.ok());
  for (const std::string& pipe : {prefix + "-control", prefix + "-health"}) {
    ASSERT_TRUE(testing::WaitUntil(
        [&] {
          return ::WaitNamedPipeW(sup::win::PipePath(pipe).c_str(), 0) ||
                 ::GetLastError() == ERROR_SEM_TIMEOUT;
        },
        10s))
        << pipe;
    Result<sup::win::PipeClient> connected = ConnectToSupd(pipe, 5s);
    ASSERT_FALSE(connected.ok()) << pipe;
    EXPECT_EQ(connected.error().kind(), ErrorKind::kUnavailable);
    EXPECT_NE(connected.error().message().find("testworker.exe (pid "), std::string::npos)
        << connected.error().message();
    EXPECT_NE(connected.error().message().find("not by supd.exe"), std::string::npos);
  }

  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"status"}, std::vector<std::string>{"health"}}) {
    std::vector<std::string> arguments{ExecutableDirectory() + "\\supctl.exe", "--pipe",
                                       prefix + "-control"};
    arguments.insert(arguments.end(), command.begin(), command.end());
    Result<testing::ProcessOutput> supctl = testing::RunProcess(arguments);
    ASSERT_TRUE(supctl.ok()) << supctl.error().message();
    EXPECT_EQ(supctl->exit_code, 4u) << command[0] << ": " << supctl->out << supctl->err;
    EXPECT_NE(supctl->err.find("not by supd.exe: its answers are not trusted"), std::string::npos)
        << command[0] << ": " << supctl->err;
  }
}

}  // namespace
}  // namespace sup::client::win

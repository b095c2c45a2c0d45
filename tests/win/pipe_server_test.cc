// PipeServer and PipeClient against real named pipes: the io thread is a real thread running a
// real io_context, exactly as in supd.
#include "daemon/win/pipe_server.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/protocol.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "wait_until.h"

namespace sup::win {
namespace {

using namespace std::chrono_literals;

std::string UniquePipeName(std::string_view test) {
  return "sup-test-" + std::string(test) + "-" + std::to_string(::GetCurrentProcessId());
}

std::string Header(std::uint32_t length) {
  std::string header;
  for (int i = 0; i < 4; ++i) header.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  return header;
}

sup::v1::Request VersionRequest() {
  sup::v1::Request request;
  request.mutable_version();
  return request;
}

// A PipeServer answering with a real ControlDispatcher, its io_context run on its own thread.
class PipeServerTest : public ::testing::Test {
 protected:
  void StartServer(std::string_view test, std::chrono::milliseconds request_deadline = 10s) {
    options_.pipe_name = UniquePipeName(test);
    options_.sddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;WD)";
    options_.request_deadline = request_deadline;
    Result<std::unique_ptr<PipeServer>> server = PipeServer::Start(
        io_, options_,
        [this](std::string_view payload) { return AnswerVersion(payload); },
        std::make_shared<spdlog::logger>("test"));
    ASSERT_TRUE(server.ok()) << server.error().message();
    server_ = std::move(*server);
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) boost::asio::post(io_, [this] { server_->Stop(); });
    if (io_thread_.joinable()) io_thread_.join();
  }

  Result<PipeClient> Connect() { return PipeClient::Connect(options_.pipe_name, 5s); }

  // True when `client`'s connection was closed by the server (a read returns end of stream).
  static bool ClosedByServer(PipeClient& client) {
    char byte;
    Result<std::size_t> read = client.ReadSome(std::span<char>(&byte, 1));
    return read.ok() && *read == 0;
  }

  // A handler that answers Version, and refuses what is not a Request (as the dispatcher does).
  Result<std::string> AnswerVersion(std::string_view payload) {
    ++requests_;
    sup::v1::Request request;
    if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Error(ErrorKind::kInvalidArgument, "not a request");
    }
    sup::v1::Response response;
    response.set_request_id(request.request_id());
    response.mutable_version()->set_daemon_version("test");
    return response.SerializeAsString();
  }

  boost::asio::io_context io_{1};
  PipeServerOptions options_;
  std::unique_ptr<PipeServer> server_;
  std::thread io_thread_;
  std::atomic<int> requests_{0};
};

TEST_F(PipeServerTest, AnswersARequest) {
  StartServer("answers");
  Result<PipeClient> pipe = Connect();
  ASSERT_TRUE(pipe.ok()) << pipe.error().message();
  ControlClient client(*pipe);
  Result<sup::v1::Response> response = client.Call(VersionRequest());
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->version().daemon_version(), "test");
  // A second call on the same connection works too.
  EXPECT_TRUE(client.Call(VersionRequest()).ok());
}

TEST_F(PipeServerTest, ServesSixteenClientsAtOnce) {
  StartServer("concurrent");
  constexpr int kClients = 16;
  constexpr int kCallsEach = 25;
  std::atomic<int> succeeded{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      Result<PipeClient> pipe = Connect();
      if (!pipe) return;
      ControlClient client(*pipe);
      for (int call = 0; call < kCallsEach; ++call) {
        if (client.Call(VersionRequest()).ok()) ++succeeded;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(succeeded.load(), kClients * kCallsEach);
}

TEST_F(PipeServerTest, OversizedLengthPrefixClosesOnlyThatConnection) {
  StartServer("oversized");
  Result<PipeClient> good = Connect();
  Result<PipeClient> bad = Connect();
  ASSERT_TRUE(good.ok() && bad.ok());
  ASSERT_TRUE(bad->WriteAll(Header(0x7fffffff)).ok());
  EXPECT_TRUE(ClosedByServer(*bad));
  ControlClient client(*good);
  EXPECT_TRUE(client.Call(VersionRequest()).ok());
}

TEST_F(PipeServerTest, GarbageFrameClosesOnlyThatConnection) {
  StartServer("garbage");
  Result<PipeClient> good = Connect();
  Result<PipeClient> bad = Connect();
  ASSERT_TRUE(good.ok() && bad.ok());
  const std::string garbage("\x0a\x64not a request", 15);
  ASSERT_TRUE(bad->WriteAll(Header(static_cast<std::uint32_t>(garbage.size())) + garbage).ok());
  EXPECT_TRUE(ClosedByServer(*bad));
  ControlClient client(*good);
  EXPECT_TRUE(client.Call(VersionRequest()).ok());
}

TEST_F(PipeServerTest, DisconnectMidFrameLeavesTheServerServing) {
  StartServer("midframe");
  {
    Result<PipeClient> quitter = Connect();
    ASSERT_TRUE(quitter.ok());
    ASSERT_TRUE(quitter->WriteAll(Header(100) + "only part").ok());
  }  // disconnects with 91 bytes of the frame missing
  Result<PipeClient> pipe = Connect();
  ASSERT_TRUE(pipe.ok());
  ControlClient client(*pipe);
  EXPECT_TRUE(client.Call(VersionRequest()).ok());
}

TEST_F(PipeServerTest, SilentClientIsDroppedAfterTheRequestDeadline) {
  StartServer("silent", 300ms);
  Result<PipeClient> silent = Connect();
  ASSERT_TRUE(silent.ok());
  const auto connected = std::chrono::steady_clock::now();
  EXPECT_TRUE(ClosedByServer(*silent));  // the client's own read timeout is 5 s
  EXPECT_GE(std::chrono::steady_clock::now() - connected, 250ms);
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(PipeServerTest, StopDisconnectsClientsAndEndsTheIoThread) {
  StartServer("stop");
  Result<PipeClient> pipe = Connect();
  ASSERT_TRUE(pipe.ok());
  ControlClient client(*pipe);
  ASSERT_TRUE(client.Call(VersionRequest()).ok());
  boost::asio::post(io_, [this] { server_->Stop(); });
  EXPECT_TRUE(ClosedByServer(*pipe));
  io_thread_.join();  // run() returns: nothing is left pending
  EXPECT_FALSE(Connect().ok());
}

TEST(PipeClientTest, MissingPipeIsUnavailableAndNamesThePipe) {
  const auto started = std::chrono::steady_clock::now();
  Result<PipeClient> pipe = PipeClient::Connect("sup-test-no-such-pipe", 5s);
  ASSERT_FALSE(pipe.ok());
  EXPECT_EQ(pipe.error().kind(), ErrorKind::kUnavailable);
  EXPECT_NE(pipe.error().message().find("\\\\.\\pipe\\sup-test-no-such-pipe"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);  // no waiting for a pipe that is not there
}

}  // namespace
}  // namespace sup::win

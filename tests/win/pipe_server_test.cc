// PipeServer and PipeClient against real named pipes: the io thread is a real thread running a
// real io_context, exactly as in supd.
#include "daemon/control/win/pipe_server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "common/protocol.h"
#include "common/protocol_client.h"
#include "common/win/pipe_client.h"
#include "daemon/control/refusing_session.h"
#include "daemon/control/win/caller_identity.h"
#include "dacl.h"
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

class PipeServerTest;

// Answers Version; a Logs request with follow turns into a stream of `lines` frames of 64 KB
// each, sent at once (a follower that does not read them fills its pipe). A Status request waits
// (up to 10 s) until another one is being handled at the same time, and answers with a Version
// of "met" if one was: only a server that serves connections in parallel can.
class TestSession final : public control::Session {
 public:
  TestSession(PipeServerTest& test, control::FrameSink& sink, control::Caller caller);
  ~TestSession() override;
  Result<void> OnFrame(std::string_view payload) override;
  bool streaming() const override { return streaming_; }

 private:
  PipeServerTest& test_;
  control::FrameSink& sink_;
  bool streaming_ = false;
};

// A PipeServer with test sessions, its io_context run on its own thread.
class PipeServerTest : public ::testing::Test {
 protected:
  void StartServer(std::string_view test, std::chrono::milliseconds request_deadline = 10s) {
    if (!limits_set_) options_.connections = {.instances = 32, .per_account = 32};
    options_.pipe_name = UniquePipeName(test);
    options_.sddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;WD)";
    options_.request_deadline = request_deadline;
    Result<std::unique_ptr<PipeServer>> server = PipeServer::Start(
        io_, options_,
        PipeService{.open =
                        [this](control::FrameSink& sink, const control::Caller& caller) {
                          return std::make_unique<TestSession>(*this, sink, caller);
                        },
                    .refuse =
                        [](control::FrameSink& sink, std::string reason) {
                          return std::make_unique<
                              control::RefusingSession<sup::v1::Request, sup::v1::Response>>(
                              sink, std::move(reason));
                        },
                    .identify =
                        [](HANDLE) {
                          return control::Caller{control::Role::kOperator, "TEST\\operator"};
                        },
                    // Every process here runs as one account: the test says whose each client is.
                    .account =
                        [this](HANDLE) {
                          std::lock_guard lock(account_mutex_);
                          ++accounts_read_;
                          return next_account_;
                        }},
        std::make_shared<spdlog::logger>(
            "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_lines_)));
    ASSERT_TRUE(server.ok()) << server.error().message();
    server_ = std::move(*server);
    io_thread_ = std::thread([this] { io_.run(); });
    for (int i = 1; i < io_threads_; ++i) more_io_threads_.emplace_back([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) boost::asio::post(io_, [this] { server_->Stop(); });
    if (io_thread_.joinable()) io_thread_.join();
    for (std::thread& thread : more_io_threads_) thread.join();
  }

  Result<PipeClient> Connect() { return PipeClient::Connect(options_.pipe_name, 5s); }

  // Connects as `account` (the account the server sees for this client).
  Result<PipeClient> ConnectAs(const std::string& sid, bool administrator = false) {
    {
      std::lock_guard lock(account_mutex_);
      next_account_ = control::ClientAccount{sid, administrator};
    }
    const int before = accounts_read_.load();
    Result<PipeClient> pipe = Connect();
    // The server reads the account once its io thread sees the connection: wait for that, so the
    // next ConnectAs cannot change the account under it.
    if (pipe) testing::WaitUntil([&] { return accounts_read_.load() > before; }, 5s);
    return pipe;
  }

  // The server's log so far (once its io thread is quiet, or line by line as written).
  std::string LogText() {
    std::promise<std::string> text;
    boost::asio::post(io_, [&] { text.set_value(log_lines_.str()); });
    return text.get_future().get();
  }

  // True when `client`'s connection was closed by the server (a read returns end of stream).
  static bool ClosedByServer(PipeClient& client) {
    char byte;
    Result<std::size_t> read = client.ReadSome(std::span<char>(&byte, 1));
    return read.ok() && *read == 0;
  }

 public:
  boost::asio::io_context io_{1};
  PipeServerOptions options_;
  std::unique_ptr<PipeServer> server_;
  std::thread io_thread_;
  std::atomic<int> requests_{0};
  std::atomic<int> sessions_ended_{0};
  int io_threads_ = 1;  // threads running io_ (more with options_.parallel)
  std::vector<std::thread> more_io_threads_;
  std::atomic<int> in_meeting_{0};
  std::mutex caller_mutex_;
  std::string last_caller_;       // guarded by caller_mutex_
  std::ostringstream log_lines_;  // written on the io thread
  std::mutex account_mutex_;
  control::ClientAccount next_account_{"S-1-5-21-1-2-3-1001", true};
  std::atomic<int> accounts_read_{0};
  bool limits_set_ = false;  // a test set options_.connections itself
};

TestSession::TestSession(PipeServerTest& test, control::FrameSink& sink, control::Caller caller)
    : test_(test), sink_(sink) {
  std::lock_guard lock(test_.caller_mutex_);
  test_.last_caller_ = caller.name + " (" + control::RoleName(caller.role) + ")";
}

TestSession::~TestSession() { ++test_.sessions_ended_; }

Result<void> TestSession::OnFrame(std::string_view payload) {
  ++test_.requests_;
  sup::v1::Request request;
  if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Error(ErrorKind::kInvalidArgument, "not a request");
  }
  sup::v1::Response response;
  response.set_request_id(request.request_id());
  if (request.has_logs() && request.logs().follow()) {
    streaming_ = true;
    response.mutable_logs()->add_lines(std::string(64 * 1024, 'x'));
    for (std::uint32_t i = 0; i < request.logs().lines(); ++i)
      sink_.Send(response.SerializeAsString());
    return Ok();
  }
  if (request.has_status()) {
    ++test_.in_meeting_;
    const bool met = testing::WaitUntil([&] { return test_.in_meeting_.load() >= 2; }, 10s);
    response.mutable_version()->set_daemon_version(met ? "met" : "alone");
    sink_.Send(response.SerializeAsString());
    return Ok();
  }
  response.mutable_version()->set_daemon_version("test");
  sink_.Send(response.SerializeAsString());
  return Ok();
}

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

// The health pipe's read side: several threads run the io_context, each connection on a strand of
// its own, so one connection's request does not wait for another's (two requests are handled at
// the same moment); many clients are all answered, and a stop still ends every thread.
TEST_F(PipeServerTest, AParallelServerServesConnectionsAtTheSameTime) {
  options_.parallel = true;
  io_threads_ = 4;
  StartServer("parallel");
  std::vector<std::string> answers(2);
  std::vector<std::thread> meeting;
  for (std::string& answer : answers) {
    meeting.emplace_back([&] {
      Result<PipeClient> pipe = Connect();
      if (!pipe) return;
      ControlClient client(*pipe);
      sup::v1::Request request;
      request.mutable_status();
      if (Result<sup::v1::Response> response = client.Call(request))
        answer = response->version().daemon_version();
    });
  }
  for (std::thread& client : meeting) client.join();
  EXPECT_EQ(answers, (std::vector<std::string>{"met", "met"}));

  std::atomic<int> succeeded{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&] {
      Result<PipeClient> pipe = Connect();
      if (!pipe) return;
      ControlClient client(*pipe);
      for (int call = 0; call < 25; ++call) succeeded += client.Call(VersionRequest()).ok();
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(succeeded.load(), 16 * 25);
  server_->Stop();  // from this thread: posted to the server's strand
  io_thread_.join();
  for (std::thread& thread : more_io_threads_) thread.join();
  more_io_threads_.clear();
  EXPECT_FALSE(Connect().ok());
}

// The next read of a connection waits until its reply is written (a read issued earlier would
// wait under Wine at a cost per check; without that read nothing after the first reply would be
// answered, which every test of more than one call shows). Requests a client sends without waiting
// for the replies, several in one write or one after the other, are all answered, in order.
TEST_F(PipeServerTest, RequestsSentWithoutWaitingAreAnsweredInOrder) {
  StartServer("pipelined");
  Result<PipeClient> pipe = Connect();
  ASSERT_TRUE(pipe.ok()) << pipe.error().message();
  const auto frame_of = [](std::uint64_t id) {
    sup::v1::Request request = VersionRequest();
    request.set_protocol_version(kProtocolVersion);
    request.set_request_id(id);
    return *EncodeFrame(request.SerializeAsString());
  };
  ASSERT_TRUE(pipe->WriteAll(frame_of(1) + frame_of(2) + frame_of(3)).ok());
  ASSERT_TRUE(pipe->WriteAll(frame_of(4)).ok());
  ASSERT_TRUE(pipe->WriteAll(frame_of(5)).ok());

  FrameDecoder decoder;
  std::vector<std::uint64_t> answered;
  std::array<char, 4096> buffer;
  while (answered.size() < 5) {
    Result<std::size_t> read = pipe->ReadSome(buffer);
    ASSERT_TRUE(read.ok() && *read > 0) << "the connection ended after " << answered.size();
    ASSERT_TRUE(decoder.Feed(std::string_view(buffer.data(), *read)).ok());
    while (std::optional<std::string> payload = decoder.Pop()) {
      sup::v1::Response response;
      ASSERT_TRUE(response.ParseFromString(*payload));
      answered.push_back(response.request_id());
    }
  }
  EXPECT_EQ(answered, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(requests_.load(), 5);
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
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            2s);  // no waiting for a pipe that is not there
}

TEST_F(PipeServerTest, SessionsLearnWhoTheCallerIs) {
  StartServer("caller");
  Result<PipeClient> pipe = Connect();
  ASSERT_TRUE(pipe.ok()) << pipe.error().message();
  ControlClient client(*pipe);
  ASSERT_TRUE(client.Call(VersionRequest()).ok());
  std::promise<std::string> caller;
  boost::asio::post(io_, [&] {
    std::lock_guard lock(caller_mutex_);
    caller.set_value(last_caller_);
  });
  EXPECT_EQ(caller.get_future().get(), "TEST\\operator (operator)");
}

// A follower that stops reading fills its pipe; the write that cannot complete drops it after
// the write deadline, and everyone else is still answered.
TEST_F(PipeServerTest, AFollowerThatStopsReadingIsDroppedAfterTheWriteDeadline) {
  options_.write_deadline = 500ms;
  StartServer("stalled");
  Result<PipeClient> stalled = Connect();
  ASSERT_TRUE(stalled.ok()) << stalled.error().message();
  sup::v1::Request follow;
  follow.set_protocol_version(kProtocolVersion);
  follow.mutable_logs()->set_follow(true);
  follow.mutable_logs()->set_lines(40);  // 2.6 MB: far more than the pipe holds
  Result<std::string> frame = EncodeFrame(follow.SerializeAsString());
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(stalled->WriteAll(*frame).ok());
  EXPECT_TRUE(testing::WaitUntil([&] { return sessions_ended_.load() == 1; }, 10s));

  Result<PipeClient> other = Connect();
  ASSERT_TRUE(other.ok()) << other.error().message();
  ControlClient client(*other);
  EXPECT_TRUE(client.Call(VersionRequest()).ok());
}

// A client whose account holds its share is told why at its first request, and the connection
// ends; once the account lets one go, it is admitted again.
TEST_F(PipeServerTest, AnAccountHoldingItsShareIsRefusedWithTheReasonUntilItLetsOneGo) {
  options_.connections = {.instances = 8, .per_account = 2};
  limits_set_ = true;
  StartServer("share");
  std::vector<PipeClient> held;
  for (int i = 0; i < 2; ++i) {
    Result<PipeClient> pipe = ConnectAs("S-1-5-21-7-7-7-1001", false);
    ASSERT_TRUE(pipe.ok()) << pipe.error().message();
    ControlClient client(*pipe);
    ASSERT_TRUE(client.Call(VersionRequest()).ok());
    held.push_back(std::move(*pipe));
  }
  Result<PipeClient> third = ConnectAs("S-1-5-21-7-7-7-1001", false);
  ASSERT_TRUE(third.ok()) << third.error().message();
  ControlClient refused(*third);
  Result<sup::v1::Response> answer = refused.Call(VersionRequest());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().kind(), ErrorKind::kResourceExhausted);
  EXPECT_NE(answer.error().message().find("supd refused the connection: this account already "
                                          "holds 2 connections"),
            std::string::npos)
      << answer.error().message();
  EXPECT_TRUE(ClosedByServer(*third));
  EXPECT_EQ(requests_.load(), 2);  // the refused request never reached a session

  held.pop_back();  // closing one gives its place back
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        Result<PipeClient> again = ConnectAs("S-1-5-21-7-7-7-1001", false);
        if (!again) return false;
        ControlClient client(*again);
        return client.Call(VersionRequest()).ok();
      },
      5s));
}

// One account at its share cannot keep another account out, and while one refusal waits for its
// request, further connections of that account are closed at once: an account holds at most its
// share plus one instance, however fast it connects.
TEST_F(PipeServerTest, AnAccountAtItsShareNeitherBlocksOthersNorHoldsMoreThanOneRefusal) {
  options_.connections = {.instances = 8, .per_account = 2};
  limits_set_ = true;
  StartServer("others");
  std::vector<PipeClient> attacker;
  for (int i = 0; i < 2; ++i) {
    Result<PipeClient> pipe = ConnectAs("S-1-5-21-6-6-6-1001");
    ASSERT_TRUE(pipe.ok()) << pipe.error().message();
    attacker.push_back(std::move(*pipe));  // silent, but within the request deadline
  }
  Result<PipeClient> waiting_refusal = ConnectAs("S-1-5-21-6-6-6-1001");
  ASSERT_TRUE(waiting_refusal.ok());
  for (int i = 0; i < 5; ++i) {
    Result<PipeClient> more = ConnectAs("S-1-5-21-6-6-6-1001");
    ASSERT_TRUE(more.ok());
    EXPECT_TRUE(ClosedByServer(*more)) << "connection " << i;
  }
  Result<PipeClient> other = ConnectAs("S-1-5-21-5-5-5-1002");
  ASSERT_TRUE(other.ok()) << other.error().message();
  ControlClient client(*other);
  EXPECT_TRUE(client.Call(VersionRequest()).ok());
  ControlClient refused(*waiting_refusal);
  EXPECT_FALSE(refused.Call(VersionRequest()).ok());
}

// Non-administrators together hold at most what is not kept for administrators: with every
// such instance taken, an administrator is still served. (Which account a client is comes from
// its process token: only real Windows shows a standard user's; here the test says it.)
TEST_F(PipeServerTest, InstancesKeptForAdministratorsStayFreeForThem) {
  options_.connections = {.instances = 4, .reserved_for_administrators = 1, .per_account = 4};
  limits_set_ = true;
  StartServer("reserved");
  std::vector<PipeClient> users;
  for (int i = 0; i < 3; ++i) {
    Result<PipeClient> pipe = ConnectAs("S-1-5-21-4-4-4-" + std::to_string(1001 + i));
    ASSERT_TRUE(pipe.ok()) << pipe.error().message();
    ControlClient client(*pipe);
    ASSERT_TRUE(client.Call(VersionRequest()).ok());
    users.push_back(std::move(*pipe));
  }
  {
    Result<PipeClient> fourth_user = ConnectAs("S-1-5-21-4-4-4-1004");
    ASSERT_TRUE(fourth_user.ok());
    ControlClient refused(*fourth_user);
    Result<sup::v1::Response> answer = refused.Call(VersionRequest());
    ASSERT_FALSE(answer.ok());
    EXPECT_NE(answer.error().message().find("kept for administrators"), std::string::npos)
        << answer.error().message();
  }  // closed: its instance is free again

  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        Result<PipeClient> admin = ConnectAs("S-1-5-21-4-4-4-500", true);
        if (!admin) return false;
        ControlClient client(*admin);
        return client.Call(VersionRequest()).ok();
      },
      5s));
}

// One client looping on malformed frames must not fill supd's log (5 x 10 MiB) nor the event log:
// what clients cause is logged at info level, at most ten lines a minute, and the next line let
// through says how many were left out.
TEST_F(PipeServerTest, WhatClientsCauseIsLoggedAtInfoLevelAndRateLimited) {
  StartServer("noisy");
  const std::string garbage("\x0a\x64not a request", 15);
  for (int i = 0; i < 40; ++i) {
    Result<PipeClient> bad = Connect();
    ASSERT_TRUE(bad.ok()) << bad.error().message();
    ASSERT_TRUE(bad->WriteAll(Header(static_cast<std::uint32_t>(garbage.size())) + garbage).ok());
    ASSERT_TRUE(ClosedByServer(*bad));
  }
  const std::string log = LogText();
  int lines = 0;
  for (std::size_t at = log.find("pipe client dropped"); at != std::string::npos;
       at = log.find("pipe client dropped", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 10) << log;
  EXPECT_EQ(log.find("[warning]"), std::string::npos) << log;
  EXPECT_EQ(log.find("[error]"), std::string::npos) << log;
  EXPECT_NE(log.find("account=S-1-5-21-1-2-3-1001"), std::string::npos) << log;
}

// A pipe has one security descriptor for all its instances, set by the first one: a changed
// operators group must be set on the pipe itself (through the listening instance), not on
// instances created later (which Windows ignores).
TEST_F(PipeServerTest, SetSecurityChangesTheDaclOfThePipeItself) {
  StartServer("security");
  const std::string sddl = "D:P(A;;GA;;;SY)(A;;GA;;;BA)" + PipeClientAce("S-1-5-32-547");
  std::promise<Result<void>> set;
  boost::asio::post(io_, [&] { set.set_value(server_->SetSecurity(sddl)); });
  Result<void> result = set.get_future().get();
  ASSERT_TRUE(result.ok()) << result.error().message();
  EXPECT_EQ(testing::PipeDacl(options_.pipe_name), testing::SddlDacl(sddl));
}

// Under Wine every process runs with one administrator token, so the real identification can
// only show that path; a non-administrator or an operator needs real Windows.
TEST(CallerIdentityTest, AnAdministratorClientIsIdentifiedAsSuch) {
  Result<CallerIdentity> identity = CallerIdentity::Create("");
  ASSERT_TRUE(identity.ok()) << identity.error().message();
  const std::string name = UniquePipeName("identity");
  UniqueFileHandle server{::CreateNamedPipeW(PipePath(name).c_str(), PIPE_ACCESS_DUPLEX,
                                             PIPE_TYPE_BYTE, 1, 4096, 4096, 0, nullptr)};
  ASSERT_TRUE(server);
  Result<PipeClient> client = PipeClient::Connect(name, 5s);
  ASSERT_TRUE(client.ok()) << client.error().message();
  ::ConnectNamedPipe(server.get(), nullptr);
  ASSERT_TRUE(client->WriteAll("x").ok());  // impersonation needs something read first
  char byte;
  DWORD read = 0;
  ASSERT_TRUE(::ReadFile(server.get(), &byte, 1, &read, nullptr));
  const control::Caller caller = identity->Identify(server.get());
  EXPECT_EQ(caller.role, control::Role::kAdministrator) << caller.name;
  EXPECT_FALSE(caller.name.empty());
}

// RevertToSelf failing would leave supd's thread running as the client: supd ends instead. (It
// cannot be made to fail for real; the decision is shown with stand-ins for both calls.)
bool g_terminated = false;
BOOL WINAPI RevertFails() { return FALSE; }
BOOL WINAPI RevertWorks() { return TRUE; }
void RecordTermination() { g_terminated = true; }

TEST(CallerIdentityTest, AFailedRevertToSelfEndsSupdRatherThanGoOnAsTheClient) {
  g_terminated = false;
  RevertOrTerminate(&RevertWorks, &RecordTermination);
  EXPECT_FALSE(g_terminated);
  RevertOrTerminate(&RevertFails, &RecordTermination);
  EXPECT_TRUE(g_terminated);
}

TEST(CallerIdentityTest, AnUnknownOperatorsGroupIsAnErrorNamingIt) {
  Result<CallerIdentity> identity = CallerIdentity::Create("NoSuchGroupAnywhere");
  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().message().find("NoSuchGroupAnywhere"), std::string::npos);
}

TEST(CallerIdentityTest, TheOperatorsGroupJoinsTheControlPipeDacl) {
  Result<CallerIdentity> none = CallerIdentity::Create("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->ControlPipeSddl(), "D:P(A;;GA;;;SY)(A;;GA;;;BA)");
  Result<CallerIdentity> operators = CallerIdentity::Create("S-1-5-32-547");  // Power Users, by SID
  ASSERT_TRUE(operators.ok()) << operators.error().message();
  EXPECT_EQ(operators->ControlPipeSddl(),
            "D:P(A;;GA;;;SY)(A;;GA;;;BA)" + PipeClientAce("S-1-5-32-547"));
}

// supd under another account (NetworkService, a virtual account) creates the further instances
// of its pipes itself, which takes FILE_CREATE_PIPE_INSTANCE: its account is in both DACLs, or it
// would serve one client at a time. As SYSTEM nothing is added.
TEST(CallerIdentityTest, SupdsOwnAccountJoinsBothPipeDacls) {
  Result<CallerIdentity> system = CallerIdentity::Create("", "S-1-5-18");
  Result<CallerIdentity> network_service = CallerIdentity::Create("S-1-5-32-547", "S-1-5-20");
  ASSERT_TRUE(system.ok() && network_service.ok());
  EXPECT_EQ(system->ControlPipeSddl(), "D:P(A;;GA;;;SY)(A;;GA;;;BA)");
  EXPECT_EQ(network_service->ControlPipeSddl(),
            "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;S-1-5-20)" + PipeClientAce("S-1-5-32-547"));
  EXPECT_EQ(HealthPipeSddl("S-1-5-18"), "D:P(A;;GA;;;SY)(A;;GA;;;BA)" + PipeClientAce("AU"));
  EXPECT_EQ(HealthPipeSddl("S-1-5-20"),
            "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;S-1-5-20)" + PipeClientAce("AU"));
}

// A client with FILE_CREATE_PIPE_INSTANCE (FILE_APPEND_DATA, part of GENERIC_WRITE) could create
// instances of supd's pipe and answer its clients in supd's name: only SYSTEM, Administrators
// and supd's own account may have it. The others get what a client needs, nothing more. (Wine
// enforces no pipe DACL: that the descriptor keeps a standard user out only real Windows shows; the
// descriptor is what supd asks for, read back here.)
TEST(PipeSecurityTest, OnlySystemAndAdministratorsMayCreateInstancesOfSupdsPipes) {
  Result<CallerIdentity> none = CallerIdentity::Create("");
  Result<CallerIdentity> operators = CallerIdentity::Create("S-1-5-32-547", "S-1-5-20");
  ASSERT_TRUE(none.ok() && operators.ok());
  for (const std::string& sddl : {HealthPipeSddl("S-1-5-18"), HealthPipeSddl("S-1-5-20"),
                                  none->ControlPipeSddl(), operators->ControlPipeSddl()}) {
    const testing::AccessEntries entries = testing::SddlDacl(sddl);
    ASSERT_GE(entries.size(), 2u) << sddl;
    for (const auto& [sid, mask] : entries) {
      if (sid == "S-1-5-18" || sid == "S-1-5-32-544" || sid == "S-1-5-20") {
        EXPECT_EQ(mask, static_cast<ACCESS_MASK>(FILE_ALL_ACCESS)) << sddl;
        continue;
      }
      EXPECT_EQ(mask & FILE_CREATE_PIPE_INSTANCE, 0u) << sid << " in " << sddl;
      EXPECT_EQ(mask & (WRITE_DAC | WRITE_OWNER | DELETE), 0u) << sid << " in " << sddl;
      EXPECT_EQ(mask, kPipeClientRights) << sid << " in " << sddl;
    }
  }
}

// What PipeClient asks for is within what a non-administrator is granted: a client that asked
// for GENERIC_WRITE would be refused by real Windows.
TEST(PipeSecurityTest, PipeClientAsksForNoMoreThanAClientIsGranted) {
  const testing::AccessEntries health = testing::SddlDacl(HealthPipeSddl("S-1-5-18"));
  ASSERT_EQ(health.size(), 3u);
  EXPECT_EQ(kPipeClientRights & ~health[2].second, 0u);
  GENERIC_MAPPING mapping{FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                          FILE_ALL_ACCESS};
  ACCESS_MASK generic_write = GENERIC_WRITE;
  ::MapGenericMask(&generic_write, &mapping);
  EXPECT_NE(generic_write & ~health[2].second, 0u);  // GENERIC_WRITE would be refused
}

}  // namespace
}  // namespace sup::win

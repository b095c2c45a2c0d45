#include "common/protocol_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "common/protocol.h"

namespace sup {
namespace {

// A ByteStream that records what the client writes and serves scripted bytes in small reads.
class ScriptedStream final : public ByteStream {
 public:
  Result<void> WriteAll(std::string_view bytes) override {
    written.append(bytes);
    return Ok();
  }
  Result<std::size_t> ReadSome(std::span<char> buffer) override {
    if (read_error) return *read_error;
    if (incoming.empty()) return std::size_t{0};
    const std::size_t n = std::min({buffer.size(), incoming.size(), std::size_t{3}});
    std::copy_n(incoming.begin(), n, buffer.begin());
    incoming.erase(0, n);
    return n;
  }

  std::string written;
  std::string incoming;
  std::optional<Error> read_error;
};

std::string ReplyFrame(const sup::v1::Response& response) {
  return *EncodeFrame(response.SerializeAsString());
}

sup::v1::Request VersionRequest() {
  sup::v1::Request request;
  request.mutable_version();
  return request;
}

TEST(ControlClientTest, SendsAFramedRequestWithIdAndVersion) {
  ScriptedStream stream;
  sup::v1::Response reply;
  reply.set_request_id(1);
  reply.mutable_version()->set_daemon_version("1.2.3");
  stream.incoming = ReplyFrame(reply);

  ControlClient client(stream);
  Result<sup::v1::Response> response = client.Call(VersionRequest());
  ASSERT_TRUE(response.ok()) << response.error().message();
  EXPECT_EQ(response->version().daemon_version(), "1.2.3");

  FrameDecoder decoder;
  ASSERT_TRUE(decoder.Feed(stream.written).ok());
  sup::v1::Request sent;
  ASSERT_TRUE(sent.ParseFromString(*decoder.Pop()));
  EXPECT_EQ(sent.request_id(), 1u);
  EXPECT_EQ(sent.protocol_version(), kProtocolVersion);
  EXPECT_TRUE(sent.has_version());
}

TEST(ControlClientTest, SkipsRepliesToOtherRequestIds) {
  ScriptedStream stream;
  sup::v1::Response stale;
  stale.set_request_id(99);
  sup::v1::Response mine;
  mine.set_request_id(1);
  mine.mutable_version()->set_daemon_version("mine");
  stream.incoming = ReplyFrame(stale) + ReplyFrame(mine);

  ControlClient client(stream);
  Result<sup::v1::Response> response = client.Call(VersionRequest());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->version().daemon_version(), "mine");
}

TEST(ControlClientTest, TurnsAnErrorReplyIntoAFailedResult) {
  ScriptedStream stream;
  sup::v1::Response reply;
  reply.set_request_id(1);
  reply.mutable_error()->set_code(sup::v1::Error::NOT_FOUND);
  reply.mutable_error()->set_message("no such worker: x");
  stream.incoming = ReplyFrame(reply);

  ControlClient client(stream);
  Result<sup::v1::Response> response = client.Call(VersionRequest());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(response.error().message(), "no such worker: x");
}

TEST(ControlClientTest, PeerClosingBeforeReplyingIsUnavailable) {
  ScriptedStream stream;
  ControlClient client(stream);
  Result<sup::v1::Response> response = client.Call(VersionRequest());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind(), ErrorKind::kUnavailable);
}

TEST(ControlClientTest, ReplyThatIsNotAResponseIsInternal) {
  ScriptedStream stream;
  stream.incoming = *EncodeFrame(std::string("\x0a\x64garbage", 9));
  ControlClient client(stream);
  Result<sup::v1::Response> response = client.Call(VersionRequest());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind(), ErrorKind::kInternal);
}

TEST(ControlClientTest, TransportErrorsPassThrough) {
  ScriptedStream stream;
  stream.read_error =
      Error(ErrorKind::kUnavailable, "reading from \\\\.\\pipe\\x: no answer within 10 ms");
  ControlClient client(stream);
  Result<sup::v1::Response> response = client.Call(VersionRequest());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().message(), "reading from \\\\.\\pipe\\x: no answer within 10 ms");
}

TEST(ErrorCodeMappingTest, EveryKindRoundTripsThroughTheWire) {
  for (ErrorKind kind :
       {ErrorKind::kNotFound, ErrorKind::kInvalidArgument, ErrorKind::kPermissionDenied,
        ErrorKind::kFailedPrecondition, ErrorKind::kUnavailable, ErrorKind::kInternal,
        ErrorKind::kResourceExhausted}) {
    EXPECT_EQ(FromWireCode(ToWireCode(kind)), kind) << ErrorKindName(kind);
  }
  EXPECT_EQ(FromWireCode(sup::v1::Error::CODE_UNSPECIFIED), ErrorKind::kInternal);
}

}  // namespace
}  // namespace sup

// The client side of supd's protocols: frames a request onto a byte stream, reads frames until
// the reply with the same id, and turns a reply's Error into a failed Result. A call that opened
// a stream (logs -f, events -f, health watch) reads its further frames with Next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/frame_codec.h"
#include "common/result.h"
#include "sup/v1/control.pb.h"
#include "sup/v1/health.pb.h"

namespace sup {

// A connected byte stream to supd: a named pipe in production, a fake in tests.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual Result<void> WriteAll(std::string_view bytes) = 0;
  // Reads at least one byte; 0 means the peer closed the stream.
  virtual Result<std::size_t> ReadSome(std::span<char> buffer) = 0;
};

template <typename Request, typename Response>
class ProtocolClient {
 public:
  explicit ProtocolClient(ByteStream& stream) : stream_(stream) {}

  // Sends `request` (its id and protocol version are filled in) and returns the reply, or the
  // transport error, a malformed reply, or the Error supd answered with.
  Result<Response> Call(Request request);
  // The next frame of the stream the last Call opened.
  Result<Response> Next();

 private:
  ByteStream& stream_;
  FrameDecoder decoder_{kLargestMaxFrameBytes};  // whatever MaxFrameBytes supd runs with
  std::uint64_t next_request_id_ = 1;
  std::uint64_t current_id_ = 0;
};

using ControlClient = ProtocolClient<sup::v1::Request, sup::v1::Response>;
using HealthClient = ProtocolClient<sup::v1::HealthRequest, sup::v1::HealthResponse>;

}  // namespace sup

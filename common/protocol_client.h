// The client side of the control protocol: frames a Request onto a byte stream, reads frames
// until the matching Response, and turns a reply's Error into a failed Result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/frame_codec.h"
#include "common/result.h"
#include "sup/v1/control.pb.h"

namespace sup {

// A connected byte stream to supd: a named pipe in production, a fake in tests.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual Result<void> WriteAll(std::string_view bytes) = 0;
  // Reads at least one byte; 0 means the peer closed the stream.
  virtual Result<std::size_t> ReadSome(std::span<char> buffer) = 0;
};

class ControlClient {
 public:
  explicit ControlClient(ByteStream& stream) : stream_(stream) {}

  // Sends `request` (its id and protocol version are filled in) and returns the reply, or the
  // transport error, a malformed reply, or the Error supd answered with.
  Result<sup::v1::Response> Call(sup::v1::Request request);

 private:
  ByteStream& stream_;
  FrameDecoder decoder_;
  std::uint64_t next_request_id_ = 1;
};

}  // namespace sup

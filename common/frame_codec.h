// The framing of both pipes: a 4-byte little-endian payload length, then the payload (one
// protobuf message). Pure code, no I/O: transports feed it whatever bytes they read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sup {

inline constexpr std::size_t kFrameHeaderBytes = 4;
inline constexpr std::size_t kMaxFrameBytes = 1024 * 1024;  // MaxFrameBytes' default
// The largest MaxFrameBytes supd accepts, so the largest reply a client may have to read.
inline constexpr std::size_t kLargestMaxFrameBytes = 16 * 1024 * 1024;

// The frame carrying `payload`, or kInvalidArgument if the payload exceeds `max_frame_bytes`.
Result<std::string> EncodeFrame(std::string_view payload,
                                std::size_t max_frame_bytes = kMaxFrameBytes);

// Splits a byte stream into frames. A length prefix above the limit is refused as soon as its
// four bytes have arrived, before any payload memory is reserved; after that the stream is
// unusable (there is no way to find the next frame boundary) and every Feed fails.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame_bytes = kMaxFrameBytes)
      : max_frame_bytes_(max_frame_bytes) {}

  // Consumes `bytes`; completed frames become available through Pop().
  Result<void> Feed(std::string_view bytes);

  // The oldest completed frame's payload, if any.
  std::optional<std::string> Pop();

  // True while part of a frame has arrived but not all of it: a peer that disconnects now
  // broke off mid-frame.
  bool mid_frame() const { return header_filled_ > 0 || expected_payload_.has_value(); }

 private:
  std::size_t max_frame_bytes_;
  std::uint8_t header_[kFrameHeaderBytes] = {};
  std::size_t header_filled_ = 0;
  std::optional<std::size_t> expected_payload_;  // set once a valid header is complete
  std::string payload_;
  std::deque<std::string> complete_;
  std::optional<Error> failure_;
};

}  // namespace sup

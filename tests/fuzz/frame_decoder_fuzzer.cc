// libFuzzer target: the frame decoder of both pipes, fed arbitrary bytes in arbitrary pieces.
//
// Input: byte 0 picks the frame limit (0..255 KiB, so both the limit and the 4-byte header are
// exercised); bytes 1-2 pick the piece size the stream arrives in (a pipe read returns whatever
// it returns); the rest is the byte stream. Checks, beyond "no crash, no sanitizer report":
//   - the frames that come out, encoded again, are exactly the bytes that went in, in order;
//   - a length prefix above the limit fails the stream for good and holds no payload memory;
//   - mid_frame() is true exactly when bytes of an unfinished frame are pending.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/frame_codec.h"

namespace {

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t limit = static_cast<std::size_t>(data[0]) * 1024;
  const std::size_t piece =
      1 + (static_cast<std::size_t>(data[1]) | static_cast<std::size_t>(data[2]) << 8);
  const std::string_view stream(reinterpret_cast<const char*>(data) + 3, size - 3);

  sup::FrameDecoder decoder(limit);
  std::string reencoded;  // every frame popped so far, encoded again
  std::size_t fed = 0;
  bool failed = false;
  auto take_completed_frames = [&] {
    while (std::optional<std::string> payload = decoder.Pop()) {
      Require(payload->size() <= limit);
      sup::Result<std::string> frame = sup::EncodeFrame(*payload, limit);
      Require(frame.ok());
      reencoded += *frame;
    }
  };
  while (fed < stream.size() && !failed) {
    const std::string_view bytes = stream.substr(fed, piece);
    fed += bytes.size();
    failed = !decoder.Feed(bytes).ok();
    take_completed_frames();  // frames completed before a refused header still count
  }

  // What the decoder returned is exactly the start of the stream.
  Require(stream.substr(0, reencoded.size()) == reencoded);
  if (failed) {
    // The refused header is the four bytes right after the last whole frame, and it stays refused.
    Require(stream.size() >= reencoded.size() + sup::kFrameHeaderBytes);
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < sup::kFrameHeaderBytes; ++i) {
      length |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(stream[reencoded.size() + i]))
                << (8 * i);
    }
    Require(length > limit);
    Require(!decoder.Feed("x").ok());
    Require(!decoder.Pop().has_value());
    Require(
        !decoder.mid_frame());  // the refused header's bytes were dropped, no payload was reserved
  } else {
    // Everything not returned yet is an unfinished frame, and the decoder says so.
    Require(decoder.mid_frame() == (reencoded.size() < stream.size()));
  }
  return 0;
}

#include "common/frame_codec.h"

#include <algorithm>

namespace sup {

Result<std::string> EncodeFrame(std::string_view payload, std::size_t max_frame_bytes) {
  if (payload.size() > max_frame_bytes) {
    return Error(ErrorKind::kInvalidArgument, "frame of " + std::to_string(payload.size()) +
                                                  " bytes exceeds the limit of " +
                                                  std::to_string(max_frame_bytes) + " bytes");
  }
  const auto size = static_cast<std::uint32_t>(payload.size());
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  for (std::size_t i = 0; i < kFrameHeaderBytes; ++i)
    frame.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  frame.append(payload);
  return frame;
}

Result<void> FrameDecoder::Feed(std::string_view bytes) {
  if (failure_) return *failure_;
  while (!bytes.empty()) {
    if (!expected_payload_) {
      const std::size_t take = std::min(kFrameHeaderBytes - header_filled_, bytes.size());
      for (std::size_t i = 0; i < take; ++i)
        header_[header_filled_ + i] = static_cast<std::uint8_t>(bytes[i]);
      header_filled_ += take;
      bytes.remove_prefix(take);
      if (header_filled_ < kFrameHeaderBytes) break;

      std::uint32_t length = 0;
      for (std::size_t i = 0; i < kFrameHeaderBytes; ++i)
        length |= static_cast<std::uint32_t>(header_[i]) << (8 * i);
      header_filled_ = 0;
      if (length > max_frame_bytes_) {
        failure_ =
            Error(ErrorKind::kInvalidArgument, "frame length prefix " + std::to_string(length) +
                                                   " exceeds the limit of " +
                                                   std::to_string(max_frame_bytes_) + " bytes");
        return *failure_;
      }
      expected_payload_ = length;
      payload_.clear();
      payload_.reserve(length);  // safe: bounded by the limit checked above
    }
    const std::size_t take = std::min(*expected_payload_ - payload_.size(), bytes.size());
    payload_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (payload_.size() == *expected_payload_) {
      complete_.push_back(std::move(payload_));
      payload_ = std::string();
      expected_payload_.reset();
    }
  }
  return Ok();
}

std::optional<std::string> FrameDecoder::Pop() {
  if (complete_.empty()) return std::nullopt;
  std::string frame = std::move(complete_.front());
  complete_.pop_front();
  return frame;
}

}  // namespace sup

#include "common/frame_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sup {
namespace {

std::string Frame(std::string_view payload) { return *EncodeFrame(payload); }

std::string Header(std::uint32_t length) {
  std::string header;
  for (int i = 0; i < 4; ++i) header.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  return header;
}

std::vector<std::string> DrainFrames(FrameDecoder& decoder) {
  std::vector<std::string> frames;
  while (std::optional<std::string> frame = decoder.Pop()) frames.push_back(std::move(*frame));
  return frames;
}

TEST(FrameCodecTest, EncodesLittleEndianLengthThenPayload) {
  EXPECT_EQ(Frame("abc"), std::string("\x03\x00\x00\x00"
                                      "abc",
                                      7));
  EXPECT_EQ(Frame(""), std::string(4, '\0'));
  EXPECT_EQ(Header(0x01020304), std::string("\x04\x03\x02\x01", 4));
}

TEST(FrameCodecTest, EncodeRefusesPayloadOverTheLimit) {
  Result<std::string> frame = EncodeFrame(std::string(11, 'x'), 10);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(frame.error().message().find("limit of 10"), std::string::npos);
  EXPECT_TRUE(EncodeFrame(std::string(10, 'x'), 10).ok());
}

// A stream of three frames (one empty, one with every byte value) split into two pieces at
// every possible point decodes to the same three payloads.
TEST(FrameCodecTest, DecodesTheSameAtEverySplitPoint) {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  const std::vector<std::string> payloads = {"hello", "", binary};
  std::string stream;
  for (const std::string& payload : payloads) stream += Frame(payload);

  for (std::size_t split = 0; split <= stream.size(); ++split) {
    FrameDecoder decoder;
    ASSERT_TRUE(decoder.Feed(std::string_view(stream).substr(0, split)).ok());
    ASSERT_TRUE(decoder.Feed(std::string_view(stream).substr(split)).ok());
    EXPECT_EQ(DrainFrames(decoder), payloads) << "split at " << split;
    EXPECT_FALSE(decoder.mid_frame());
  }
}

TEST(FrameCodecTest, DecodesByteByByte) {
  const std::string stream = Frame("one") + Frame("two");
  FrameDecoder decoder;
  std::vector<std::string> frames;
  for (char byte : stream) {
    ASSERT_TRUE(decoder.Feed(std::string_view(&byte, 1)).ok());
    for (std::string& frame : DrainFrames(decoder)) frames.push_back(std::move(frame));
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"one", "two"}));
}

TEST(FrameCodecTest, TruncatedFrameYieldsNothingAndReportsMidFrame) {
  const std::string frame = Frame("payload");
  for (std::size_t cut = 1; cut < frame.size(); ++cut) {
    FrameDecoder decoder;
    ASSERT_TRUE(decoder.Feed(std::string_view(frame).substr(0, cut)).ok());
    EXPECT_FALSE(decoder.Pop().has_value()) << "cut at " << cut;
    EXPECT_TRUE(decoder.mid_frame()) << "cut at " << cut;
  }
}

TEST(FrameCodecTest, AcceptsAFrameExactlyAtTheLimit) {
  FrameDecoder decoder(16);
  ASSERT_TRUE(decoder.Feed(Frame(std::string(16, 'x'))).ok());
  EXPECT_EQ(decoder.Pop(), std::string(16, 'x'));
}

// The length prefix is refused as soon as its four bytes arrive, before any payload byte, so an
// attacker's 0x7fffffff prefix costs nothing.
TEST(FrameCodecTest, RefusesOversizedPrefixBeforeThePayload) {
  FrameDecoder decoder(16);
  Result<void> fed = decoder.Feed(Header(17));
  ASSERT_FALSE(fed.ok());
  EXPECT_EQ(fed.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(fed.error().message().find("17"), std::string::npos);

  FrameDecoder huge;
  EXPECT_FALSE(huge.Feed(Header(0x7fffffff)).ok());
  FrameDecoder max;
  EXPECT_FALSE(max.Feed(Header(0xffffffff)).ok());
}

TEST(FrameCodecTest, StaysFailedAfterAnOversizedPrefix) {
  FrameDecoder decoder(16);
  EXPECT_FALSE(decoder.Feed(Header(1000) + "junk").ok());
  EXPECT_FALSE(decoder.Feed(Frame("ok")).ok());
  EXPECT_FALSE(decoder.Pop().has_value());
}

TEST(FrameCodecTest, FramesBeforeABadPrefixAreStillDelivered) {
  FrameDecoder decoder(16);
  EXPECT_FALSE(decoder.Feed(Frame("first") + Header(1000)).ok());
  EXPECT_EQ(decoder.Pop(), "first");
}

// Random garbage either decodes into frames within the limit or fails cleanly; it never
// crashes or yields a frame over the limit.
TEST(FrameCodecTest, GarbageNeverYieldsAnOversizedFrame) {
  std::mt19937 random(12345);
  for (int round = 0; round < 200; ++round) {
    FrameDecoder decoder(64);
    std::string garbage(1 + random() % 512, '\0');
    for (char& c : garbage) c = static_cast<char>(random() % 4 == 0 ? random() % 64 : random());
    (void)decoder.Feed(garbage);
    for (const std::string& frame : DrainFrames(decoder)) EXPECT_LE(frame.size(), 64u);
  }
}

}  // namespace
}  // namespace sup

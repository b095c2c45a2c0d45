#include "daemon/output/log_writer.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/fakes/manual_clock.h"
#include "tests/fakes/output_fakes.h"

namespace sup::output {
namespace {

using Files = std::vector<std::string>;

// Files in memory: files[0] is the current one, files[1] the newest backup, and so on.
class MemoryLogFile final : public LogFile {
 public:
  explicit MemoryLogFile(std::size_t backups) : backups_(backups), files(1) {}
  Result<void> Append(std::string_view bytes) override {
    files[0].append(bytes);
    return Ok();
  }
  Result<void> Rotate() override {
    files.insert(files.begin(), std::string());
    if (files.size() > backups_ + 1) files.pop_back();
    return Ok();
  }
  std::uint64_t size() const override { return files[0].size(); }

  std::size_t backups_;
  Files files;
};

TEST(RotatingLineWriterTest, JoinsPiecesIntoLinesAndNeverSplitsALineAcrossFiles) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingLineWriter writer(file, clock, {.max_bytes = 10});
  writer.Write("aaa\nbb");
  writer.Write("b\ncc");
  writer.Write("c\ndddd\n");
  EXPECT_EQ(file.files, (Files{"ccc\ndddd\n", "aaa\nbbb\n"}));
}

TEST(RotatingLineWriterTest, KeepsOnlyTheConfiguredBackups) {
  MemoryLogFile file(2);
  testing::ManualClock clock;
  RotatingLineWriter writer(file, clock, {.max_bytes = 4});
  for (char c : std::string("abcdef")) writer.Write(std::string(1, c) + "\n");
  EXPECT_EQ(file.files, (Files{"e\nf\n", "c\nd\n", "a\nb\n"}));
}

TEST(RotatingLineWriterTest, ALineLongerThanTheLimitGetsAFileOfItsOwn) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingLineWriter writer(file, clock, {.max_bytes = 4});
  writer.Write("ab\nlonger than four\ncd\n");
  EXPECT_EQ(file.files, (Files{"cd\n", "longer than four\n", "ab\n"}));
}

TEST(RotatingLineWriterTest, EndlessLineIsWrittenInPieces) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingLineWriter writer(file, clock, {.max_bytes = 1000, .max_line_bytes = 4});
  writer.Write("abcdefghij");
  EXPECT_EQ(file.files[0], "abcdefgh");
  writer.Flush();
  EXPECT_EQ(file.files[0], "abcdefghij");
}

TEST(RotatingLineWriterTest, FlushWritesTheUnterminatedLastLine) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingLineWriter writer(file, clock, {});
  writer.Write("done\nno newline");
  EXPECT_EQ(file.files[0], "done\n");
  writer.Flush();
  EXPECT_EQ(file.files[0], "done\nno newline");
}

TEST(RotatingLineWriterTest, TimestampsEachLineInUtc) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  clock.SetWall(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123)));
  RotatingLineWriter writer(file, clock, {.timestamps = true});
  writer.Write("one\r\ntwo\n");
  EXPECT_EQ(file.files[0], "2023-11-14T22:13:20.123Z one\r\n2023-11-14T22:13:20.123Z two\n");
}

TEST(RotatingLineWriterTest, TimestampsFollowTheClockAcrossSeconds) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  clock.SetWall(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'998)));
  RotatingLineWriter writer(file, clock, {.timestamps = true});
  writer.Write("a\n");
  clock.SetWall(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'001'005)));
  writer.Write("b\n");
  clock.SetWall(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'061'070)));
  writer.Write("c\n");
  EXPECT_EQ(file.files[0],
            "2023-11-14T22:13:20.998Z a\n2023-11-14T22:13:21.005Z b\n2023-11-14T22:14:21.070Z c\n");
}

TEST(RotatingLineWriterTest, RotationCountsTheTimestamp) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  // Each stamped line is 25 + 2 bytes: two fit in 60 bytes, a third does not.
  RotatingLineWriter writer(file, clock, {.max_bytes = 60, .timestamps = true});
  writer.Write("1\n2\n3\n");
  ASSERT_EQ(file.files.size(), 2u);
  EXPECT_EQ(file.files[0].size(), 27u);  // the current file
  EXPECT_EQ(file.files[1].size(), 54u);
}

TEST(RotatingLineWriterTest, RemembersTheLastLines) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingLineWriter writer(file, clock, {.tail_lines = 2});
  writer.Write("1\r\n2\n3\n");
  EXPECT_EQ(writer.Tail(5), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(writer.Tail(1), (std::vector<std::string>{"3"}));
}

TEST(RotatingLineWriterTest, TheFileKeepsTheBytesWhatIsReadOutIsUtf8) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  testing::Latin1CodePages code_pages;
  RotatingLineWriter writer(file, clock, {.decoder = LineDecoder({}, &code_pages)});
  std::vector<std::string> followed;
  Subscription following = writer.FollowLines([&](const std::vector<std::string>& lines) {
    followed.insert(followed.end(), lines.begin(), lines.end());
  });
  writer.Write("caf\xE9\ncaf\xC3\xA9\n");  // cp1252, then UTF-8: auto tells them apart per line
  EXPECT_EQ(file.files[0], "caf\xE9\ncaf\xC3\xA9\n");
  EXPECT_EQ(writer.Tail(2), (std::vector<std::string>{"caf\xC3\xA9", "caf\xC3\xA9"}));
  EXPECT_EQ(followed, (std::vector<std::string>{"caf\xC3\xA9", "caf\xC3\xA9"}));
  EXPECT_EQ(code_pages.used, (std::vector<std::uint32_t>{1252, 1252}));  // only the 0xE9 line
}

TEST(LineDecoderTest, EachEncodingDecodesFromItsCodePage) {
  testing::Latin1CodePages code_pages;
  using Kind = OutputEncoding::Kind;
  EXPECT_EQ(LineDecoder({Kind::kOem, 0}, &code_pages).Decode("\x82"), "\xC2\x82");
  EXPECT_EQ(LineDecoder({Kind::kCodePage, 932}, &code_pages).Decode("a\xE9"), "a\xC3\xA9");
  EXPECT_EQ(code_pages.used, (std::vector<std::uint32_t>{850, 932}));
  // utf-8 never asks the system: invalid bytes become U+FFFD.
  EXPECT_EQ(LineDecoder({Kind::kUtf8, 0}, &code_pages).Decode("caf\xE9"), "caf\xEF\xBF\xBD");
  EXPECT_EQ(LineDecoder({Kind::kCodePage, 65001}, &code_pages).Decode("\xE9"), "\xEF\xBF\xBD");
  EXPECT_EQ(code_pages.used.size(), 2u);
  // Without the system's code pages (portable), every encoding is UTF-8 with replacement.
  EXPECT_EQ(LineDecoder({Kind::kAnsi, 0}).Decode("caf\xE9"), "caf\xEF\xBF\xBD");
}

}  // namespace
}  // namespace sup::output

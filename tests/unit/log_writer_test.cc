#include "daemon/output/log_writer.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/fakes/manual_clock.h"

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
  EXPECT_EQ(writer.tail(), (std::deque<std::string>{"2", "3"}));
}

}  // namespace
}  // namespace sup::output

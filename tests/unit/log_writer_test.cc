#include "daemon/output/log_writer.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/fakes/manual_clock.h"
#include "tests/fakes/output_fakes.h"

namespace sup::output {
namespace {

using Files = std::vector<std::string>;

// Files in memory: files[0] is the current one, files[1] the newest backup, and so on. A rename
// or a write fails while `rename_fails` / `write_fails` say so, as LogFile promises: nothing
// changes.
class MemoryLogFile final : public LogFile {
 public:
  explicit MemoryLogFile(std::size_t backups) : backups_(backups), files(1) {}
  Result<void> Append(std::string_view bytes) override {
    if (write_fails)
      return Error(ErrorKind::kUnavailable, "There is not enough space on the disk.");
    files[0].append(bytes);
    return Ok();
  }
  Result<void> Rotate() override {
    ++rotations_tried;
    if (rename_fails) return Error(ErrorKind::kUnavailable, "sharing violation");
    files.insert(files.begin(), std::string());
    if (files.size() > backups_ + 1) files.pop_back();
    return Ok();
  }
  std::uint64_t size() const override { return files[0].size(); }
  Result<void> Reopen() override {
    ++reopened;
    if (write_fails) return Error(ErrorKind::kUnavailable, "Access is denied.");
    return Ok();
  }
  std::optional<std::int64_t> modified_unix_ms() const override { return modified; }

  std::size_t backups_;
  std::optional<std::int64_t> modified;
  int reopened = 0;
  Files files;
  bool rename_fails = false;
  bool write_fails = false;
  int rotations_tried = 0;
};

TEST(LogWriterTest, JoinsPiecesIntoLinesAndNeverSplitsALineAcrossFiles) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 10});
  LineWriter writer(rotating, clock, {});
  writer.Write("aaa\nbb");
  writer.Write("b\ncc");
  writer.Write("c\ndddd\n");
  EXPECT_EQ(file.files, (Files{"ccc\ndddd\n", "aaa\nbbb\n"}));
}

TEST(LogWriterTest, KeepsOnlyTheConfiguredBackups) {
  MemoryLogFile file(2);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 4});
  LineWriter writer(rotating, clock, {});
  for (char c : std::string("abcdef")) writer.Write(std::string(1, c) + "\n");
  EXPECT_EQ(file.files, (Files{"e\nf\n", "c\nd\n", "a\nb\n"}));
}

TEST(LogWriterTest, ALineLongerThanTheLimitGetsAFileOfItsOwn) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 4});
  LineWriter writer(rotating, clock, {});
  writer.Write("ab\nlonger than four\ncd\n");
  EXPECT_EQ(file.files, (Files{"cd\n", "longer than four\n", "ab\n"}));
}

TEST(LogWriterTest, EndlessLineIsWrittenInPieces) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 1000});
  LineWriter writer(rotating, clock, {.max_line_bytes = 4});
  writer.Write("abcdefghij");
  EXPECT_EQ(file.files[0], "abcdefgh");
  writer.Flush();
  EXPECT_EQ(file.files[0], "abcdefghij");
}

// However a long line arrives (whole in one read, or over several), it is cut the same way.
TEST(LogWriterTest, ALongLineIsCutIntoTheSamePiecesHoweverItArrives) {
  testing::ManualClock clock;
  const std::vector<std::string> pieces{"abcd", "efgh", "ij", "klmn", "op"};
  for (const std::vector<std::string>& reads :
       {std::vector<std::string>{"abcdefghij\nklmnop\r\n"},
        std::vector<std::string>{"abc", "defghij\nklm", "nop\r", "\n"}}) {
    MemoryLogFile file(5);
    RotatingFile rotating(file, clock, {.max_bytes = 1000});
    LineWriter writer(rotating, clock, {.max_line_bytes = 4});
    for (const std::string& read : reads) writer.Write(read);
    EXPECT_EQ(file.files[0], "abcdefghij\nklmnop\r\n");
    EXPECT_EQ(writer.Tail(10), pieces) << reads.size() << " reads";
  }
}

// A line of exactly max_line_bytes whose line break comes in the next read is one line, not the
// line and an empty one.
TEST(LogWriterTest, ALineOfExactlyTheLimitStaysWholeWhenItsBreakComesLater) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 1000});
  LineWriter writer(rotating, clock, {.max_line_bytes = 4});
  writer.Write("abcd");
  writer.Write("\nefgh");
  writer.Write("\r\n");
  writer.Write("ijkl\r");
  writer.Write("\n");
  EXPECT_EQ(file.files[0], "abcd\nefgh\r\nijkl\r\n");
  EXPECT_EQ(writer.Tail(10), (std::vector<std::string>{"abcd", "efgh", "ijkl"}));
}

TEST(LogWriterTest, FlushWritesTheUnterminatedLastLine) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {});
  LineWriter writer(rotating, clock, {});
  writer.Write("done\nno newline");
  EXPECT_EQ(file.files[0], "done\n");
  writer.Flush();
  EXPECT_EQ(file.files[0], "done\nno newline");
}

// stdout and stderr into one file: each stream's partial line waits on its own, so lines never
// mix, and they reach the file (and the tail, and followers) in the order they were completed.
TEST(LogWriterTest, TwoStreamsIntoOneFileKeepLinesWholeAndInTheOrderTheyEnded) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 1000});
  LineWriter writer(rotating, clock, {});
  std::vector<std::string> followed;
  const Subscription following = writer.FollowLines([&](const std::vector<std::string>& lines) {
    followed.insert(followed.end(), lines.begin(), lines.end());
  });
  LineWriter::Input out, err;
  writer.Write(out, "out 1\nout 2 begins");
  writer.Write(err, "err 1 begins");
  writer.Write(out, ", ends\n");
  writer.Write(err, ", ends\nerr 2\n");
  writer.Write(out, "out 3 never ends");
  writer.Flush(err);  // stderr closed: nothing of stdout's partial line goes with it
  EXPECT_EQ(file.files[0], "out 1\nout 2 begins, ends\nerr 1 begins, ends\nerr 2\n");
  writer.Flush(out);
  EXPECT_EQ(file.files[0],
            "out 1\nout 2 begins, ends\nerr 1 begins, ends\nerr 2\nout 3 never ends");
  const std::vector<std::string> all{"out 1", "out 2 begins, ends", "err 1 begins, ends", "err 2",
                                     "out 3 never ends"};
  EXPECT_EQ(writer.Tail(10), all);
  EXPECT_EQ(followed, all);
}

TEST(LogWriterTest, TwoStreamsIntoOneFileRotateItOnceByTheirSizeTogether) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 8});
  LineWriter writer(rotating, clock, {});
  LineWriter::Input out, err;
  writer.Write(out, "o1\n");
  writer.Write(err, "e1\n");
  writer.Write(out, "o2\n");  // 9 bytes would not fit
  writer.Write(err, "e2\n");
  EXPECT_EQ(file.files, (Files{"o2\ne2\n", "o1\ne1\n"}));
  EXPECT_EQ(file.rotations_tried, 1);
}

TEST(LogWriterTest, TimestampsEachLineInUtc) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  clock.SetWall(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123)));
  RotatingFile rotating(file, clock, {});
  LineWriter writer(rotating, clock, {.timestamps = true});
  writer.Write("one\r\ntwo\n");
  EXPECT_EQ(file.files[0], "2023-11-14T22:13:20.123Z one\r\n2023-11-14T22:13:20.123Z two\n");
}

TEST(LogWriterTest, TimestampsFollowTheClockAcrossSeconds) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  clock.SetWall(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'998)));
  RotatingFile rotating(file, clock, {});
  LineWriter writer(rotating, clock, {.timestamps = true});
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

TEST(LogWriterTest, RotationCountsTheTimestamp) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  // Each stamped line is 25 + 2 bytes: two fit in 60 bytes, a third does not.
  RotatingFile rotating(file, clock, {.max_bytes = 60});
  LineWriter writer(rotating, clock, {.timestamps = true});
  writer.Write("1\n2\n3\n");
  ASSERT_EQ(file.files.size(), 2u);
  EXPECT_EQ(file.files[0].size(), 27u);  // the current file
  EXPECT_EQ(file.files[1].size(), 54u);
}

TEST(LogWriterTest, AFailingRotationKeepsEveryLineAndEveryBackupAndRetriesWithBackoff) {
  MemoryLogFile file(2);
  testing::ManualClock clock;
  std::vector<std::optional<std::string>> reported;
  RotatingFile rotating(file, clock, {.max_bytes = 10, .on_problem = [&](const auto& problem) {
                                        reported.push_back(problem);
                                      }});
  LineWriter writer(rotating, clock, {});
  writer.Write("aaaa\nbbbb\n");
  writer.Write("cccc\n");  // rotates: ["cccc\n", "aaaa\nbbbb\n"]
  ASSERT_EQ(file.files, (Files{"cccc\n", "aaaa\nbbbb\n"}));

  // Another program holds the file without FILE_SHARE_DELETE: the rename fails.
  file.rename_fails = true;
  writer.Write("dddd\neeee\nffff\n");
  EXPECT_EQ(file.files, (Files{"cccc\ndddd\neeee\nffff\n", "aaaa\nbbbb\n"}));  // all kept
  EXPECT_EQ(file.rotations_tried, 2);  // once, then not again on every line
  ASSERT_EQ(reported.size(), 1u);
  ASSERT_TRUE(reported[0].has_value());
  EXPECT_EQ(*reported[0], "log rotation failing since 2023-11-14T22:13:20.000Z: sharing violation");
  EXPECT_EQ(writer.problem(), reported[0]);

  clock.Advance(RotatingFile::kFirstRotateRetry);
  writer.Write("gggg\n");  // tried again, still failing: reported once only, next try in 2 s
  EXPECT_EQ(file.rotations_tried, 3);
  clock.Advance(std::chrono::seconds(1));
  writer.Write("hhhh\n");
  EXPECT_EQ(file.rotations_tried, 3);
  EXPECT_EQ(reported.size(), 1u);

  file.rename_fails = false;  // the other program let go
  clock.Advance(std::chrono::seconds(1));
  writer.Write("iiii\n");
  EXPECT_EQ(file.rotations_tried, 4);
  EXPECT_EQ(file.files, (Files{"iiii\n", "cccc\ndddd\neeee\nffff\ngggg\nhhhh\n", "aaaa\nbbbb\n"}));
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[1], std::nullopt);  // healed, and said so
  EXPECT_EQ(writer.problem(), std::nullopt);
}

// A file that can never be rotated (held by another program for good) would grow until the disk
// is full: it stops at 4 times its limit, the lines still reach the tail, and what was not written
// is counted in the problem shown by status and describe.
TEST(LogWriterTest, AFileThatCannotRotateStopsGrowingAtFourTimesItsLimit) {
  MemoryLogFile file(2);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {.max_bytes = 10});
  LineWriter writer(rotating, clock, {});
  file.rename_fails = true;
  for (int i = 0; i < 20; ++i) writer.Write("line\n");  // 100 bytes offered
  EXPECT_EQ(file.files[0].size(), 40u);                 // 4 x 10: eight lines
  EXPECT_EQ(writer.Tail(1), std::vector<std::string>{"line"});
  ASSERT_TRUE(writer.problem().has_value());
  EXPECT_NE(writer.problem()->find("; 60 bytes not written: the file reached 4 times its "
                                   "LogMaxBytes"),
            std::string::npos)
      << *writer.problem();

  file.rename_fails = false;  // let go: rotated at the next try, and written again
  clock.Advance(std::chrono::minutes(10));
  writer.Write("again\n");
  EXPECT_EQ(file.files[0], "again\n");
  EXPECT_EQ(file.files[1].size(), 40u);
  EXPECT_EQ(writer.problem(), std::nullopt);
}

TEST(LogWriterTest, AFailingWriteCountsWhatItDroppedKeepsTheTailAndResumes) {
  MemoryLogFile file(2);
  testing::ManualClock clock;
  std::vector<std::optional<std::string>> reported;
  RotatingFile rotating(file, clock,
                        {.on_problem = [&](const auto& problem) { reported.push_back(problem); }});
  LineWriter writer(rotating, clock, {});
  writer.Write("one\n");
  file.write_fails = true;  // the disk is full
  writer.Write("two\n");
  writer.Write("three\n");
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(writer.problem(),
            std::optional<std::string>("log writes failing since 2023-11-14T22:13:20.000Z: There "
                                       "is not enough space on the disk.; 10 bytes dropped"));
  EXPECT_EQ(writer.Tail(5), (std::vector<std::string>{"one", "two", "three"}));
  file.write_fails = false;
  writer.Write("four\n");
  EXPECT_EQ(file.files[0], "one\nfour\n");
  EXPECT_EQ(writer.problem(), std::nullopt);
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[1], std::nullopt);
}

TEST(LogWriterTest, HourlyRotationStartsAFileAtEachUtcHourThatSeesALine) {
  MemoryLogFile file(5);
  testing::ManualClock clock;  // 2023-11-14T22:13:20Z
  RotatingFile rotating(file, clock, {.rotate_every = std::chrono::hours(1)});
  LineWriter writer(rotating, clock, {});
  writer.Write("a\n");
  clock.Advance(std::chrono::minutes(46));  // 22:59:20: the same hour
  writer.Write("b\n");
  EXPECT_EQ(file.files, (Files{"a\nb\n"}));
  clock.Advance(std::chrono::seconds(40));  // 23:00:00
  writer.Write("c\n");
  clock.Advance(std::chrono::hours(5));  // hours without a line: no empty files
  writer.Write("d\n");
  EXPECT_EQ(file.files, (Files{"d\n", "c\n", "a\nb\n"}));
}

TEST(LogWriterTest, AFileFromAnEarlierDayIsRotatedAtItsFirstNewLine) {
  MemoryLogFile file(5);
  file.files[0] = "yesterday\n";
  file.modified = 1699920000000 - 1;  // 2023-11-13T23:59:59.999Z
  testing::ManualClock clock;         // 2023-11-14T22:13:20Z
  RotatingFile rotating(file, clock, {.rotate_every = std::chrono::hours(24)});
  LineWriter writer(rotating, clock, {});
  writer.Write("today\n");
  EXPECT_EQ(file.files, (Files{"today\n", "yesterday\n"}));
}

TEST(LogWriterTest, ReopenKeepsAPartialLineWholeAndReportsAFailure) {
  MemoryLogFile file(2);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {});
  LineWriter writer(rotating, clock, {});
  writer.Write("partial");
  writer.Reopen();
  EXPECT_EQ(file.reopened, 1);
  EXPECT_EQ(writer.problem(), std::nullopt);
  file.write_fails = true;
  writer.Reopen();
  ASSERT_TRUE(writer.problem().has_value());
  EXPECT_NE(writer.problem()->find("Access is denied."), std::string::npos);
  file.write_fails = false;
  writer.Reopen();
  EXPECT_EQ(writer.problem(), std::nullopt);
  writer.Write(" line\n");
  EXPECT_EQ(file.files[0], "partial line\n");  // a partial line is not cut by a reopen
}

TEST(LogWriterTest, RemembersTheLastLines) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  RotatingFile rotating(file, clock, {});
  LineWriter writer(rotating, clock, {.tail_lines = 2});
  writer.Write("1\r\n2\n3\n");
  EXPECT_EQ(writer.Tail(5), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(writer.Tail(1), (std::vector<std::string>{"3"}));
}

TEST(LogWriterTest, TheFileKeepsTheBytesWhatIsReadOutIsUtf8) {
  MemoryLogFile file(5);
  testing::ManualClock clock;
  testing::Latin1CodePages code_pages;
  RotatingFile rotating(file, clock, {});
  LineWriter writer(rotating, clock, {.decoder = LineDecoder({}, &code_pages)});
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

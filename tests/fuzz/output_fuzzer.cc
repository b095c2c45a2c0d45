// libFuzzer target for worker output: any bytes a worker writes, in any chunks, must come out of
// the capture as valid UTF-8 lines (Tail and followers) whatever the OutputEncoding, keep every
// byte in the file, and fit any reply budget once trimmed (FitTail, SplitToFit). With two streams
// into one writer (stdout and stderr sharing a file), the file holds exactly each stream's lines,
// whole, in the order they were completed: what a writer of each stream alone would write, chunk
// by chunk, interleaved.
//
// Input: byte 0 = encoding (% 3: 0 auto, 1 utf-8, 2 a code page the fake decodes as Latin-1) and
// streams (/ 3 % 2: one, or two taking the chunks in turn), byte 1 = the chunk size, byte 2..3 =
// the reply budget, then the output.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "common/text_encoding.h"
#include "daemon/control/reply_fit.h"
#include "daemon/output/line_decoder.h"
#include "daemon/output/log_writer.h"
#include "tests/fakes/manual_clock.h"
#include "tests/fakes/output_fakes.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

class MemoryFile final : public sup::output::LogFile {
 public:
  sup::Result<void> Append(std::string_view bytes) override {
    written.append(bytes);
    size_ += bytes.size();
    return sup::Ok();
  }
  sup::Result<void> Rotate() override {
    size_ = 0;
    return sup::Ok();
  }
  std::uint64_t size() const override { return size_; }
  sup::Result<void> Reopen() override { return sup::Ok(); }
  std::string written;  // every file together
  std::uint64_t size_ = 0;
};

void RequireFits(const std::vector<std::string>& lines, std::size_t budget) {
  std::size_t cost = 0;
  for (const std::string& line : lines) {
    Require(sup::IsValidUtf8(line));
    cost += line.size() + sup::control::kLineOverheadBytes;
  }
  Require(cost <= budget);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4 || size > 256 * 1024) return 0;
  using Kind = sup::OutputEncoding::Kind;
  const Kind kinds[] = {Kind::kAuto, Kind::kUtf8, Kind::kCodePage};
  const sup::OutputEncoding encoding{kinds[data[0] % 3], 1252};
  const std::size_t chunk = 1 + data[1];
  const std::size_t budget = 16 + (static_cast<std::size_t>(data[2]) << 8 | data[3]);
  const bool two_streams = data[0] / 3 % 2 == 1;
  const std::string_view output(reinterpret_cast<const char*>(data) + 4, size - 4);

  sup::testing::Latin1CodePages code_pages;
  sup::testing::ManualClock clock;
  const sup::output::RotatingFile::Options file_options{.max_bytes = 4096};
  const sup::output::LineWriter::Options options{
      .tail_lines = 50,
      .max_line_bytes = 1024,
      .decoder = sup::output::LineDecoder(encoding, &code_pages)};
  MemoryFile file;
  sup::output::RotatingFile rotating(file, clock, file_options);
  sup::output::LineWriter writer(rotating, clock, options);
  sup::output::LineWriter::Input inputs[2];
  // The oracle for two streams: each alone in a writer of its own.
  MemoryFile alone_files[2];
  sup::output::RotatingFile alone_rotating[2] = {{alone_files[0], clock, file_options},
                                                 {alone_files[1], clock, file_options}};
  sup::output::LineWriter alone[2] = {{alone_rotating[0], clock, options},
                                      {alone_rotating[1], clock, options}};
  std::string interleaved;
  const auto write = [&](int stream, std::string_view bytes) {
    const std::size_t before = alone_files[stream].written.size();
    if (bytes.empty()) {
      writer.Flush(inputs[stream]);
      alone[stream].Flush();
    } else {
      writer.Write(inputs[stream], bytes);
      alone[stream].Write(bytes);
    }
    interleaved += alone_files[stream].written.substr(before);
  };
  std::vector<std::string> followed;
  sup::Subscription following = writer.FollowLines([&](const std::vector<std::string>& lines) {
    for (const std::string& line : lines) Require(sup::IsValidUtf8(line));
    followed.insert(followed.end(), lines.begin(), lines.end());
  });
  for (std::size_t at = 0; at < output.size(); at += chunk)
    write(two_streams ? static_cast<int>(at / chunk % 2) : 0, output.substr(at, chunk));
  write(0, {});
  write(1, {});

  Require(file.written == interleaved);  // whole lines of each stream, as they were completed
  if (!two_streams) Require(file.written == output);  // the file keeps every byte, in order
  const std::vector<std::string> tail = writer.Tail(50);
  for (const std::string& line : tail) Require(sup::IsValidUtf8(line));
  RequireFits(sup::control::FitTail(tail, budget), budget);
  std::size_t split = 0;
  for (const std::vector<std::string>& group : sup::control::SplitToFit(followed, budget)) {
    RequireFits(group, budget);
    split += group.size();
  }
  Require(split == followed.size());
  return 0;
}

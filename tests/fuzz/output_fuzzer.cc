// libFuzzer target for worker output: any bytes a worker writes, in any chunks, must come out of
// the capture as valid UTF-8 lines (Tail and followers) whatever the OutputEncoding, keep every
// byte in the file, and fit any reply budget once trimmed (FitTail, SplitToFit).
//
// Input: byte 0 = encoding (0 auto, 1 utf-8, 2 a code page the fake decodes as Latin-1), byte 1 =
// the chunk size, byte 2..3 = the reply budget, then the output.
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
  const std::string_view output(reinterpret_cast<const char*>(data) + 4, size - 4);

  sup::testing::Latin1CodePages code_pages;
  MemoryFile file;
  sup::testing::ManualClock clock;
  sup::output::RotatingLineWriter writer(
      file, clock,
      {.max_bytes = 4096,
       .tail_lines = 50,
       .max_line_bytes = 1024,
       .decoder = sup::output::LineDecoder(encoding, &code_pages)});
  std::vector<std::string> followed;
  sup::Subscription following = writer.FollowLines([&](const std::vector<std::string>& lines) {
    for (const std::string& line : lines) Require(sup::IsValidUtf8(line));
    followed.insert(followed.end(), lines.begin(), lines.end());
  });
  for (std::size_t at = 0; at < output.size(); at += chunk) writer.Write(output.substr(at, chunk));
  writer.Flush();

  Require(file.written == output);  // the file keeps every byte, in order
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

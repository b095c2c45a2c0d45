// A log file that lines from any thread go to without waiting for it: supd's own log. The lines
// are written on a file worker of its own through a RotatingFile; the threads that log (the io
// thread above all) only add them to what waits, so a file another program holds never stops
// supervision. Up to max_waiting_bytes wait; beyond that lines are counted, not kept, and once
// the file takes writes again a notice line says how many were lost. A write that has not ended
// stuck_after later, lines not kept, and a failing write or rotation are a problem, told to
// on_problem when it starts and when it ends.
//
// Threading: Add, problem, OnProblem from any thread; the writes on `work` (supd gives it file
// workers of its own, whose destructor waits a moment for the last lines).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/file_work.h"
#include "daemon/output/log_writer.h"

namespace sup::output {

class BackgroundLog {
 public:
  struct Options {
    std::string name;  // the file, for people: "supd.log C:\ProgramData\Sup\logs\supd.log"
    RotatingFile::Options file;
    std::uint64_t max_waiting_bytes = 4 * 1024 * 1024;
    std::chrono::milliseconds stuck_after{10'000};
  };
  using ProblemSink = std::function<void(const std::optional<std::string>&)>;
  // The notice for lines lost while the file took none, as a whole line (with its line break).
  using Notice = std::function<std::string(std::uint64_t lost_lines)>;

  BackgroundLog(FileWork& work, std::unique_ptr<LogFile> file, const Clock& clock, Options options,
                Notice notice);
  ~BackgroundLog();
  BackgroundLog(const BackgroundLog&) = delete;
  BackgroundLog& operator=(const BackgroundLog&) = delete;

  // One complete line (with its line break); never waits for the file.
  void Add(std::string_view line);
  // "<name>: a write has not ended for 12 s (another program may hold the file); 31 lines not
  // written while it took none", or what RotatingFile::problem says; nullopt when all is well.
  std::optional<std::string> problem() const;
  // Called (under the log's lock: it must not log) when problem() starts or stops saying
  // something; nullptr to stop.
  void OnProblem(ProblemSink on_problem);

 private:
  struct State;  // shared with the file work, which may outlive the log by a moment
  static void WriteAll(State& state);
  FileWork& work_;
  std::shared_ptr<State> state_;
};

}  // namespace sup::output

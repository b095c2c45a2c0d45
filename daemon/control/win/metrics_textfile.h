// The metrics file for windows_exporter's textfile collector (MetricsTextfile): rewritten whole on
// every state change (at most once a second: a crash loop does not rewrite it hundreds of times),
// every interval (fresh resource figures), and a last time when supd stops. Written to a
// temporary file beside it, then renamed over it, so the collector never reads half a file.
// UTF-8 without BOM, newline-terminated, no timestamps: what windows_exporter accepts. supd does
// this as SYSTEM in a folder it does not own (windows_exporter's): see ReplaceFile.
//
// The figures are rendered on the io thread (they are its to read); the file is written on a
// file worker (FileWorkers), so a file another program holds never keeps the io thread waiting.
// A write still running `stuck_after` later is a warning naming the file, said once until it
// ends; meanwhile only the newest figures wait to be written.
//
// Threading: io thread (the file work on a file worker, its outcome back on the io thread).
#pragma once

#include "daemon/win/asio.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/file_workers.h"
#include "daemon/win/io_inbox.h"

namespace spdlog {
class logger;
}

namespace sup::win {

// Replaces `path` with `content` so that whoever got to the folder first cannot turn it into a
// write, rename or delete elsewhere as SYSTEM: the folder must be administrators' (EnsureOwnFolder:
// made for them if missing, refused if someone else owns it), and neither it nor any folder above
// it a link; the content goes to a temporary file created new (CREATE_NEW: one made first is never
// reused) under an unguessable name, with an explicit DACL, which the published file keeps
// (`sddl`); that file must open where its path says (no link on the way); it is renamed over `path`
// by its handle, and deleted by its handle if anything fails: nothing is renamed or deleted by a
// path checked earlier.
Result<void> ReplaceFile(const std::wstring& path, const std::string& content,
                         const std::string& sddl);

// The published metrics file's DACL: SYSTEM and Administrators full, authenticated users read
// (windows_exporter runs as one service account or another; the figures are those /metrics
// serves).
inline constexpr char kMetricsFileSddl[] = "D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;AU)";

class MetricsTextfile {
 public:
  using Render = std::function<std::string()>;
  // How the file is replaced: ReplaceFile with kMetricsFileSddl (a test hands a stand-in that
  // blocks, as a file another program holds does).
  using Writer = std::function<Result<void>(const std::wstring& path, const std::string& content)>;
  static Result<void> ReplaceMetricsFile(const std::wstring& path, const std::string& content);

  // Told what is wrong with the file while it lasts (a write stuck, writes failing), and nullopt
  // once it is written again: supd's status shows it.
  using ProblemSink = std::function<void(const std::optional<std::string>& problem)>;

  MetricsTextfile(boost::asio::io_context& io, FileWorkers& files, IoInbox inbox, std::wstring path,
                  std::chrono::milliseconds interval, Render render,
                  std::shared_ptr<spdlog::logger> log, Writer writer = &ReplaceMetricsFile,
                  std::chrono::milliseconds stuck_after = std::chrono::seconds(10),
                  ProblemSink on_problem = {});

  // Writes now, then every interval.
  void Start();
  // Something changed: writes soon (after the current handler, and a second after the last
  // write at the earliest).
  void Changed();
  // A last write; none after it.
  void Stop();

 private:
  // What the file thread's writes come to, said on the io thread. Shared with the posted work,
  // which holds it weakly: a write that ends after supd let go of the file says nothing.
  struct Outcome;
  void Write();
  void ArmInterval();

  boost::asio::io_context& io_;
  FileWorkers& files_;
  IoInbox inbox_;
  std::wstring path_;
  std::chrono::milliseconds interval_;
  Render render_;
  Writer writer_;
  std::chrono::milliseconds stuck_after_;
  std::shared_ptr<Outcome> outcome_;
  boost::asio::steady_timer interval_timer_;
  boost::asio::steady_timer change_timer_;  // armed while a change waits for its second
  std::chrono::steady_clock::time_point last_write_{};
  bool change_waiting_ = false;
  bool stopped_ = false;
};

}  // namespace sup::win

// One supd per control pipe: a lock file held open without sharing for the daemon's life, in
// supd's state folder (%ProgramData%\Sup\state), where only SYSTEM and Administrators may create
// files. A named mutex would do the same, except that any user may create one first and keep
// supd from ever starting.
//
// A supd that is stopping says so beside its lock (`<lock>.stopping`, holding its pid and until
// when its stop may take, deleted when it closes). A supd that starts while another holds the
// lock waits for it if that one is stopping (an upgrade or a quick restart right after a stop:
// Wine's msiexec, and on Windows an SCM that saw SERVICE_STOPPED before the old process ended),
// and is refused at once only if the holder is not stopping.
#pragma once

#include <windows.h>

#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <string>

#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::win {

class InstanceLock {
 public:
  // Called about once a second while waiting for a stopping supd, with how long it may still
  // take (the service reports START_PENDING with that wait hint).
  using Waiting = std::function<void(std::chrono::milliseconds left)>;

  // Takes the lock of `control_pipe`; waits while its holder is stopping, up to the stop budget it
  // wrote. Refused (kFailedPrecondition) when the holder is not stopping, or still stops past its
  // budget.
  static Result<InstanceLock> Acquire(
      const std::string& control_pipe, spdlog::logger& log,
      const Waiting& waiting = [](std::chrono::milliseconds) {});

  InstanceLock() = default;

  // This supd is stopping and may take up to `budget`: a supd starting meanwhile waits for it.
  Result<void> MarkStopping(std::chrono::milliseconds budget);
  bool held() const { return static_cast<bool>(lock_); }

 private:
  InstanceLock(std::string path, UniqueFileHandle lock)
      : path_(std::move(path)), lock_(std::move(lock)) {}

  std::string path_;
  // Declared before the lock, so closed after it: a starting supd never finds the lock held
  // without the word that its holder is stopping.
  UniqueFileHandle stopping_;  // <path_>.stopping, once MarkStopping wrote it
  UniqueFileHandle lock_;
};

}  // namespace sup::win

// `supctl notify LINE...`: what a batch file or script under sup says to supd, as a program says
// it with sdk/sup_notify.h: `supctl notify READY=1 "STATUS=serving on 8080"`. Each argument is one
// line of the notify protocol (common/notify_protocol.h), checked before any is sent, and all go
// in one write to the pipe named in SUP_NOTIFY_PIPE. It needs no supd connection of its own, and
// only a process of the worker's job may write there.
#pragma once

#include <memory>

namespace CLI {
class App;
}

namespace sup::client::win {

class NotifyCommand {
 public:
  explicit NotifyCommand(CLI::App& app);
  ~NotifyCommand();
  NotifyCommand(const NotifyCommand&) = delete;
  NotifyCommand& operator=(const NotifyCommand&) = delete;

  bool parsed() const;
  // 0 sent; 1 not under sup (no SUP_NOTIFY_PIPE) or the pipe refused it; 2 a line is not one.
  int Run() const;

 private:
  struct Options;
  std::unique_ptr<Options> options_;
};

}  // namespace sup::client::win

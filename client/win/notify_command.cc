#include "client/win/notify_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "client/exit_codes.h"
#include "common/notify_protocol.h"
#include "common/win/win32_error.h"
#include "sdk/sup_notify.h"

namespace sup::client::win {

struct NotifyCommand::Options {
  CLI::App* command = nullptr;
  std::vector<std::string> lines;
};

NotifyCommand::NotifyCommand(CLI::App& app) : options_(std::make_unique<Options>()) {
  options_->command = app.add_subcommand(
      "notify", "From inside a worker: tell supd READY=1, WATCHDOG=1, STATUS=TEXT or STOPPING=1");
  options_->command->add_option("lines", options_->lines, "KEY=VALUE lines, sent in one write")
      ->required();
}

NotifyCommand::~NotifyCommand() = default;

bool NotifyCommand::parsed() const { return options_->command->parsed(); }

int NotifyCommand::Run() const {
  std::string text;
  for (const std::string& line : options_->lines) {
    Result<NotifyMessage> message = ParseNotifyLine(line);
    if (!message) {
      std::fprintf(stderr, "supctl notify: %s\n", message.error().message().c_str());
      return kExitUsage;
    }
    text += NotifyLine(*message);
  }
  const int result = sup_notify(text.c_str());
  if (result == SUP_NOTIFY_NOT_SUPERVISED) {
    std::fprintf(stderr,
                 "supctl notify: %s is not set: supctl notify speaks for a worker of sup, from "
                 "inside it\n",
                 kNotifyPipeVariable);
    return kExitFailure;
  }
  if (result != 0) {
    const Error error = sup::win::Win32Error(
        std::string("writing to the pipe in ") + kNotifyPipeVariable, static_cast<DWORD>(result));
    std::fprintf(stderr, "supctl notify: %s\n", error.message().c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace sup::client::win

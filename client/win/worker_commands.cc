#include "client/win/worker_commands.h"

#include "common/worker_sid.h"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "client/config/worker_edit.h"
#include "client/win/console.h"
#include "client/win/logon_right.h"
#include "client/win/secret_input.h"
#include "client/exit_codes.h"
#include "client/json.h"
#include "common/case_insensitive.h"
#include "common/config/validate.h"
#include "common/config/win/registry_store.h"
#include "common/worker_account.h"

namespace sup::client::win {

struct WorkerCommands::Options {
  CLI::App* worker = nullptr;
  CLI::App* add = nullptr;
  CLI::App* set = nullptr;
  CLI::App* unset = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* set_password = nullptr;

  std::string config_key = sup::win::kDefaultConfigKey;
  std::string name, key, value, command;
  std::vector<std::string> settings;
  bool apply = false;
  bool from_stdin = false;
  bool forget = false;
};

namespace {

void AddValues(Json& list, const config::RawValues& values, const std::string& prefix) {
  for (const auto& [key, value] : values) {
    list.push_back({{"key", prefix + key},
                    {"type", config::RawTypeName(value.type)},
                    {"value", ValueText(value)}});
  }
}

}  // namespace

WorkerCommands::WorkerCommands(CLI::App& app) : options_(std::make_unique<Options>()) {
  Options& o = *options_;
  o.worker =
      app.add_subcommand("worker", "Edit the workers in the registry, checked against the schema");
  o.worker->require_subcommand(1);
  o.worker->add_option("--config-key", o.config_key, "Configuration key of the supd instance")
      ->capture_default_str();
  o.add = o.worker->add_subcommand("add", "Add a worker");
  o.add->add_option("name", o.name, "Worker name")->required();
  o.add->add_option("--command", o.command, "Its command line")->required();
  o.add->add_option("--set", o.settings, "KEY=VALUE, another value (repeat for several)");
  o.set = o.worker->add_subcommand("set", "Set one value of a worker (lists comma-separated)");
  o.set->add_option("name", o.name, "Worker name")->required();
  o.set->add_option("key", o.key, "Value name, e.g. StopTimeoutMs or Probes\\Liveness\\Target")
      ->required();
  o.set->add_option("value", o.value, "The value as text")->required();
  o.unset =
      o.worker->add_subcommand("unset", "Remove one value of a worker (its default applies again)");
  o.unset->add_option("name", o.name, "Worker name")->required();
  o.unset->add_option("key", o.key, "Value name")->required();
  o.remove = o.worker->add_subcommand("remove", "Remove a worker");
  o.remove->add_option("name", o.name, "Worker name")->required();
  for (CLI::App* command : {o.add, o.set, o.unset, o.remove}) {
    command->add_flag("--apply", o.apply, "Then ask supd to apply the change (supctl update NAME)");
  }
  o.list = o.worker->add_subcommand("list", "The configured workers and their commands");
  o.show = o.worker->add_subcommand("show", "Every value of a worker as the registry holds it");
  o.show->add_option("name", o.name, "Worker name")->required();
  o.set_password = o.worker->add_subcommand(
      "set-password",
      "Give supd the password of the worker's user Account (asked without echo; supd keeps it "
      "encrypted for SYSTEM)");
  o.set_password->add_option("name", o.name, "Worker name")->required();
  o.set_password->add_flag("--stdin", o.from_stdin,
                           "Read the password from standard input (its first line)");
  o.set_password->add_flag("--forget", o.forget, "Make supd forget the password it keeps");
  // `worker add NAME --config-key K` as well as `worker --config-key K add NAME`.
  for (CLI::App* command : o.worker->get_subcommands({})) command->fallthrough();
}

WorkerCommands::~WorkerCommands() = default;

namespace {

// What an edit without --apply leaves to supd, by the AutoReload value the registry holds now.
std::string WhenSupdAppliesIt(sup::win::RegistryConfigStore& store) {
  Result<config::RawConfig> config = store.Read();
  if (config && !config::ValidateConfig(*config).daemon.auto_reload) {
    return " (AutoReload is 0: supd applies it on supctl update; --apply to apply it now)";
  }
  return " (supd applies it within moments; --apply to wait for it)";
}

// The worker's Account and LogonType as the registry holds them now ("" when unset).
std::pair<std::string, std::string> AccountValuesOf(sup::win::RegistryConfigStore& store,
                                                    const std::string& worker) {
  std::pair<std::string, std::string> values;
  Result<config::RawConfig> config = store.Read();
  if (!config) return values;
  const auto found = config->workers.find(worker);
  if (found == config->workers.end()) return values;
  for (auto [name, into] : {std::pair{"Account", &values.first}, {"LogonType", &values.second}}) {
    if (const auto value = found->second.values.find(name); value != found->second.values.end())
      *into = ValueText(value->second);
  }
  return values;
}

// After Account or LogonType was written: a user account or gMSA is granted the logon right supd
// will log it on with (as services.msc does for a service's account), so the first start does
// not fail with "the user has not been granted the requested logon type". An account that does
// not exist here, or a right that cannot be granted, is a warning: supd names the logon's
// failure too.
void GrantWorkerLogonRight(sup::win::RegistryConfigStore& store, const std::string& worker) {
  const auto [account_text, logon_type] = AccountValuesOf(store, worker);
  Result<WorkerAccount> account = ParseWorkerAccount(account_text);
  if (!account ||
      (account->kind != AccountKind::kUser && account->kind != AccountKind::kGroupManaged)) {
    return;
  }
  const bool s4u = EqualsIgnoringCase(logon_type, "s4u");
  const std::string right = s4u ? kBatchLogonRight : kServiceLogonRight;
  if (Result<void> granted = GrantLogonRight(account->ToString(), right); !granted) {
    std::fprintf(stderr, "supctl: warning: %s\n", granted.error().message().c_str());
    return;
  }
  Print(worker + ": " + account->ToString() + " may log on as " +
        (s4u ? "a batch job" : "a service") + "\n");
}

}  // namespace

bool WorkerCommands::parsed() const { return options_->worker->parsed(); }

int WorkerCommands::Run(bool json, const SupdCalls& supd) {
  const Options& o = *options_;
  Result<sup::win::RegistryPath> path = sup::win::ParseRegistryPath(o.config_key);
  if (!path) return Fail(path.error());
  sup::win::RegistryConfigStore store(*path);
  if (o.set_password->parsed()) return SetPassword(store, supd);

  if (o.list->parsed() || o.show->parsed()) {
    Result<config::RawConfig> config = store.Read();
    if (!config) return Fail(config.error());
    if (o.list->parsed()) {
      Json workers = Json::array();
      std::string table;
      for (const auto& [name, worker] : config->workers) {
        const auto command = worker.values.find("Command");
        const std::string text = command == worker.values.end() ? "" : ValueText(command->second);
        workers.push_back({{"name", name}, {"command", text}});
        table += name + "  " + text + "\n";
      }
      Print(json ? JsonLine({{"workers", workers}})
                 : (table.empty() ? "no workers configured\n" : table));
      return kExitOk;
    }
    const auto worker = config->workers.find(o.name);
    if (worker == config->workers.end())
      return Fail(Error(ErrorKind::kNotFound, "no worker " + o.name));
    if (!json) {
      Print(RenderWorker(worker->first, worker->second));
      return kExitOk;
    }
    Json values = Json::array();
    AddValues(values, worker->second.values, "");
    for (const auto& [probe, probe_values] : worker->second.probes) {
      AddValues(values, probe_values, "Probes\\" + probe + "\\");
    }
    Print(JsonLine(
        {{"name", worker->first}, {"worker_sid", WorkerSid(worker->first)}, {"values", values}}));
    return kExitOk;
  }

  Result<void> edited = Ok();
  std::string done;
  if (o.add->parsed()) {
    std::vector<std::pair<std::string, std::string>> settings;
    for (const std::string& setting : o.settings) {
      Result<std::pair<std::string, std::string>> split = SplitAssignment(setting);
      if (!split) return Fail(split.error());
      settings.push_back(*split);
    }
    edited = AddWorker(store, o.name, o.command, settings);
    done = "added";
  } else if (o.set->parsed()) {
    edited = SetWorkerSetting(store, o.name, o.key, o.value);
    done = "set " + o.key;
  } else if (o.unset->parsed()) {
    edited = UnsetWorkerSetting(store, o.name, o.key);
    done = "unset " + o.key;
  } else {
    edited = RemoveWorker(store, o.name);
    done = "removed";
  }
  if (!edited) return Fail(edited.error());
  const bool identity_written =
      o.add->parsed() || (o.set->parsed() && (EqualsIgnoringCase(o.key, "Account") ||
                                              EqualsIgnoringCase(o.key, "LogonType")));
  // With --apply, supd's own line follows ("api: added"): this one says what the registry got.
  Print(o.name + ": " + done + (o.apply ? " in the registry" : WhenSupdAppliesIt(store)) + "\n");
  if (identity_written) GrantWorkerLogonRight(store, o.name);
  return o.apply ? supd.update({o.name}) : kExitOk;
}

int WorkerCommands::SetPassword(sup::win::RegistryConfigStore& store, const SupdCalls& supd) const {
  const Options& o = *options_;
  if (o.forget) {
    if (o.from_stdin)
      return Fail(Error(ErrorKind::kInvalidArgument, "--forget takes no password (--stdin)"));
    return supd.set_password(o.name, "", /*forget=*/true);
  }
  // The account as the registry names it, for the prompt and the logon right.
  Result<WorkerAccount> parsed = ParseWorkerAccount(AccountValuesOf(store, o.name).first);
  const bool takes_password = parsed && parsed->needs_password();
  Result<std::string> password =
      o.from_stdin ? ReadSecretFromStdin()
                   : AskSecretTwice("Password of " + (takes_password ? parsed->ToString() : "") +
                                    (takes_password ? " (worker " + o.name + ")" : o.name) + ": ");
  if (!password) return Fail(password.error());
  // Granted before supd has the password, as `service install --account` does: a right that
  // cannot be granted (Wine has no LSA to grant it in) is a warning.
  if (takes_password) {
    if (Result<void> granted = GrantLogonRight(parsed->ToString(), kServiceLogonRight); !granted) {
      std::fprintf(stderr, "supctl: warning: %s\n", granted.error().message().c_str());
    }
  }
  const int code = supd.set_password(o.name, *password, /*forget=*/false);
  Wipe(*password);
  return code;
}

}  // namespace sup::client::win

#include "client/win/config_commands.h"

#include <windows.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "client/config/worker_edit.h"
#include "client/win/console.h"
#include "client/exit_codes.h"
#include "common/config/config_file.h"
#include "common/config/win/registry_store.h"
#include "common/win/object_security.h"
#include "common/win/own_folder.h"
#include "common/win/safe_paths.h"
#include "common/win/unique_handle.h"
#include "common/win/text.h"
#include "common/win/win32_error.h"

namespace sup::client::win {

struct ConfigCommands::Options {
  CLI::App* config = nullptr;
  CLI::App* export_command = nullptr;
  CLI::App* import_command = nullptr;
  CLI::App* delete_command = nullptr;
  bool yes = false;
  bool logs = false;
  std::string config_key = sup::win::kDefaultConfigKey;
  std::string format;
  std::string file;
  bool replace = false;
};

namespace {

// The key as .reg files spell it: HKLM\SOFTWARE\Sup -> HKEY_LOCAL_MACHINE\SOFTWARE\Sup.
std::string RegRoot(const sup::win::RegistryPath& path) {
  return std::string(path.root == HKEY_CURRENT_USER ? "HKEY_CURRENT_USER\\"
                                                    : "HKEY_LOCAL_MACHINE\\") +
         sup::win::Narrow(path.subkey);
}

// A bad FILE argument (exit code 2, as for any file that is not a configuration), with the
// system's reason.
Error Unreadable(const std::string& file, DWORD code = ::GetLastError()) {
  return Error(ErrorKind::kInvalidArgument, "cannot read " + file + ": " +
                                                sup::win::Win32ErrorText(code) + " (" +
                                                std::to_string(code) + ")");
}

// Why the open `file` cannot be trusted, or nothing: the workers it holds run as supd's account
// (SYSTEM), so whoever else may change it (NT AUTHORITY\Authenticated Users, say, inherited by a
// folder made in C:\) chooses what runs as SYSTEM, at the MSI's install as much as here. SYSTEM,
// Administrators and the account running supctl may write it.
Result<void> CheckWriters(HANDLE handle, const std::string& file) {
  Result<std::vector<std::string>> writers =
      sup::win::ForeignFileWriters(handle, {sup::win::OwnUserSid()});
  if (!writers) return Unreadable(file, writers.error().code().value());
  if (writers->empty()) return Ok();
  std::string names;
  for (const std::string& writer : *writers) names += (names.empty() ? "" : ", ") + writer;
  return Error(ErrorKind::kInvalidArgument,
               "refusing " + file + ": " + names +
                   " may change it, and the workers it holds run as supd's account; let only "
                   "SYSTEM and Administrators write it (icacls \"" +
                   file +
                   "\" /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F), or copy it "
                   "to a folder only they may write");
}

// The file `config import` reads, whole, or why it cannot be read (not found, a folder given for
// a file, a size no configuration has, someone else may change it). Nobody may write it while it
// is read (no FILE_SHARE_WRITE): a handle opened for writing before its permissions were
// tightened must not change it between the check and the read.
Result<std::string> ReadConfigFile(const std::string& file) {
  constexpr long long kMaxConfigFileBytes = 64 * 1024 * 1024;
  const std::wstring path = sup::win::Widen(file);
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    return Error(ErrorKind::kInvalidArgument,
                 "cannot read " + file + ": it is a folder, not a .reg or .json file");
  }
  const sup::win::UniqueFileHandle handle{::CreateFileW(path.c_str(), GENERIC_READ | READ_CONTROL,
                                                        FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                                                        FILE_ATTRIBUTE_NORMAL, nullptr)};
  if (!handle) return Unreadable(file);
  if (Result<void> trusted = CheckWriters(handle.get(), file); !trusted) return trusted.error();
  LARGE_INTEGER size{};
  if (!::GetFileSizeEx(handle.get(), &size)) return Unreadable(file);
  if (size.QuadPart > kMaxConfigFileBytes) {
    return Error(ErrorKind::kInvalidArgument,
                 "cannot read " + file + ": " + std::to_string(size.QuadPart) +
                     " bytes is more than any configuration (at most 64 MiB)");
  }
  std::string contents(static_cast<std::size_t>(size.QuadPart), '\0');
  DWORD read = 0;
  if (!contents.empty() && (!::ReadFile(handle.get(), contents.data(),
                                        static_cast<DWORD>(contents.size()), &read, nullptr))) {
    return Unreadable(file);
  }
  contents.resize(read);
  return contents;
}

// supd's folder cannot go while a supd runs (it holds its instance lock and its logs there). An
// uninstall asks for it right after the service was told to stop (Wine's installer does not wait
// for the stop to end): a supd still stopping is waited for, up to `timeout`; one that is still
// running then is named.
Result<void> WaitUntilNoSupdRuns(const std::string& data_folder,
                                 std::chrono::milliseconds timeout) {
  const std::filesystem::path locks(sup::win::Widen(sup::win::InstanceLockFolder(data_folder)));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::optional<std::filesystem::path> held;
    std::error_code error;
    for (std::filesystem::directory_iterator it(locks, error), end; !error && it != end;
         it.increment(error)) {
      if (it->path().extension() == L".lock") held = it->path();
    }
    if (!held) return Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error(ErrorKind::kFailedPrecondition,
                   "a supd is still running with pipe \\\\.\\pipe\\" +
                       sup::win::Narrow(held->stem().wstring()) + " (it holds " +
                       sup::win::Narrow(held->wstring()) +
                       "): stop it first (supctl service stop); nothing was deleted");
    }
    ::Sleep(100);
  }
}

}  // namespace

int ConfigCommands::Delete(const sup::win::RegistryPath& path,
                           std::chrono::milliseconds supd_exit_wait) const {
  const Options& o = *options_;
  if (!o.yes) {
    return Fail(Error(ErrorKind::kInvalidArgument, "config delete removes every worker of " +
                                                       path.display +
                                                       " and cannot be undone: add --yes"));
  }
  std::optional<std::string> folder;
  if (o.logs) {
    Result<std::string> found = sup::win::SupDataFolder();
    if (!found) return Fail(found.error());
    if (Result<void> stopped = WaitUntilNoSupdRuns(*found, supd_exit_wait); !stopped)
      return Fail(stopped.error());
    folder = *found;
  }
  // A running supd opens its key again as soon as it changes, and may create a subkey (State) in
  // it while the tree goes: deleting the key itself then fails with "access denied" (it has a
  // subkey). The tree is deleted again, a few times, before that is reported.
  LSTATUS deleted = sup::win::DeleteConfigTree(path);
  for (int attempt = 1; deleted == ERROR_ACCESS_DENIED && attempt < 20; ++attempt) {
    ::Sleep(50);
    deleted = sup::win::DeleteConfigTree(path);
  }
  if (deleted != ERROR_SUCCESS && deleted != ERROR_FILE_NOT_FOUND) {
    return Fail(sup::win::Win32Error("deleting the configuration " + path.display,
                                     static_cast<DWORD>(deleted)));
  }
  std::printf("configuration %s deleted\n", path.display.c_str());
  if (!folder) return kExitOk;
  // Links inside are removed, never followed (a junction a user planted under logs\ must not
  // make this delete its target's files as SYSTEM).
  if (Result<void> deleted = sup::win::DeleteTreeWithoutFollowingLinks(sup::win::Widen(*folder));
      !deleted) {
    return Fail(deleted.error());
  }
  std::printf("%s deleted (a LogDirectory configured elsewhere is kept)\n", folder->c_str());
  return kExitOk;
}

ConfigCommands::ConfigCommands(CLI::App& app) : options_(std::make_unique<Options>()) {
  Options& o = *options_;
  o.config = app.add_subcommand("config", "The whole configuration to or from a .reg or JSON file");
  o.config->require_subcommand(1);
  o.config->add_option("--config-key", o.config_key, "Configuration key of the supd instance")
      ->capture_default_str();
  o.export_command =
      o.config->add_subcommand("export", "Write the configuration to FILE (or stdout)");
  o.export_command->add_option("--format", o.format,
                               "reg or json (default: from FILE's extension, else reg)");
  o.export_command->add_option("file", o.file, "Where to write; none: standard output");
  o.import_command =
      o.config->add_subcommand("import", "Read FILE into the configuration, all checked first");
  o.import_command->add_option("file", o.file, "A .reg or .json file")->required();
  o.import_command->add_option("--format", o.format,
                               "reg or json (default: from FILE's extension, else reg)");
  o.import_command->add_flag("--replace", o.replace,
                             "Replace the whole configuration instead of merging into it");
  o.delete_command = o.config->add_subcommand(
      "delete",
      "Delete the whole configuration (every worker, operator intent); the MSI's REMOVE_CONFIG=1");
  o.delete_command->add_flag("--yes", o.yes, "Required: there is no undo");
  o.delete_command->add_flag("--logs", o.logs,
                             "Also delete supd's folder in ProgramData (its logs and state), once "
                             "no supd runs (waiting up to --timeout, 30s by default, for one "
                             "stopping)");
  // `config import FILE --config-key K` as well as `config --config-key K import FILE`.
  for (CLI::App* command : {o.export_command, o.import_command, o.delete_command})
    command->fallthrough();
}

ConfigCommands::~ConfigCommands() = default;

bool ConfigCommands::parsed() const { return options_->config->parsed(); }

int ConfigCommands::Run(std::chrono::milliseconds supd_exit_wait) {
  const Options& o = *options_;
  Result<sup::win::RegistryPath> path = sup::win::ParseRegistryPath(o.config_key);
  if (!path) return Fail(path.error());
  config::ConfigFormat format = config::FormatOfPath(o.file);
  if (!o.format.empty()) {
    Result<config::ConfigFormat> parsed = config::ParseConfigFormat(o.format);
    if (!parsed) return Fail(parsed.error());
    format = *parsed;
  }
  sup::win::RegistryConfigStore store(*path);

  if (o.delete_command->parsed()) return Delete(*path, supd_exit_wait);
  if (o.export_command->parsed()) {
    Result<config::RawConfig> config = store.ReadUnexpanded();
    if (!config) return Fail(config.error());
    const std::string bytes = format == config::ConfigFormat::kJson
                                  ? config::ToJson(*config)
                                  : config::ToRegFile(*config, RegRoot(*path));
    if (o.file.empty()) {
      std::fwrite(bytes.data(), 1, bytes.size(), stdout);
      return kExitOk;
    }
    std::ofstream out(std::filesystem::path(sup::win::Widen(o.file)), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return Fail(Error(ErrorKind::kUnavailable, "writing " + o.file + " failed"));
    std::printf("exported %zu workers to %s\n", config->workers.size(), o.file.c_str());
    return kExitOk;
  }

  Result<std::string> contents = ReadConfigFile(o.file);
  if (!contents) return Fail(contents.error());
  Result<config::RawConfig> incoming = format == config::ConfigFormat::kJson
                                           ? config::FromJson(*contents)
                                           : config::FromRegFile(*contents, RegRoot(*path));
  if (!incoming)
    return Fail(Error(ErrorKind::kInvalidArgument, o.file + ": " + incoming.error().message()));
  if (Result<void> imported = client::ImportConfig(store, *incoming, o.replace); !imported)
    return Fail(imported.error());
  std::printf("imported %zu workers from %s%s\n", incoming->workers.size(), o.file.c_str(),
              o.replace ? " (the previous configuration replaced)" : "");
  return kExitOk;
}

}  // namespace sup::client::win

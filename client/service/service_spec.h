// How supd is registered with the Service Control Manager, as `supctl service install|set` takes
// it and as an installed service reads back: portable values, parsed and compared here, applied
// by the Windows adapter (client/win/scm_service). Unit-tested natively.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sup::client {

enum class StartType { kAuto, kDelayedAuto, kDemand, kDisabled };

std::string_view StartTypeName(StartType type);  // "auto", "delayed-auto", "demand", "disabled"
Result<StartType> ParseStartType(std::string_view text);

// What the SCM does when supd fails: SC_ACTION_NONE / SC_ACTION_RESTART after `delay`.
struct FailureAction {
  enum class Kind { kNone, kRestart };
  Kind kind = Kind::kNone;
  std::chrono::milliseconds delay{0};
  bool operator==(const FailureAction&) const = default;
};

// "restart/5000,restart/10000,none": each action in turn for the first, second, ... failure;
// the last one repeats. Delays are milliseconds.
Result<std::vector<FailureAction>> ParseFailureActions(std::string_view text);
std::string FormatFailureActions(const std::vector<FailureAction>& actions);

// The built-in service accounts, as the SCM names them; anything else is a user account
// (DOMAIN\user, .\user or user@domain), a virtual account (NT SERVICE\<service>: the service's
// own, made by the SCM) or a group managed service account (DOMAIN\name$).
std::optional<std::string> BuiltInAccountName(
    std::string_view account);  // "LocalSystem" -> "LocalSystem"
bool IsUserAccount(std::string_view account);
bool IsVirtualAccount(std::string_view account);  // NT SERVICE\supd
bool IsManagedAccount(std::string_view account);  // CORP\gmsa-sup$
// Only a user account that is neither virtual nor managed takes a password: the SCM has none for
// a virtual account, and Windows fetches a managed account's from the domain itself.
bool NeedsPassword(std::string_view account);
// A managed or password account needs the right to log on as a service; built-in and virtual
// accounts hold it.
bool NeedsLogonRight(std::string_view account);

struct ServiceSpec {
  std::string name = "supd";
  std::string binary;     // full path of supd.exe
  std::string arguments;  // after the binary in the ImagePath, already quoted
  std::string display_name;
  std::string description;
  StartType start_type = StartType::kAuto;
  std::vector<std::string> dependencies;
  std::string account = "LocalSystem";
  std::vector<FailureAction> failure_actions;
  std::chrono::seconds reset_period{0};
  std::optional<std::chrono::milliseconds> preshutdown_timeout;  // nullopt: the system's default

  // The ImagePath: the binary quoted as one argument, then the arguments.
  std::string ImagePath() const;
};

// What `service install` registers unless told otherwise: auto start, restart after 5 s twice
// then after 60 s, failure count reset after a day; `binary` is the supd.exe beside supctl. The
// display name is "sup process supervisor", with the service's name after it unless it is supd.
ServiceSpec DefaultServiceSpec(std::string binary, std::string name = "supd");

// Splits an ImagePath back into the binary and the arguments (the first argument by the Windows
// rules; the rest verbatim).
void SplitImagePath(std::string_view image_path, std::string& binary, std::string& arguments);

// The ImagePath with its program quoted, when an installer left a program path with spaces
// unquoted ("C:\Program Files\Sup\supd.exe --x", which the SCM would first try to run as
// C:\Program.exe): the program ends at the first ".exe" followed by a space or the end. nullopt
// when it needs nothing (quoted already, or no space in the program's path).
std::optional<std::string> QuoteUnquotedProgram(std::string_view image_path);

// The options of `service install|set`, each only if given: `set` applies them over what is
// installed, `install` over DefaultServiceSpec.
struct ServiceOverrides {
  std::optional<std::string> binary;
  std::optional<std::string> arguments;
  std::optional<std::string> display_name;
  std::optional<std::string> description;
  std::optional<StartType> start_type;
  std::optional<std::vector<std::string>> dependencies;
  std::optional<std::string> account;
  std::optional<std::string> password;
  std::optional<std::vector<FailureAction>> failure_actions;
  std::optional<std::chrono::seconds> reset_period;
  std::optional<std::chrono::milliseconds> preshutdown_timeout;
};
ServiceSpec ApplyOverrides(ServiceSpec spec, const ServiceOverrides& overrides);

// One field that differs between what is installed and what is wanted.
struct FieldChange {
  std::string field;  // "arguments", "description", ...
  std::string from;
  std::string to;
  bool operator==(const FieldChange&) const = default;
};

// The difference between an installed service and the wanted one, field by field, in a fixed
// order. A new password is always a change (it cannot be read back).
struct ServiceChange {
  std::vector<FieldChange> fields;
  bool password = false;
  bool empty() const { return fields.empty() && !password; }
  // The binary, its arguments or its account only take effect when supd starts again.
  bool NeedsRestart() const;
};
ServiceChange Diff(const ServiceSpec& installed, const ServiceSpec& wanted, bool new_password);

// One line per change, "  description: "old" -> "new"", for --what-if and for the log of `set`.
std::string DescribeChange(const ServiceChange& change);

}  // namespace sup::client

#include "client/service/service_spec.h"

#include <array>
#include <cctype>
#include <charconv>

#include "common/case_insensitive.h"
#include "common/command_line.h"

namespace sup::client {

namespace {

constexpr std::array<std::pair<StartType, std::string_view>, 4> kStartTypes = {{
    {StartType::kAuto, "auto"},
    {StartType::kDelayedAuto, "delayed-auto"},
    {StartType::kDemand, "demand"},
    {StartType::kDisabled, "disabled"},
}};

// The SCM's names of the built-in accounts, and the spellings admins also use for them.
struct BuiltInAccount {
  std::string_view scm_name;
  std::array<std::string_view, 3> spellings;
};
constexpr std::array<BuiltInAccount, 3> kBuiltInAccounts = {{
    {"LocalSystem", {"LocalSystem", "SYSTEM", "NT AUTHORITY\\SYSTEM"}},
    {"NT AUTHORITY\\NetworkService",
     {"NetworkService", "NT AUTHORITY\\NetworkService", "NT AUTHORITY\\NETWORK SERVICE"}},
    {"NT AUTHORITY\\LocalService",
     {"LocalService", "NT AUTHORITY\\LocalService", "NT AUTHORITY\\LOCAL SERVICE"}},
}};

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

std::string Joined(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ",") + item;
  return joined.empty() ? "(none)" : joined;
}

std::string Milliseconds(std::optional<std::chrono::milliseconds> value) {
  return value ? std::to_string(value->count()) + " ms" : "(system default)";
}

}  // namespace

std::string_view StartTypeName(StartType type) {
  for (const auto& [candidate, name] : kStartTypes) {
    if (candidate == type) return name;
  }
  return "auto";
}

Result<StartType> ParseStartType(std::string_view text) {
  for (const auto& [type, name] : kStartTypes) {
    if (EqualsIgnoringCase(name, text)) return type;
  }
  return Error(ErrorKind::kInvalidArgument,
               "start type \"" + std::string(text) +
                   "\" is not one of auto, delayed-auto, demand, disabled");
}

Result<std::vector<FailureAction>> ParseFailureActions(std::string_view text) {
  std::vector<FailureAction> actions;
  const std::string whole(text);
  auto refuse = [&whole](const std::string& why) {
    return Error(ErrorKind::kInvalidArgument,
                 "failure actions \"" + whole + "\": " + why +
                     " (expected e.g. restart/5000,restart/10000,none)");
  };
  if (text.empty()) return refuse("empty");
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    if (EqualsIgnoringCase(item, "none")) {
      actions.push_back({FailureAction::Kind::kNone, std::chrono::milliseconds(0)});
    } else if (item.size() > 8 && EqualsIgnoringCase(item.substr(0, 8), "restart/")) {
      const std::string_view digits = item.substr(8);
      std::uint32_t delay = 0;
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), delay);
      if (error != std::errc() || end != digits.data() + digits.size()) {
        return refuse("\"" + std::string(item) +
                      "\" needs a delay in milliseconds from 0 to 4294967295");
      }
      actions.push_back({FailureAction::Kind::kRestart, std::chrono::milliseconds(delay)});
    } else {
      return refuse("\"" + std::string(item) + "\" is neither restart/MS nor none");
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (actions.size() > 16) return refuse("more than 16 actions");
  return actions;
}

std::string FormatFailureActions(const std::vector<FailureAction>& actions) {
  std::string text;
  for (const FailureAction& action : actions) {
    if (!text.empty()) text += ",";
    text += action.kind == FailureAction::Kind::kNone
                ? "none"
                : "restart/" + std::to_string(action.delay.count());
  }
  return text.empty() ? "(none)" : text;
}

std::optional<std::string> BuiltInAccountName(std::string_view account) {
  for (const BuiltInAccount& builtin : kBuiltInAccounts) {
    for (std::string_view spelling : builtin.spellings) {
      if (EqualsIgnoringCase(spelling, account)) return std::string(builtin.scm_name);
    }
  }
  return std::nullopt;
}

bool IsUserAccount(std::string_view account) { return !BuiltInAccountName(account).has_value(); }

bool IsVirtualAccount(std::string_view account) {
  return account.size() > 11 && EqualsIgnoringCase(account.substr(0, 11), "NT SERVICE\\");
}

bool IsManagedAccount(std::string_view account) {
  const std::size_t at = account.find('@');
  const std::string_view user = account.substr(0, at);
  return IsUserAccount(account) && !IsVirtualAccount(account) && !user.empty() &&
         user.back() == '$';
}

bool NeedsPassword(std::string_view account) {
  return IsUserAccount(account) && !IsVirtualAccount(account) && !IsManagedAccount(account);
}

bool NeedsLogonRight(std::string_view account) {
  return IsUserAccount(account) && !IsVirtualAccount(account);
}

std::string ServiceSpec::ImagePath() const {
  std::string path = QuoteWindowsArgument(binary);
  // The SCM itself splits an unquoted path at its first space ("C:\Program Files\..." would run
  // C:\Program), so the binary is always quoted.
  if (path.front() != '"') path = "\"" + path + "\"";
  if (!arguments.empty()) path += " " + arguments;
  return path;
}

ServiceSpec DefaultServiceSpec(std::string binary, std::string name) {
  ServiceSpec spec;
  spec.binary = std::move(binary);
  // The SCM refuses a display name that another service already shows
  // (ERROR_DUPLICATE_SERVICE_NAME), so a second instance says which one it is.
  spec.display_name =
      name == spec.name ? "sup process supervisor" : "sup process supervisor (" + name + ")";
  spec.name = std::move(name);
  spec.description =
      "Runs, restarts and health-checks the workers configured under HKLM\\SOFTWARE\\Sup.";
  spec.failure_actions = {{FailureAction::Kind::kRestart, std::chrono::milliseconds(5000)},
                          {FailureAction::Kind::kRestart, std::chrono::milliseconds(5000)},
                          {FailureAction::Kind::kRestart, std::chrono::milliseconds(60000)}};
  spec.reset_period = std::chrono::hours(24);
  return spec;
}

void SplitImagePath(std::string_view image_path, std::string& binary, std::string& arguments) {
  binary.clear();
  arguments.clear();
  std::size_t at = 0;
  while (at < image_path.size() && (image_path[at] == ' ' || image_path[at] == '\t')) ++at;
  bool quoted = false;
  for (; at < image_path.size(); ++at) {
    const char c = image_path[at];
    if (c == '"') {
      quoted = !quoted;
    } else if ((c == ' ' || c == '\t') && !quoted) {
      break;
    } else {
      binary += c;
    }
  }
  while (at < image_path.size() && (image_path[at] == ' ' || image_path[at] == '\t')) ++at;
  arguments = std::string(image_path.substr(at));
}

std::optional<std::string> QuoteUnquotedProgram(std::string_view image_path) {
  if (image_path.empty() || image_path.front() == '"') return std::nullopt;
  std::string lower(image_path);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t end = std::string::npos;
  for (std::size_t at = lower.find(".exe"); at != std::string::npos;
       at = lower.find(".exe", at + 1)) {
    const std::size_t after = at + 4;
    if (after == lower.size() || lower[after] == ' ') {
      end = after;
      break;
    }
  }
  if (end == std::string::npos) return std::nullopt;
  const std::string_view program = image_path.substr(0, end);
  if (program.find(' ') == std::string_view::npos) return std::nullopt;
  return "\"" + std::string(program) + "\"" + std::string(image_path.substr(end));
}

ServiceSpec ApplyOverrides(ServiceSpec spec, const ServiceOverrides& overrides) {
  if (overrides.binary) spec.binary = *overrides.binary;
  if (overrides.arguments) spec.arguments = *overrides.arguments;
  if (overrides.display_name) spec.display_name = *overrides.display_name;
  if (overrides.description) spec.description = *overrides.description;
  if (overrides.start_type) spec.start_type = *overrides.start_type;
  if (overrides.dependencies) spec.dependencies = *overrides.dependencies;
  if (overrides.account)
    spec.account = BuiltInAccountName(*overrides.account).value_or(*overrides.account);
  if (overrides.failure_actions) spec.failure_actions = *overrides.failure_actions;
  if (overrides.reset_period) spec.reset_period = *overrides.reset_period;
  if (overrides.preshutdown_timeout) spec.preshutdown_timeout = *overrides.preshutdown_timeout;
  return spec;
}

bool ServiceChange::NeedsRestart() const {
  if (password) return true;
  for (const FieldChange& change : fields) {
    if (change.field == "binary" || change.field == "arguments" || change.field == "account")
      return true;
  }
  return false;
}

ServiceChange Diff(const ServiceSpec& installed, const ServiceSpec& wanted, bool new_password) {
  ServiceChange change;
  auto compare = [&change](const char* field, const std::string& from, const std::string& to) {
    if (from != to) change.fields.push_back({field, from, to});
  };
  compare("binary", Quoted(installed.binary), Quoted(wanted.binary));
  compare("arguments", Quoted(installed.arguments), Quoted(wanted.arguments));
  compare("display name", Quoted(installed.display_name), Quoted(wanted.display_name));
  compare("description", Quoted(installed.description), Quoted(wanted.description));
  compare("start", std::string(StartTypeName(installed.start_type)),
          std::string(StartTypeName(wanted.start_type)));
  compare("dependencies", Joined(installed.dependencies), Joined(wanted.dependencies));
  compare("account", installed.account, wanted.account);
  compare("failure actions", FormatFailureActions(installed.failure_actions),
          FormatFailureActions(wanted.failure_actions));
  compare("reset period", std::to_string(installed.reset_period.count()) + " s",
          std::to_string(wanted.reset_period.count()) + " s");
  compare("preshutdown timeout", Milliseconds(installed.preshutdown_timeout),
          Milliseconds(wanted.preshutdown_timeout));
  change.password = new_password;
  return change;
}

std::string DescribeChange(const ServiceChange& change) {
  if (change.empty()) return "  no changes\n";
  std::string text;
  for (const FieldChange& field : change.fields)
    text += "  " + field.field + ": " + field.from + " -> " + field.to + "\n";
  if (change.password) text += "  password: (changed)\n";
  return text;
}

}  // namespace sup::client

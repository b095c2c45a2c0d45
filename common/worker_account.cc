#include "common/worker_account.h"

#include <algorithm>

#include "common/case_insensitive.h"

namespace sup {
namespace {

constexpr std::string_view kForms =
    "LocalSystem, LocalService, NetworkService, .\\name (a local account), DOMAIN\\name, "
    "DOMAIN\\name$ (a group managed service account) or name@domain";

Error Refused(std::string_view text, std::string_view why) {
  return Error(ErrorKind::kInvalidArgument, "\"" + std::string(text) + "\" " + std::string(why) +
                                                ": an Account is " + std::string(kForms));
}

// What Windows refuses in a user name (and so in a domain name here): " / \ [ ] : ; | = , + * ?
// < > @, and control characters.
bool HasForbidden(std::string_view name) {
  constexpr std::string_view kForbidden = "\"/\\[]:;|=,+*?<>@";
  return std::any_of(name.begin(), name.end(), [&](char c) {
    return static_cast<unsigned char>(c) < 0x20 || kForbidden.find(c) != std::string_view::npos;
  });
}

bool IsNtAuthority(std::string_view domain) {
  return EqualsIgnoringCase(domain, "NT AUTHORITY") || domain == ".";
}

}  // namespace

std::string WorkerAccount::ToString() const {
  switch (kind) {
    case AccountKind::kLocalSystem: return "LocalSystem";
    case AccountKind::kLocalService: return "NT AUTHORITY\\LocalService";
    case AccountKind::kNetworkService: return "NT AUTHORITY\\NetworkService";
    case AccountKind::kUser:
    case AccountKind::kGroupManaged: return domain.empty() ? user : domain + "\\" + user;
  }
  return user;
}

Result<WorkerAccount> ParseWorkerAccount(std::string_view text) {
  if (text.empty() || EqualsIgnoringCase(text, "LocalSystem")) return WorkerAccount{};
  if (text.size() > 256) return Refused(text.substr(0, 32), "is longer than 256 characters");
  const std::size_t backslash = text.find('\\');
  if (backslash == std::string_view::npos) {
    if (EqualsIgnoringCase(text, "LocalService"))
      return WorkerAccount{AccountKind::kLocalService, "NT AUTHORITY", "LocalService"};
    if (EqualsIgnoringCase(text, "NetworkService"))
      return WorkerAccount{AccountKind::kNetworkService, "NT AUTHORITY", "NetworkService"};
    const std::size_t at = text.find('@');
    if (at != std::string_view::npos && at > 0 && at + 1 < text.size() &&
        text.find('@', at + 1) == std::string_view::npos && !HasForbidden(text.substr(0, at)) &&
        !HasForbidden(text.substr(at + 1))) {
      const bool managed = text[at - 1] == '$';
      return WorkerAccount{managed ? AccountKind::kGroupManaged : AccountKind::kUser, "",
                           std::string(text)};
    }
    return Refused(text, "names no domain");
  }
  const std::string_view domain = text.substr(0, backslash);
  const std::string_view user = text.substr(backslash + 1);
  if (domain.empty() || user.empty()) return Refused(text, "has an empty domain or name");
  if (HasForbidden(domain) || HasForbidden(user))
    return Refused(text, "holds a character no account name may");
  if (IsNtAuthority(domain)) {
    if (EqualsIgnoringCase(user, "SYSTEM") || EqualsIgnoringCase(user, "LocalSystem"))
      return WorkerAccount{};
    if (EqualsIgnoringCase(user, "LocalService") || EqualsIgnoringCase(user, "Local Service"))
      return WorkerAccount{AccountKind::kLocalService, "NT AUTHORITY", "LocalService"};
    if (EqualsIgnoringCase(user, "NetworkService") || EqualsIgnoringCase(user, "Network Service"))
      return WorkerAccount{AccountKind::kNetworkService, "NT AUTHORITY", "NetworkService"};
    if (domain != ".") return Refused(text, "is no account NT AUTHORITY has for workers");
  }
  const bool managed = user.back() == '$';
  if (managed && domain == ".")
    return Refused(text, "is a group managed service account of no domain");
  return WorkerAccount{managed ? AccountKind::kGroupManaged : AccountKind::kUser,
                       std::string(domain), std::string(user)};
}

}  // namespace sup

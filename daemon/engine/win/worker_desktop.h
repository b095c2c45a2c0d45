// The window station and desktop every worker runs on, not supd's own. A reduced worker's token
// is write-restricted, and user32 opens its desktop for writing as a program starts (a program
// that cannot open it dies at once with 0xC0000142): the desktop and window station supd makes
// grant Write Restricted (S-1-5-33, a restricting SID of every reduced token), SYSTEM and supd
// (its service SID or account), whatever the session's own desktops grant. The window station's
// name is unguessable (sup-<32 hex digits>), so nobody can create it first with a DACL of their
// own; its desktop is "default".
//
// Under Wine (measured, Wine 8.0): both are created and a child started with lpDesktop
// "<station>\default" runs there, its windows listed by EnumDesktopWindows (the close step); their
// descriptors are neither kept nor read back (GetSecurityInfo: none, or access denied), and SDDL's
// "WR" alias is refused (ERROR_INVALID_ACL), so the SID is written out.
#pragma once

#include <windows.h>

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace sup::win {

class WorkerDesktop {
 public:
  // `controller_sid`: supd's service SID or account (ControllerSid). Briefly makes the new
  // window station this process's own to create the desktop in it (CreateDesktopW has no other
  // way): call it before other threads create windows or desktops.
  static Result<std::unique_ptr<WorkerDesktop>> Create(const std::string& controller_sid);
  ~WorkerDesktop();
  WorkerDesktop(const WorkerDesktop&) = delete;
  WorkerDesktop& operator=(const WorkerDesktop&) = delete;

  // "sup-<token>\default", for STARTUPINFOW::lpDesktop (which wants a wchar_t*).
  wchar_t* startup_name() const { return const_cast<wchar_t*>(name_.c_str()); }
  const std::wstring& name() const { return name_; }
  HDESK desktop() const { return desktop_; }
  HWINSTA station() const { return station_; }

  // Lets `worker_sid` (a worker that runs as another account) use both too; asked once per SID
  // (Wine refuses SetSecurityInfo on window objects: access denied).
  Result<void> Grant(const std::string& worker_sid);

 private:
  WorkerDesktop(HWINSTA station, HDESK desktop, std::wstring name, std::string controller_sid)
      : station_(station),
        desktop_(desktop),
        name_(std::move(name)),
        controller_sid_(std::move(controller_sid)) {}
  HWINSTA station_;
  HDESK desktop_;
  std::wstring name_;
  std::string controller_sid_;
  std::vector<std::string> granted_;
};

}  // namespace sup::win

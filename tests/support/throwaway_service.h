// A service registered for one adapter test (never started) and deleted when the test is done,
// to make real SCM calls on: the program path is never run.
#pragma once

#include <windows.h>

#include <string>

#include "common/result.h"
#include "common/win/unique_handle.h"

namespace sup::testing {

class ThrowawayService {
 public:
  // Registers `<prefix>-<pid>` (demand start, program C:\sup\supd.exe).
  static Result<ThrowawayService> Create(const std::string& prefix);
  ThrowawayService(ThrowawayService&&) = default;
  ~ThrowawayService();

  SC_HANDLE handle() const { return service_.get(); }
  const std::string& name() const { return name_; }

 private:
  ThrowawayService(std::string name, win::UniqueServiceHandle scm, win::UniqueServiceHandle service)
      : name_(std::move(name)), scm_(std::move(scm)), service_(std::move(service)) {}

  std::string name_;
  win::UniqueServiceHandle scm_;
  win::UniqueServiceHandle service_;
};

}  // namespace sup::testing

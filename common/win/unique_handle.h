// Move-only owners for Win32 handles, one type per kind of invalid value and close function, so
// every handle is owned from the line that creates it and no code path closes one by hand.
//   UniqueHandle      NULL when invalid: CreateJobObjectW, OpenProcess, CreateEventW, CreateMutexW
//   UniqueFileHandle  INVALID_HANDLE_VALUE when invalid: CreateFileW, CreateNamedPipeW
//   UniqueServiceHandle  SC_HANDLE: OpenSCManagerW, CreateServiceW, OpenServiceW
//   UniqueLocalMemory    LocalAlloc'd memory: ConvertStringSecurityDescriptorToSecurityDescriptorW,
//                        FormatMessageW's buffer, CommandLineToArgvW's array
//   UniqueRegistryKey    HKEY: RegOpenKeyExW, RegCreateKeyExW
//   UniqueEnvironmentBlock  GetEnvironmentStringsW
#pragma once

#include <windows.h>

#include <utility>

namespace sup::win {

// Closing preserves GetLastError(), so an error path can close handles before reporting.
template <typename Traits>
class BasicUniqueHandle {
 public:
  using Native = typename Traits::Native;

  BasicUniqueHandle() = default;
  explicit BasicUniqueHandle(Native handle) : handle_(handle) {}
  BasicUniqueHandle(BasicUniqueHandle&& other) noexcept : handle_(other.release()) {}
  BasicUniqueHandle& operator=(BasicUniqueHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  BasicUniqueHandle(const BasicUniqueHandle&) = delete;
  BasicUniqueHandle& operator=(const BasicUniqueHandle&) = delete;
  ~BasicUniqueHandle() { reset(); }

  explicit operator bool() const { return handle_ != Traits::Invalid(); }
  Native get() const { return handle_; }

  Native release() {
    Native handle = handle_;
    handle_ = Traits::Invalid();
    return handle;
  }

  void reset(Native handle = Traits::Invalid()) {
    if (handle_ != Traits::Invalid()) {
      const DWORD saved_error = ::GetLastError();
      Traits::Close(handle_);
      ::SetLastError(saved_error);
    }
    handle_ = handle;
  }

 private:
  Native handle_ = Traits::Invalid();
};

struct NullHandleTraits {
  using Native = HANDLE;
  static Native Invalid() { return nullptr; }
  static void Close(Native h) { ::CloseHandle(h); }
};

struct FileHandleTraits {
  using Native = HANDLE;
  static Native Invalid() { return INVALID_HANDLE_VALUE; }
  static void Close(Native h) { ::CloseHandle(h); }
};

struct ServiceHandleTraits {
  using Native = SC_HANDLE;
  static Native Invalid() { return nullptr; }
  static void Close(Native h) { ::CloseServiceHandle(h); }
};

struct LocalMemoryTraits {
  using Native = void*;
  static Native Invalid() { return nullptr; }
  static void Close(Native p) { ::LocalFree(p); }
};

struct RegistryKeyTraits {
  using Native = HKEY;
  static Native Invalid() { return nullptr; }
  static void Close(Native key) { ::RegCloseKey(key); }
};

using UniqueHandle = BasicUniqueHandle<NullHandleTraits>;
using UniqueFileHandle = BasicUniqueHandle<FileHandleTraits>;
using UniqueServiceHandle = BasicUniqueHandle<ServiceHandleTraits>;
using UniqueLocalMemory = BasicUniqueHandle<LocalMemoryTraits>;
struct EnvironmentBlockTraits {
  using Native = wchar_t*;
  static Native Invalid() { return nullptr; }
  static void Close(Native block) { ::FreeEnvironmentStringsW(block); }
};

// A FindFirstFileW search.
struct FindHandleTraits {
  using Native = HANDLE;
  static Native Invalid() { return INVALID_HANDLE_VALUE; }
  static void Close(Native search) { ::FindClose(search); }
};

using UniqueRegistryKey = BasicUniqueHandle<RegistryKeyTraits>;
using UniqueEnvironmentBlock = BasicUniqueHandle<EnvironmentBlockTraits>;
using UniqueFindHandle = BasicUniqueHandle<FindHandleTraits>;

}  // namespace sup::win

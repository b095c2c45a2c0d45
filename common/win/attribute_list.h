// A PROC_THREAD_ATTRIBUTE_LIST that owns its storage and is deleted with the object: what
// CreateProcessW's STARTUPINFOEXW points at.
#pragma once

#include <windows.h>

#include <memory>
#include <vector>

#include "common/result.h"

namespace sup::win {

class AttributeList {
 public:
  // A list with room for `count` attributes.
  static Result<std::unique_ptr<AttributeList>> Create(DWORD count);
  ~AttributeList();
  AttributeList(const AttributeList&) = delete;
  AttributeList& operator=(const AttributeList&) = delete;

  // Only `handles` are inherited by the process started with this list.
  Result<void> InheritOnly(HANDLE* handles, std::size_t count);
  LPPROC_THREAD_ATTRIBUTE_LIST get() {
    return reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.data());
  }

 private:
  AttributeList() = default;
  std::vector<char> storage_;
};

}  // namespace sup::win

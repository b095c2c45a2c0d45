#include "common/win/attribute_list.h"

#include "common/win/win32_error.h"

namespace sup::win {

Result<std::unique_ptr<AttributeList>> AttributeList::Create(DWORD count) {
  SIZE_T bytes = 0;
  ::InitializeProcThreadAttributeList(nullptr, count, 0, &bytes);
  std::unique_ptr<AttributeList> list(new AttributeList);
  list->storage_.resize(bytes);
  if (!::InitializeProcThreadAttributeList(list->get(), count, 0, &bytes)) {
    list->storage_.clear();  // nothing to delete
    return Win32Error("InitializeProcThreadAttributeList");
  }
  return list;
}

AttributeList::~AttributeList() {
  if (!storage_.empty()) ::DeleteProcThreadAttributeList(get());
}

Result<void> AttributeList::InheritOnly(HANDLE* handles, std::size_t count) {
  if (!::UpdateProcThreadAttribute(get(), 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles,
                                   count * sizeof(HANDLE), nullptr, nullptr)) {
    return Win32Error("UpdateProcThreadAttribute(HANDLE_LIST)");
  }
  return Ok();
}

}  // namespace sup::win

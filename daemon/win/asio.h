// The parts of Boost.Asio supd uses. Boost 1.74's Asio under C++20 needs <utility> first, and
// must come before <windows.h>, so every file that uses Asio includes it through this header.
#pragma once

#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/windows/object_handle.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/stream_handle.hpp>
#include <boost/asio/write.hpp>

#include <string>

#include "common/text_encoding.h"
#include "common/win/win32_error.h"

namespace sup::win {

// error_code::message() is in the system's ANSI code page on Windows ("é" as 0xE9 in a French
// message), and what leaves supd must be UTF-8: system errors are read again with FormatMessageW.
inline std::string Utf8Message(const boost::system::error_code& error) {
  if (error.category() == boost::system::system_category())
    return Win32ErrorText(static_cast<DWORD>(error.value()));
  return ToValidUtf8(error.message());
}

}  // namespace sup::win

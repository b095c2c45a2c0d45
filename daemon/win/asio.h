// The parts of Boost.Asio supd uses. Boost 1.74's Asio under C++20 needs <utility> first, and
// must come before <windows.h>, so every file that uses Asio includes it through this header.
#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/windows/object_handle.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/stream_handle.hpp>
#include <boost/asio/write.hpp>

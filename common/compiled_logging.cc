// spdlog and fmt compiled once for the whole program.
//
// Both packages can be used header-only, but then every file that logs compiles their
// implementation again: 5 s more per file at -O2 under MinGW, over a hundred files in the four
// flavours. Every target is built with SPDLOG_COMPILED_LIB instead (cmake/SupDependencies.cmake),
// which leaves only declarations in the headers; this file includes the packages' own
// implementation headers (the "-inl.h" files), so that each function is defined here once, and
// instantiates the class templates sup uses, which the headers then only declare. A template sup
// starts to use and that is missing here shows as an undefined reference when linking.
//
// (The MSVC preset links vcpkg's compiled spdlog and fmt and does not build this file.)
#include <fmt/format-inl.h>

#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_sinks-inl.h>
#include <spdlog/spdlog-inl.h>
#ifdef _WIN32
#include <spdlog/sinks/wincolor_sink-inl.h>
#else
#include <spdlog/sinks/ansicolor_sink-inl.h>
#endif

#include <mutex>

// fmt: what format.h declares `extern template` when it is not header-only.
namespace fmt::detail {
template auto thousands_sep_impl<char>(locale_ref) -> thousands_sep_result<char>;
template auto thousands_sep_impl<wchar_t>(locale_ref) -> thousands_sep_result<wchar_t>;
template auto decimal_point_impl(locale_ref) -> char;
template auto decimal_point_impl(locale_ref) -> wchar_t;
}  // namespace fmt::detail

// spdlog: the sink bases of sup's own sinks (std::mutex) and of the tests' ostream_sink_st
// (null_mutex), the console sink supd logs to before its log file is open, and the colour sink
// spdlog makes its default logger with.
template class spdlog::sinks::base_sink<std::mutex>;
template class spdlog::sinks::base_sink<spdlog::details::null_mutex>;
template class spdlog::sinks::stdout_sink_base<spdlog::details::console_mutex>;
template class spdlog::sinks::stderr_sink<spdlog::details::console_mutex>;
#ifdef _WIN32
template class spdlog::sinks::wincolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::wincolor_stdout_sink<spdlog::details::console_mutex>;
#else
template class spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stdout_sink<spdlog::details::console_mutex>;
#endif

# Finds sup's dependencies for the flavour being built and exposes each as one target:
#   sup::protobuf   the protobuf lite runtime        sup::asio     Boost.Asio (header-only)
#   sup::logging    spdlog + fmt (header-only)      sup::cli11    CLI11 (header-only)
#   GTest::gtest, GTest::gmock, GTest::gtest_main
# plus SUP_PROTOC, the host protoc every flavour generates code with.
#   linux: Debian's packages.   mingw: the cache of scripts/bootstrap.sh.   msvc: vcpkg.

find_program(SUP_PROTOC protoc REQUIRED)

add_library(sup_asio INTERFACE)
add_library(sup::asio ALIAS sup_asio)
add_library(sup_logging INTERFACE)
add_library(sup::logging ALIAS sup_logging)
add_library(sup_cli11 INTERFACE)
add_library(sup::cli11 ALIAS sup_cli11)
add_library(sup_protobuf INTERFACE)
add_library(sup::protobuf ALIAS sup_protobuf)

if(MINGW)
  set(_mingw_prefix "${SUP_DEPS_DIR}/mingw")
  if(NOT EXISTS "${_mingw_prefix}/lib/libprotobuf-lite.a")
    message(FATAL_ERROR "The MinGW dependency cache is missing in ${_mingw_prefix}: run scripts/bootstrap.sh as root first")
  endif()
  # Header-only libraries reach the cross compiler through symlinks to exactly their folders.
  target_include_directories(sup_asio SYSTEM INTERFACE "${_mingw_prefix}/shim-include")
  target_include_directories(sup_logging SYSTEM INTERFACE "${_mingw_prefix}/shim-include")
  target_include_directories(sup_cli11 SYSTEM INTERFACE "${_mingw_prefix}/shim-include")
  target_include_directories(sup_protobuf SYSTEM INTERFACE "${_mingw_prefix}/include")
  target_link_libraries(sup_protobuf INTERFACE "${_mingw_prefix}/lib/libprotobuf-lite.a")
  list(PREPEND CMAKE_PREFIX_PATH "${_mingw_prefix}")
  find_package(GTest CONFIG REQUIRED)
elseif(MSVC)
  find_package(Boost REQUIRED)
  find_package(spdlog CONFIG REQUIRED)
  find_package(CLI11 CONFIG REQUIRED)
  find_package(protobuf CONFIG REQUIRED)
  find_package(GTest CONFIG REQUIRED)
  target_link_libraries(sup_asio INTERFACE Boost::headers)
  target_link_libraries(sup_logging INTERFACE spdlog::spdlog_header_only)
  target_link_libraries(sup_cli11 INTERFACE CLI11::CLI11)
  target_link_libraries(sup_protobuf INTERFACE protobuf::libprotobuf-lite)
else()
  find_package(Protobuf REQUIRED)
  find_package(GTest REQUIRED)
  target_link_libraries(sup_protobuf INTERFACE protobuf::libprotobuf-lite)
endif()

if(WIN32)
  target_link_libraries(sup_asio INTERFACE ws2_32 mswsock)
endif()
# Debian's spdlog is configured for an external fmt; both are used header-only.
target_compile_definitions(sup_logging INTERFACE SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)

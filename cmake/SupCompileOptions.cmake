# Compile options for sup's own targets (never for third-party code): warnings as errors, the
# sanitizers of the linux-asan and linux-tsan presets, libFuzzer's coverage instrumentation, the
# Windows API level, and unity builds.

if(SUP_SANITIZE)
  set(SUP_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()
if(SUP_TSAN)
  set(SUP_SANITIZER_FLAGS -fsanitize=thread -fno-omit-frame-pointer)
endif()
if(SUP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SUP_FUZZ needs clang (libFuzzer); this build uses ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # Every library the fuzzers link carries coverage instrumentation, so the fuzzers see which
  # branches of the decoder and the dispatcher an input reached. Only the fuzzers link libFuzzer.
  list(APPEND SUP_SANITIZER_FLAGS -fsanitize=fuzzer-no-link)
endif()

include(${CMAKE_CURRENT_LIST_DIR}/SupUnityBuild.cmake)

# sup_target_defaults(<target>): apply the project's compile policy to one of our targets (after
# its C++ files are listed: they may be grouped into unity files).
function(sup_target_defaults target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /WX /permissive- /utf-8)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  endif()
  if(SUP_SANITIZER_FLAGS)
    target_compile_options(${target} PRIVATE ${SUP_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${SUP_SANITIZER_FLAGS})
  endif()
  if(WIN32)
    # Windows 10 API level; UNICODE so every Win32 call is the W variant.
    target_compile_definitions(${target} PRIVATE _WIN32_WINNT=0x0A00 WINVER=0x0A00 UNICODE _UNICODE
                                                 WIN32_LEAN_AND_MEAN NOMINMAX)
  endif()
  sup_unity_sources(${target})
endfunction()

# Compile options for sup's own targets (never for third-party code): warnings as errors, the
# sanitizers of the linux-asan preset, and the Windows API level.

if(SUP_SANITIZE)
  set(SUP_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()

# sup_target_defaults(<target>): apply the project's compile policy to one of our targets.
function(sup_target_defaults target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /WX /permissive- /utf-8)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  endif()
  if(SUP_SANITIZE)
    target_compile_options(${target} PRIVATE ${SUP_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${SUP_SANITIZER_FLAGS})
  endif()
  if(WIN32)
    # Windows 10 API level; UNICODE so every Win32 call is the W variant.
    target_compile_definitions(${target} PRIVATE _WIN32_WINNT=0x0A00 WINVER=0x0A00 UNICODE _UNICODE
                                                 WIN32_LEAN_AND_MEAN NOMINMAX)
  endif()
endfunction()

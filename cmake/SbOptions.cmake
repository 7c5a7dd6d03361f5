# One INTERFACE target carries the language standard, warnings and Qt defines
# for every SteerBridge target (qBittorrent CommonConfig, cpp-best-practices).
add_library(sb_options INTERFACE)
add_library(sb::options ALIAS sb_options)
target_compile_features(sb_options INTERFACE cxx_std_17)
target_compile_options(sb_options INTERFACE
  -Wall -Wextra -Wpedantic -Wno-unused-parameter
  $<$<BOOL:${SB_WERROR}>:-Werror>)
target_compile_definitions(sb_options INTERFACE
  QT_NO_CAST_FROM_ASCII
  QT_NO_CONTEXTLESS_CONNECT
  QT_USE_QSTRINGBUILDER
  QT_NO_URL_CAST_FROM_STRING
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  QT_DISABLE_DEPRECATED_BEFORE=0x060000)

if(SB_SANITIZE)
  string(REPLACE ";" "," _sb_san "${SB_SANITIZE}")
  target_compile_options(sb_options INTERFACE -fsanitize=${_sb_san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(sb_options INTERFACE -fsanitize=${_sb_san})
endif()

# Executables export no symbols. Debian's libtorch pulls Qt 5 into every
# process (libtorch_cpu -> OpenCV highgui -> Qt 5 Widgets) beside our Qt 6. In
# unoptimised builds an executable emits Qt 6 inline functions out of line
# (e.g. QByteArray::append(const char*)), and the linker exports them because
# Qt 5 libraries reference the same names; Qt 5's static initialisers then
# call Qt 6 code and crash before main (found by the asan preset). gcc only:
# clang's static sanitizer runtimes export their interceptors from the
# executable and must stay visible.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_link_options(sb_options INTERFACE
    "$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:LINKER:--version-script=${PROJECT_SOURCE_DIR}/cmake/executable.map>")
endif()

# libFuzzer: coverage instrumentation on every SteerBridge target; only the
# fuzz executables link the fuzzer's main (tests/fuzz/CMakeLists.txt).
if(SB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SB_FUZZ needs clang (cmake --preset fuzz, or scripts/fuzz)")
  endif()
  target_compile_options(sb_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# ccache when present: most edits then recompile little, and the torch
# precompiled header is reused across build trees and git worktrees
# (CCACHE_BASEDIR makes the cached paths relative to the source tree).
find_program(SB_CCACHE ccache)
if(SB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
    ${CMAKE_COMMAND} -E env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} ${SB_CCACHE})
endif()

# sb_add_test(NAME name SOURCES a.cpp... LIBS libs... LABELS unit|model|gui|slow [TIMEOUT s] [QT_KEYWORDS])
# Tests get QT_NO_KEYWORDS (torch clashes with `slots`) unless QT_KEYWORDS is given
# (widget tests that include qcustomplot.h, which uses the keywords).
# One Qt Test executable per class or feature, registered with its labels.
# Sanitizer runtime options for every test of a sanitized build
# (suppressions and their reasons: tests/sanitizers/README.md).
set(SB_TEST_SANITIZER_ENV "")
set(SB_TEST_OMP_THREADS 2)
if(SB_SANITIZE MATCHES "address")
  list(APPEND SB_TEST_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=1:abort_on_error=1"
    "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/ubsan.supp")
endif()
if(SB_SANITIZE MATCHES "thread")
  # libgomp is not instrumented: its worker pool would only produce false
  # reports, so torch runs its kernels on the calling thread under TSan.
  set(SB_TEST_OMP_THREADS 1)
  list(APPEND SB_TEST_SANITIZER_ENV
    "TSAN_OPTIONS=halt_on_error=0:exitcode=66:second_deadlock_stack=1:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/tsan.supp")
endif()

function(sb_add_test)
  cmake_parse_arguments(T "QT_KEYWORDS" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE sb::options Qt6::Test ${T_LIBS})
  target_compile_definitions(${T_NAME} PRIVATE
    SB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    SB_RESOURCE_DIR="${PROJECT_SOURCE_DIR}/resources"
    SB_BUILD_DIR="${PROJECT_BINARY_DIR}")
  if(NOT T_QT_KEYWORDS)
    target_compile_definitions(${T_NAME} PRIVATE QT_NO_KEYWORDS)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(SB_SANITIZE)
    # Debug + sanitizer runtime: the engine tests run 5-20x slower.
    math(EXPR T_TIMEOUT "${T_TIMEOUT} * 8")
  endif()
  set(env QT_QPA_PLATFORM=offscreen SB_TEST_MODE=1 OMP_NUM_THREADS=${SB_TEST_OMP_THREADS} ${SB_TEST_SANITIZER_ENV})
  if(SB_SANITIZE)
    # Qt Test's own watchdog (300 s per test function by default) follows the
    # longer timeout; SB_TEST_SANITIZED tells timing-bound checks (the GUI
    # stall probe) that they run in a sanitized Debug build.
    math(EXPR _ms "${T_TIMEOUT} * 1000")
    list(APPEND env QTEST_FUNCTION_TIMEOUT=${_ms} SB_TEST_SANITIZED=1)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "${T_LABELS}"
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "${env}")
endfunction()

# sb_add_test(NAME name SOURCES a.cpp... LIBS libs... LABELS unit|model|gui|slow [TIMEOUT s] [QT_KEYWORDS])
# Tests get QT_NO_KEYWORDS (torch clashes with `slots`) unless QT_KEYWORDS is given
# (widget tests that include qcustomplot.h, which uses the keywords).
# One Qt Test executable per class or feature, registered with its labels.
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
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "${T_LABELS}"
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;SB_TEST_MODE=1;OMP_NUM_THREADS=2")
endfunction()

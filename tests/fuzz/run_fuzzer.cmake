# Runs one libFuzzer executable for SECONDS: first over the crash regressions
# (each must pass), then fuzzing from a scratch copy of the seed corpus.
# -D EXE, WORK, SEEDS, REGRESSIONS, ARTIFACTS, SECONDS [, DICT]
file(MAKE_DIRECTORY "${WORK}" "${ARTIFACTS}")
file(GLOB regressions "${REGRESSIONS}/*")
if(regressions)
  execute_process(COMMAND "${EXE}" ${regressions} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "a saved crash input fails again (exit ${rc})")
  endif()
endif()
set(dict)
if(DICT AND EXISTS "${DICT}")
  set(dict "-dict=${DICT}")
endif()
execute_process(COMMAND "${EXE}" "${WORK}" "${SEEDS}" ${dict}
    -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=3072 -max_len=65536
    -print_final_stats=1 -artifact_prefix=${ARTIFACTS}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found "${ARTIFACTS}/*")
  message(FATAL_ERROR "fuzzer found a problem (exit ${rc}); inputs: ${found}\n"
    "Fix it, then copy the input to tests/fuzz/regressions/<target>/ so it is replayed in the normal suite.")
endif()

# pw_fuzz_target(EXE SOURCE LIBRARY): one libFuzzer entry point of tests/fuzz/<folder>/.
# With PIXELWARDEN_FUZZ (Clang, scripts/build-fuzz): the libFuzzer executable EXE, run by
# the fuzz.EXE ctest tests of the normal build (tests/fuzz/CMakeLists.txt, targets.txt).
# Otherwise: EXE_replay, the same entry point linked with tests/fuzz/replay_main.cpp, and the test
# fuzz.<folder>.<name>.replay that feeds it the checked-in seeds (tests/data/fuzz/EXE/),
# so every build checks the target's invariants on its seeds.
function(pw_fuzz_target exe source library)
  get_filename_component(_folder "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  string(REGEX REPLACE "^fuzz_" "" _name "${exe}")
  if(PIXELWARDEN_FUZZ)
    add_executable(${exe} ${source})
    target_link_options(${exe} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${exe} PRIVATE ${library} pixelwarden_warnings)
  else()
    add_executable(${exe}_replay ${source} "${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp")
    target_link_libraries(${exe}_replay PRIVATE ${library} pixelwarden_warnings)
    add_test(NAME fuzz.${_folder}.${_name}.replay
      COMMAND ${exe}_replay "${PROJECT_SOURCE_DIR}/tests/data/fuzz/${exe}")
  endif()
endfunction()

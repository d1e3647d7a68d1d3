# Compile-failure tests: proof that a misuse of servokit is rejected, with a readable error.
#
# Each tests/compile_fail/<case>.cpp holds at least one line
#     // expect-error: <regex>
# and takes part in two tests:
#   compile_fail.<case>     building it must FAIL, and the build output must match every
#                           expect-error regex (the static_assert message a user would see);
#   compile_fail.controls   every case at once, with SERVOKIT_COMPILE_FAIL_CONTROL defined, must
#                           BUILD, so each failure above is the intended one, not a typo. One
#                           target of all the cases: one build, compiled in parallel.
# A case puts its one deliberate mistake under `#ifndef SERVOKIT_COMPILE_FAIL_CONTROL`. The
# regexes are CMake's (`if(MATCHES)`): no \d or {n}; `[0-9]`, `.*`, `(a|b)` and `\\.` work.
#
# Both kinds are OBJECT libraries left out of the normal build, with the tests' precompiled header
# (tests/CMakeLists.txt), so a case costs its own lines, not a parse of servokit. The tests build
# them with `cmake --build`, through this same file run as a script (cmake -P, the block below).

if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode: -DBUILD_DIR= -DCONFIG= -DTARGET= -DSOURCE= -DEXPECT=fail|success
  set(build_command "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}" --parallel 2)
  if(CONFIG)
    list(APPEND build_command --config "${CONFIG}")
  endif()
  execute_process(COMMAND ${build_command}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

  if(EXPECT STREQUAL "success")
    if(NOT result EQUAL 0)
      message(NOTICE "${output}")
      message(FATAL_ERROR "compile_fail: ${SOURCE} do not all compile with "
        "SERVOKIT_COMPILE_FAIL_CONTROL defined: a case itself is broken (output above)")
    endif()
    message(STATUS "compile_fail: the control builds of ${SOURCE} compile, as they must")
    return()
  endif()

  if(result EQUAL 0)
    message(FATAL_ERROR "compile_fail: ${SOURCE} compiled, but it must be rejected")
  endif()
  file(STRINGS "${SOURCE}" expectations REGEX "^[ \t]*//[ \t]*expect-error:")
  foreach(line IN LISTS expectations)
    string(REGEX REPLACE "^[ \t]*//[ \t]*expect-error:[ \t]*" "" regex "${line}")
    string(STRIP "${regex}" regex)
    if(NOT output MATCHES "${regex}")
      message(NOTICE "${output}")
      message(FATAL_ERROR "compile_fail: ${SOURCE} failed to compile as it should, but no "
        "diagnostic matches the expected error '${regex}' (the build output is above)")
    endif()
    message(STATUS "compile_fail: rejected with the expected error '${regex}'")
  endforeach()
  return()
endif()

# --- configure mode: register the cases ---------------------------------------------------------

# The cases' folder can be pointed elsewhere, to test this machinery itself on throw-away cases.
if(NOT DEFINED SERVOKIT_COMPILE_FAIL_DIR)
  set(SERVOKIT_COMPILE_FAIL_DIR "${CMAKE_CURRENT_SOURCE_DIR}/compile_fail")
endif()
file(GLOB compile_fail_sources CONFIGURE_DEPENDS "${SERVOKIT_COMPILE_FAIL_DIR}/*.cpp")

# Tests that build in this build tree take turns (RESOURCE_LOCK): two builds at once in one tree can
# trip over each other's bookkeeping.
function(servokit_add_compile_fail_test test target source expect)
  add_test(NAME ${test} COMMAND "${CMAKE_COMMAND}"
    "-DBUILD_DIR=${PROJECT_BINARY_DIR}" "-DCONFIG=$<CONFIG>" "-DTARGET=${target}"
    "-DSOURCE=${source}" "-DEXPECT=${expect}" -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}")
  set_tests_properties(${test} PROPERTIES
    LABELS compile_fail TIMEOUT 300 RESOURCE_LOCK servokit_build_tree)
endfunction()

function(servokit_add_compile_fail_target target)
  add_library(${target} OBJECT EXCLUDE_FROM_ALL ${ARGN})
  set_target_properties(${target} PROPERTIES EXCLUDE_FROM_DEFAULT_BUILD TRUE)
  target_link_libraries(${target} PRIVATE servokit::servokit servokit_warnings)
  # A case is rejected (or, as a control, accepted) by the front end: the static_asserts fire when
  # the templates are instantiated, which -fsyntax-only still does. It skips code generation, most
  # of a control's CPU at the build's -O level, and writes no object, so every run compiles anew.
  target_compile_options(${target} PRIVATE -fsyntax-only)
endfunction()

foreach(source IN LISTS compile_fail_sources)
  get_filename_component(case "${source}" NAME_WE)
  file(STRINGS "${source}" expectations REGEX "^[ \t]*//[ \t]*expect-error:[ \t]*[^ \t]")
  if(NOT expectations)
    message(FATAL_ERROR "${source}: a compile-failure case needs a line "
      "'// expect-error: <regex>' naming the error it must produce")
  endif()
  servokit_add_compile_fail_target(compile_fail-${case} "${source}")
  servokit_add_compile_fail_test(compile_fail.${case} compile_fail-${case} "${source}" fail)
endforeach()

if(compile_fail_sources)
  servokit_add_compile_fail_target(compile_fail-controls ${compile_fail_sources})
  target_compile_definitions(compile_fail-controls PRIVATE SERVOKIT_COMPILE_FAIL_CONTROL)
  list(JOIN compile_fail_sources ", " all_sources)
  servokit_add_compile_fail_test(compile_fail.controls compile_fail-controls "${all_sources}" success)
endif()

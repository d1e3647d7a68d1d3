# Compile-failure tests: proof that a misuse of servokit is rejected, with a readable error.
#
# Each tests/compile_fail/<case>.cpp holds at least one line
#     // expect-error: <regex>
# and is registered twice:
#   compile_fail.<case>          building it must FAIL, and the build output must match every
#                                expect-error regex (the static_assert message a user would see);
#   compile_fail.<case>.control  the same file with SERVOKIT_COMPILE_FAIL_CONTROL defined must
#                                BUILD, so the failure above is the intended one, not a typo.
# A case puts its one deliberate mistake under `#ifndef SERVOKIT_COMPILE_FAIL_CONTROL`. The
# regexes are CMake's (`if(MATCHES)`): no \d or {n}; `[0-9]`, `.*`, `(a|b)` and `\\.` work.
#
# Both are OBJECT libraries left out of the normal build; the tests build them with
# `cmake --build`, through this same file run as a script (cmake -P, the block just below).

if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode: -DBUILD_DIR= -DCONFIG= -DTARGET= -DSOURCE= -DEXPECT=fail|success
  set(build_command "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}")
  if(CONFIG)
    list(APPEND build_command --config "${CONFIG}")
  endif()
  execute_process(COMMAND ${build_command}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)

  if(EXPECT STREQUAL "success")
    if(NOT result EQUAL 0)
      message(NOTICE "${output}")
      message(FATAL_ERROR "compile_fail: ${SOURCE} does not compile even with "
        "SERVOKIT_COMPILE_FAIL_CONTROL defined: the case itself is broken (output above)")
    endif()
    message(STATUS "compile_fail: the control build of ${SOURCE} compiles, as it must")
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

foreach(source IN LISTS compile_fail_sources)
  get_filename_component(case "${source}" NAME_WE)
  file(STRINGS "${source}" expectations REGEX "^[ \t]*//[ \t]*expect-error:[ \t]*[^ \t]")
  if(NOT expectations)
    message(FATAL_ERROR "${source}: a compile-failure case needs a line "
      "'// expect-error: <regex>' naming the error it must produce")
  endif()

  foreach(variant IN ITEMS fail control)
    if(variant STREQUAL "fail")
      set(target compile_fail-${case})
      set(test compile_fail.${case})
      set(expect fail)
    else()
      set(target compile_fail-${case}-control)
      set(test compile_fail.${case}.control)
      set(expect success)
    endif()

    add_library(${target} OBJECT EXCLUDE_FROM_ALL "${source}")
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_DEFAULT_BUILD TRUE)
    target_link_libraries(${target} PRIVATE servokit::servokit servokit_warnings)
    if(variant STREQUAL "control")
      target_compile_definitions(${target} PRIVATE SERVOKIT_COMPILE_FAIL_CONTROL)
    endif()

    add_test(NAME ${test} COMMAND "${CMAKE_COMMAND}"
      "-DBUILD_DIR=${PROJECT_BINARY_DIR}" "-DCONFIG=$<CONFIG>" "-DTARGET=${target}"
      "-DSOURCE=${source}" "-DEXPECT=${expect}" -P "${CMAKE_CURRENT_LIST_FILE}")
    # Tests that build in this build tree take turns: two builds at once in one tree can trip
    # over each other's bookkeeping.
    set_tests_properties(${test} PROPERTIES
      LABELS compile_fail TIMEOUT 300 RESOURCE_LOCK servokit_build_tree)
  endforeach()
endforeach()

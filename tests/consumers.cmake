# Consumer projects: servokit used the three ways a user's CMake project can get it, each a tiny
# project under tests/consumers/<way>/ that is configured, built and run by a test.
#
#   consumer.add_subdirectory  adds this source tree with add_subdirectory
#   consumer.fetch_content     FetchContent_Declare(SOURCE_DIR <this tree>): no download
#   consumer.install           (fixture) `cmake --install` of this build into
#                              <build>/consumer-install
#   consumer.find_package      find_package(servokit CONFIG REQUIRED) from that prefix
#
# Each consumer compiles with strict warnings as errors, checks that servokit brought none of
# its tests, examples or benchmarks along, and must print the servokit version of this project.
#
# Run as a script (cmake -P, the block just below) this file does the steps a test needs beyond
# one command: a clean install, and running a consumer's program.

if(CMAKE_SCRIPT_MODE_FILE)
  if(MODE STREQUAL "install")
    # -DBUILD_DIR= -DPREFIX= -DCONFIG=: install the library part (headers, CMake package) into
    # an emptied prefix, so no file left over from an earlier install can stand in for a missing
    # one. The example programs are another component, not needed by a consumer.
    file(REMOVE_RECURSE "${PREFIX}")
    set(install_command "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
      --component servokit_Development)
    if(CONFIG)
      list(APPEND install_command --config "${CONFIG}")
    endif()
    execute_process(COMMAND ${install_command} COMMAND_ERROR_IS_FATAL ANY)
  elseif(MODE STREQUAL "run")
    # -DCONSUMER_BINARY_DIR= -DEXPECTED_OUTPUT=: run the consumer's program and check what it
    # prints, then make sure the consumer's build holds no servokit test or benchmark program.
    execute_process(COMMAND "${CONSUMER_BINARY_DIR}/consumer"
      OUTPUT_VARIABLE output OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
    message(STATUS "consumer printed: ${output}")
    if(NOT output STREQUAL EXPECTED_OUTPUT)
      message(FATAL_ERROR "the consumer printed '${output}', expected '${EXPECTED_OUTPUT}'")
    endif()
    file(GLOB_RECURSE strays LIST_DIRECTORIES false RELATIVE "${CONSUMER_BINARY_DIR}"
      "${CONSUMER_BINARY_DIR}/unit-*" "${CONSUMER_BINARY_DIR}/integration-*"
      "${CONSUMER_BINARY_DIR}/bench-*")
    if(strays)
      message(FATAL_ERROR "the consumer's build holds servokit's own programs: ${strays}")
    endif()
  else()
    message(FATAL_ERROR "consumers.cmake: unknown MODE '${MODE}'")
  endif()
  return()
endif()

# --- configure mode: register the consumer tests ------------------------------------------------

set(consumer_install_prefix "${PROJECT_BINARY_DIR}/consumer-install")

# Build each consumer the way this tree is built: same generator, compiler and build type.
set(consumer_generator_options --build-generator "${CMAKE_GENERATOR}")
if(CMAKE_GENERATOR_PLATFORM)
  list(APPEND consumer_generator_options --build-generator-platform "${CMAKE_GENERATOR_PLATFORM}")
endif()
if(CMAKE_GENERATOR_TOOLSET)
  list(APPEND consumer_generator_options --build-generator-toolset "${CMAKE_GENERATOR_TOOLSET}")
endif()
if(CMAKE_MAKE_PROGRAM)
  list(APPEND consumer_generator_options --build-makeprogram "${CMAKE_MAKE_PROGRAM}")
endif()
set(consumer_cmake_options
  "-DCMAKE_BUILD_TYPE=$<CONFIG>"
  "-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}"
  "-DSERVOKIT_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
  "-DSERVOKIT_EXPECTED_VERSION=${PROJECT_VERSION}"
  "-DSERVOKIT_EXPECTED_PREFIX=${consumer_install_prefix}"
  "-DCMAKE_PREFIX_PATH=${consumer_install_prefix}")
if(CMAKE_CXX_COMPILER_LAUNCHER)
  list(APPEND consumer_cmake_options "-DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}")
endif()

function(servokit_add_consumer_test way)
  set(source_dir "${CMAKE_CURRENT_SOURCE_DIR}/consumers/${way}")
  set(binary_dir "${CMAKE_CURRENT_BINARY_DIR}/consumers/${way}")
  add_test(NAME consumer.${way}
    COMMAND "${CMAKE_CTEST_COMMAND}"
      --build-and-test "${source_dir}" "${binary_dir}"
      ${consumer_generator_options}
      --build-project servokit_consumer_${way}
      --build-options ${consumer_cmake_options}
      --test-command "${CMAKE_COMMAND}" -DMODE=run "-DCONSUMER_BINARY_DIR=${binary_dir}"
        "-DEXPECTED_OUTPUT=consumer (${way}) sees servokit version ${PROJECT_VERSION}"
        -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}")
  set_tests_properties(consumer.${way} PROPERTIES LABELS consumer TIMEOUT 600 ${ARGN})
endfunction()

servokit_add_consumer_test(add_subdirectory)
servokit_add_consumer_test(fetch_content)

if(SERVOKIT_INSTALL)
  add_test(NAME consumer.install
    COMMAND "${CMAKE_COMMAND}" -DMODE=install "-DBUILD_DIR=${PROJECT_BINARY_DIR}"
      "-DPREFIX=${consumer_install_prefix}" "-DCONFIG=$<CONFIG>" -P "${CMAKE_CURRENT_LIST_FILE}")
  set_tests_properties(consumer.install PROPERTIES
    LABELS consumer TIMEOUT 300 FIXTURES_SETUP servokit_installed)
  servokit_add_consumer_test(find_package FIXTURES_REQUIRED servokit_installed)
endif()

# Settings for building servokit itself (tests, examples, benchmarks). Never applied to consumers.
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")
set(CMAKE_CXX_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# Warnings are errors for our own code only; the dependencies' headers come in as SYSTEM.
add_library(servokit_warnings INTERFACE)
target_compile_options(servokit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wno-missing-field-initializers -Werror)

set_property(GLOBAL PROPERTY SERVOKIT_EXAMPLE_PROGRAMS "")
if(SERVOKIT_BUILD_EXAMPLES)
  add_subdirectory(examples)
endif()
if(SERVOKIT_BUILD_TESTS)
  enable_testing()
  add_subdirectory(tests)
endif()
if(SERVOKIT_BUILD_BENCH)
  add_subdirectory(bench)
endif()

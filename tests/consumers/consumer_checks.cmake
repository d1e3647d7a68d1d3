# Checks shared by the consumer projects that pull servokit's source tree in as a subproject
# (add_subdirectory, FetchContent): a user gets the servokit target and nothing else.

# Fails the consumer's configure if servokit, added from `servokit_source_dir`, brought along its
# tests, examples or benchmarks, or if its headers are not SYSTEM for the consumer.
function(servokit_check_subproject servokit_source_dir)
  get_property(subdirectories DIRECTORY "${servokit_source_dir}" PROPERTY SUBDIRECTORIES)
  if(subdirectories)
    message(FATAL_ERROR "servokit added its own subdirectories to a consumer's build "
      "(${subdirectories}): its tests, examples and benchmarks must be off by default when it is "
      "not the top-level project")
  endif()

  get_property(targets DIRECTORY "${servokit_source_dir}" PROPERTY BUILDSYSTEM_TARGETS)
  set(development_targets
    "^(unit-|integration-|test-|bench-|compile_fail|header_|servokit_test_main$|servokit_warnings$)"
  )
  foreach(target IN LISTS targets)
    if(target MATCHES "${development_targets}")
      message(FATAL_ERROR "servokit defined its development target '${target}' in a consumer")
    endif()
  endforeach()
  if(NOT TARGET servokit::servokit)
    message(FATAL_ERROR "servokit did not define servokit::servokit")
  endif()

  # A consumer compiles with its own warnings; servokit's headers must not add to them.
  get_target_property(system_includes servokit INTERFACE_SYSTEM_INCLUDE_DIRECTORIES)
  if(NOT system_includes)
    message(FATAL_ERROR "servokit's include directory is not SYSTEM when servokit is a subproject")
  endif()
endfunction()

# Strict warnings, as errors, for the consumer's own code: servokit's headers, coming in as SYSTEM
# (or as an imported target's), must compile cleanly under any user's warning flags.
function(servokit_consumer_program target)
  add_executable(${target} ${ARGN})
  target_link_libraries(${target} PRIVATE servokit::servokit)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror)
endfunction()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(servokit_cmake_dir "${CMAKE_INSTALL_DATADIR}/cmake/servokit")

install(DIRECTORY include/ DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT servokit_Development)
# The single header beside them, in the tree layout of the repository's single_include/: a build
# without CMake adds -I<includedir>/servokit-single and includes <servokit/servokit.hpp>.
install(FILES single_include/servokit/servokit.hpp
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/servokit-single/servokit" COMPONENT servokit_Development)
install(TARGETS servokit EXPORT servokitTargets COMPONENT servokit_Development)
install(EXPORT servokitTargets
  NAMESPACE servokit::
  DESTINATION "${servokit_cmake_dir}"
  COMPONENT servokit_Development)

configure_package_config_file(cmake/servokitConfig.cmake.in
  "${PROJECT_BINARY_DIR}/servokitConfig.cmake"
  INSTALL_DESTINATION "${servokit_cmake_dir}")
# A header-only library has no ABI: any 64- or 32-bit consumer may use it.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/servokitConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/servokitConfig.cmake"
  "${PROJECT_BINARY_DIR}/servokitConfigVersion.cmake"
  DESTINATION "${servokit_cmake_dir}"
  COMPONENT servokit_Development)

get_property(servokit_example_programs GLOBAL PROPERTY SERVOKIT_EXAMPLE_PROGRAMS)
if(servokit_example_programs)
  install(TARGETS ${servokit_example_programs} RUNTIME COMPONENT servokit_Runtime)
endif()

include(cmake/packaging.cmake)

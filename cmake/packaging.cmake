# Debian packages, made by `cpack -G DEB` in a build directory (the `package` workflow preset
# configures a Release build of the programs only and runs it):
#
#   servokit-dev  (all)    the headers, the single header and the CMake package files; depends on
#                          the -dev packages servokit's headers include.
#   servokit      (amd64)  the programs of <build>/bin and their man pages (help2man, from --help).
#                          Its dependencies are what dpkg-shlibdeps finds the programs linked to,
#                          plus libcurl4, which the HTTP programs load with dlopen only when a URL
#                          needs it (dpkg-shlibdeps cannot see that).
#
# Included from install-rules.cmake, after the install() rules of both components.

# --- man pages ----------------------------------------------------------------------------------
# One per program, written by help2man from the program's own --help, so the page never drifts
# from the program. help2man is a Debian package (tools/install-deps.sh); without it the programs
# are packaged without pages and configure says so.
find_program(SERVOKIT_HELP2MAN help2man)
get_property(servokit_packaged_programs GLOBAL PROPERTY SERVOKIT_EXAMPLE_PROGRAMS)
if(SERVOKIT_HELP2MAN AND servokit_packaged_programs)
  # The NAME line of each page. A program not listed gets a generic one.
  set(summary_servokit-servo "the Optune servo agent: runs a servo directory's drivers for the optimization backend")
  set(summary_servokit-batch "adjust and measure driver for batch jobs (servo-batch)")
  set(summary_servokit-exec "measure driver that runs programs, shell commands and HTTP requests around a measurement (servo-exec)")
  set(summary_servokit-host "measure driver for the host: CPU utilization, load average, memory available")
  set(summary_servokit-agg "adjust driver made of the adjust drivers in ./adjust.d (servo-agg)")
  set(summary_servokit-magg "measure driver made of the measure drivers in ./measure.d (servo-magg)")
  set(summary_servokit-optimizer "local optimization backend over HTTP for Optune servo agents")
  set(summary_servokit-check "checks Optune servo drivers in any language against the protocol")
  # servokit-batch is both kinds of driver and refuses to guess which: its help is per role.
  set(help_servokit-batch "--role adjust --help")

  set(man_dir "${PROJECT_BINARY_DIR}/man/man1")
  set(man_pages "")
  foreach(program IN LISTS servokit_packaged_programs)
    set(page "${man_dir}/${program}.1.gz")
    if(NOT DEFINED summary_${program})
      set(summary_${program} "a program of servokit")
    endif()
    if(NOT DEFINED help_${program})
      set(help_${program} "--help")
    endif()
    add_custom_command(OUTPUT "${page}"
      COMMAND "${CMAKE_COMMAND}" "-DHELP2MAN=${SERVOKIT_HELP2MAN}" "-DPROGRAM=$<TARGET_FILE:${program}>"
        "-DNAME=${summary_${program}}" "-DHELP_OPTION=${help_${program}}"
        "-DVERSION=${PROJECT_VERSION}" "-DOUTPUT=${page}"
        -P "${PROJECT_SOURCE_DIR}/cmake/man-page.cmake"
      DEPENDS ${program} "${PROJECT_SOURCE_DIR}/cmake/man-page.cmake"
      COMMENT "Man page of ${program} from its --help"
      VERBATIM)
    list(APPEND man_pages "${page}")
  endforeach()
  add_custom_target(servokit_man_pages ALL DEPENDS ${man_pages})
  install(FILES ${man_pages} DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT servokit_Runtime)
elseif(servokit_packaged_programs)
  message(STATUS "servokit: help2man not found; the programs are installed without man pages")
endif()

# --- CPack ---------------------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME servokit)
set(CPACK_PACKAGE_VENDOR "servokit")
set(CPACK_PACKAGE_CONTACT "servokit maintainers <servokit@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL servokit_Development servokit_Runtime)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)            # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_SERVOKIT_DEVELOPMENT_PACKAGE_NAME servokit-dev)
set(CPACK_DEBIAN_SERVOKIT_DEVELOPMENT_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_SERVOKIT_DEVELOPMENT_PACKAGE_SECTION libdevel)
# What the headers include and servokitConfig.cmake finds (cmake/dependencies.cmake), as packages.
set(CPACK_DEBIAN_SERVOKIT_DEVELOPMENT_PACKAGE_DEPENDS
  "libboost-dev (>= 1.74), libsimdjson-dev (>= 3.0), libyaml-cpp-dev (>= 0.7), libcurl4-openssl-dev | libcurl-dev, libmuparser-dev, libsqlite3-dev, libeigen3-dev, libnlopt-dev, libpq-dev, libcpp-httplib-dev, pkgconf | pkg-config")
set(CPACK_COMPONENT_SERVOKIT_DEVELOPMENT_DESCRIPTION
  "Header-only C++20 toolkit for Optune servo programs (development files)\n servokit's headers, its single-header edition and its CMake package:\n find_package(servokit CONFIG REQUIRED), then link servokit::servokit.")

set(CPACK_DEBIAN_SERVOKIT_RUNTIME_PACKAGE_NAME servokit)
set(CPACK_DEBIAN_SERVOKIT_RUNTIME_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_SERVOKIT_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_SERVOKIT_RUNTIME_PACKAGE_DEPENDS "libcurl4 (>= 7.74)")
set(CPACK_DEBIAN_SERVOKIT_RUNTIME_PACKAGE_SUGGESTS "gnuplot-nox")
set(CPACK_COMPONENT_SERVOKIT_RUNTIME_DESCRIPTION
  "Optune servo agent, drivers and local optimizer built with servokit\n servokit-servo (the agent), the adjust and measure drivers servokit-batch,\n servokit-exec, servokit-host, the aggregators servokit-agg and servokit-magg,\n and servokit-optimizer, a local optimization backend over HTTP.")

include(CPack)

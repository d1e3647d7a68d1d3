# Every dependency comes from a Debian 12 package (see tools/install-deps.sh).
# The same list, as find_dependency calls, is in servokitConfig.cmake.in: keep them together.
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)            # Hana is header-only: libboost-dev
find_package(simdjson 3.0 REQUIRED)          # libsimdjson-dev
find_package(yaml-cpp 0.7 REQUIRED)          # libyaml-cpp-dev
find_package(CURL 7.74 REQUIRED)             # libcurl4-openssl-dev: http/
find_package(SQLite3 REQUIRED)               # libsqlite3-dev: the local backend's study
find_package(Eigen3 3.4 REQUIRED NO_MODULE)  # libeigen3-dev: optimize/'s Gaussian process (header-only)
find_package(NLopt 2.7 REQUIRED)             # libnlopt-dev: optimize/'s likelihood maximization (L-BFGS)
# muparser (libmuparser-dev) ships a pkg-config file only.
find_package(PkgConfig REQUIRED)
pkg_check_modules(muparser REQUIRED IMPORTED_TARGET GLOBAL muparser)
# libpq (libpq-dev): PostgreSQL studies (backend/postgres*.hpp), linked only into the programs
# that use them. Required to build servokit's own tests and servokit-optimizer.
pkg_check_modules(libpq IMPORTED_TARGET GLOBAL libpq)
if(PROJECT_IS_TOP_LEVEL AND NOT libpq_FOUND)
  message(FATAL_ERROR "libpq not found: install libpq-dev (tools/install-deps.sh)")
endif()

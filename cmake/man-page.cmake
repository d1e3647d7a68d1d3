# cmake -DHELP2MAN= -DPROGRAM= -DNAME= -DHELP_OPTION= -DVERSION= -DOUTPUT= -P man-page.cmake
# Writes OUTPUT (<program>.1.gz): help2man's page made from `PROGRAM HELP_OPTION` (--help), with
# NAME as the one-line summary, gzipped as Debian wants.
# The version is given, not asked for: a driver's --version prints the protocol's JSON.
get_filename_component(output_dir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${output_dir}")
string(REGEX REPLACE "\\.gz$" "" page "${OUTPUT}")
execute_process(
  COMMAND "${HELP2MAN}" --no-info --no-discard-stderr "--version-string=${VERSION}"
    "--help-option=${HELP_OPTION}" "--name=${NAME}" --output "${page}" "${PROGRAM}"
  RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "help2man could not make the page of ${PROGRAM} from its --help: ${errors}")
endif()
file(READ "${page}" text)
if(NOT text MATCHES "\\.SH DESCRIPTION" OR text MATCHES "\"status\":\"(failed|bad)")
  message(FATAL_ERROR "${page}: no usable help from `${PROGRAM} ${HELP_OPTION}` (no DESCRIPTION, or "
    "it printed a failure line)")
endif()
execute_process(COMMAND gzip -9nf "${page}" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "gzip could not compress ${page}")
endif()

#pragma once
/// \file
/// libcurl's process-wide initialization, done once and thread-safely before the first handle.

#include <curl/curl.h>

#include <string>

#include <servokit/http/request.hpp>

namespace servokit::http::detail {

/// Calls curl_global_init exactly once per process (a function-local static: the first caller
/// initializes, concurrent callers wait), before any handle exists. Never undone: libcurl's
/// global state lives until the process ends, which is cheaper and safer than a cleanup that
/// must race no other thread. Throws `http_error` when libcurl cannot initialize.
inline void ensure_curl_initialized() {
  static const CURLcode initialized = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (initialized != CURLE_OK) {
    throw http_error(error_kind::other, std::string("cannot initialize libcurl: ") + curl_easy_strerror(initialized));
  }
}

}  // namespace servokit::http::detail

#pragma once
/// \file
/// The libcurl functions the HTTP layer calls, bound once per process, and libcurl's global
/// initialization, done once and thread-safely before the first handle.
///
/// By default they are the linked functions. A program that starts often and rarely speaks HTTP
/// (a driver whose `--info` must be as fast as a bare exec) defines
/// `SERVOKIT_HTTP_LOAD_LIBCURL_AT_RUNTIME` for all of its sources and links without libcurl:
/// libcurl.so.4 and its thirty-odd dependencies (OpenSSL, Kerberos, LDAP...) are then loaded with
/// dlopen at the first HTTP client, not at every start.

#include <curl/curl.h>

#if defined(SERVOKIT_HTTP_LOAD_LIBCURL_AT_RUNTIME)
#include <dlfcn.h>
#endif

#include <string>
#include <type_traits>

#include <servokit/http/request.hpp>

namespace servokit::http::detail {

/// The libcurl entry points in use.
struct libcurl_functions {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_multi_strerror) multi_strerror = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_multi_init) multi_init = nullptr;
  decltype(&::curl_multi_setopt) multi_setopt = nullptr;
  decltype(&::curl_multi_add_handle) multi_add_handle = nullptr;
  decltype(&::curl_multi_remove_handle) multi_remove_handle = nullptr;
  decltype(&::curl_multi_cleanup) multi_cleanup = nullptr;
  decltype(&::curl_multi_socket_action) multi_socket_action = nullptr;
  decltype(&::curl_multi_info_read) multi_info_read = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
};

/// Binds the functions (loading libcurl.so.4 when so configured) and calls curl_global_init.
inline libcurl_functions bind_libcurl() {
  libcurl_functions bound;
#if defined(SERVOKIT_HTTP_LOAD_LIBCURL_AT_RUNTIME)
  // Never closed: libcurl's global state lives until the process ends.
  void* library = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = ::dlerror();
    throw http_error(error_kind::other, std::string("cannot load libcurl (libcurl.so.4): ") + (reason ? reason : "unknown error"));
  }
  const auto bind = [library](auto& function, const char* name) {
    void* found = ::dlsym(library, name);
    if (found == nullptr) throw http_error(error_kind::other, std::string("libcurl.so.4 has no ") + name);
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(found);
  };
#define SERVOKIT_HTTP_BIND(member, name) bind(bound.member, #name)
#else
#define SERVOKIT_HTTP_BIND(member, name) bound.member = &::name
#endif
  SERVOKIT_HTTP_BIND(global_init, curl_global_init);
  SERVOKIT_HTTP_BIND(easy_strerror, curl_easy_strerror);
  SERVOKIT_HTTP_BIND(multi_strerror, curl_multi_strerror);
  SERVOKIT_HTTP_BIND(easy_init, curl_easy_init);
  SERVOKIT_HTTP_BIND(easy_setopt, curl_easy_setopt);
  SERVOKIT_HTTP_BIND(easy_getinfo, curl_easy_getinfo);
  SERVOKIT_HTTP_BIND(easy_cleanup, curl_easy_cleanup);
  SERVOKIT_HTTP_BIND(multi_init, curl_multi_init);
  SERVOKIT_HTTP_BIND(multi_setopt, curl_multi_setopt);
  SERVOKIT_HTTP_BIND(multi_add_handle, curl_multi_add_handle);
  SERVOKIT_HTTP_BIND(multi_remove_handle, curl_multi_remove_handle);
  SERVOKIT_HTTP_BIND(multi_cleanup, curl_multi_cleanup);
  SERVOKIT_HTTP_BIND(multi_socket_action, curl_multi_socket_action);
  SERVOKIT_HTTP_BIND(multi_info_read, curl_multi_info_read);
  SERVOKIT_HTTP_BIND(slist_append, curl_slist_append);
  SERVOKIT_HTTP_BIND(slist_free_all, curl_slist_free_all);
#undef SERVOKIT_HTTP_BIND
  if (const CURLcode initialized = bound.global_init(CURL_GLOBAL_DEFAULT); initialized != CURLE_OK) {
    throw http_error(error_kind::other, std::string("cannot initialize libcurl: ") + bound.easy_strerror(initialized));
  }
  return bound;
}

/// The bound functions. The first call binds them and runs curl_global_init, exactly once per
/// process (a function-local static: concurrent first callers wait for it); libcurl's global
/// state is never cleaned up, which is cheaper and safer than a cleanup racing other threads.
/// Throws `http_error` when libcurl cannot be loaded or initialized (a later call tries again).
inline const libcurl_functions& libcurl() {
  static const libcurl_functions bound = bind_libcurl();
  return bound;
}

}  // namespace servokit::http::detail

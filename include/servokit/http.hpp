#pragma once
/// \file
/// The HTTP layer (servokit::http): an HTTP client on libcurl for the programs of a servo:
/// servo-exec's `request` tasks and the agent's connection to the backend.
///
/// ```
/// http::client http;                                     // blocking, keeps connections alive
/// http::response got = http.perform({.url = "http://127.0.0.1:8080/health"}, stop);
///
/// process::event_loop loop;                              // or together with child processes
/// http::async_client requests(loop);
/// requests.start({.method = "POST", .url = hook, .body = "{}"}, [](http::result r) { ... });
/// ```
///
/// The decisions a user may need to know:
/// - libcurl's multi interface does the work; `async_client` registers its sockets and timer
///   with a `process::event_loop`, `client` is the same on a private loop. curl_global_init runs
///   once per process, thread-safely, before the first handle.
/// - Proxies come from `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy`, as libcurl reads
///   them by default; nothing here overrides that. Only http and https URLs are followed.
/// - Timeouts: `connect_timeout` until the connection (TLS included) is up, then `idle_timeout`
///   for any stretch without a byte sent or received (measured on the loop, to the millisecond),
///   and an optional `total_timeout`.
/// - Memory is bounded: a body beyond `max_response_bytes` or headers beyond 256 KiB fail the
///   exchange with `error_kind::too_large`.
/// - Every socket is close-on-exec (libcurl's own wake-up pair included): nothing leaks into a
///   child or into the program after an exec.
/// - `SERVOKIT_HTTP_LOAD_LIBCURL_AT_RUNTIME` (defined for a whole program, which then links without
///   libcurl) loads libcurl.so.4 with dlopen at the first client instead of at every start; see
///   `http/libcurl.hpp`.
/// - Every error message starts with the method and the URL without credentials
///   (`redact_url`) and gives libcurl's reason; no header value (Authorization included) ever
///   appears in one.

#include <servokit/http/async_client.hpp>
#include <servokit/http/client.hpp>
#include <servokit/http/request.hpp>
#include <servokit/http/retry_after.hpp>
#include <servokit/http/url.hpp>

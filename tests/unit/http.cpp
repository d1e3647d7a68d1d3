// The HTTP layer (servokit::http) against a real server on 127.0.0.1
// (tests/support/http_test_server.py): methods, headers, bodies, status codes, every timeout,
// the size cap, cancel, keep-alive, proxies from the environment, TLS verification, and
// transfers sharing an event loop with child processes.

#include <doctest/doctest.h>

#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <servokit/http.hpp>
#include <servokit/process.hpp>

#include "http_server.hpp"
#include "temp_dir.hpp"

namespace http = servokit::http;
namespace process = servokit::process;
using namespace std::chrono_literals;
using servokit_test::http_test_server;

namespace {

using clock_type = std::chrono::steady_clock;

/// Sets an environment variable for one scope (proxy settings), restoring it after.
class scoped_variable {
 public:
  scoped_variable(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;
    if (value) ::setenv(name, value, 1); else ::unsetenv(name);
  }
  ~scoped_variable() {
    if (previous_) ::setenv(name_.c_str(), previous_->c_str(), 1); else ::unsetenv(name_.c_str());
  }
  scoped_variable(const scoped_variable&) = delete;
  scoped_variable& operator=(const scoped_variable&) = delete;

 private:
  std::string name_;
  std::optional<std::string> previous_;
};

/// Runs `call`, which must throw http_error, and returns it.
template <class Call>
http::http_error expect_error(Call&& call) {
  try {
    call();
  } catch (const http::http_error& failure) {
    return failure;
  }
  FAIL("no http_error was thrown");
  return http::http_error(http::error_kind::other, "unreachable");
}

/// A port nothing listens on: bound, then closed.
int closed_port() {
  http_test_server briefly;
  return briefly.port();
}

/// The proxy variables of the machine running the tests must not reroute 127.0.0.1.
struct no_proxy_from_the_machine {
  scoped_variable http{"http_proxy", nullptr}, https{"https_proxy", nullptr}, all{"all_proxy", nullptr},
      upper_https{"HTTPS_PROXY", nullptr}, upper_all{"ALL_PROXY", nullptr}, none{"no_proxy", nullptr},
      upper_none{"NO_PROXY", nullptr};
};

}  // namespace

TEST_CASE("redact_url removes user and password, and nothing else") {
  CHECK(http::redact_url("https://user:secret@api.example.com:443/a/b?x=1") == "https://api.example.com:443/a/b?x=1");
  CHECK(http::redact_url("http://token@host/") == "http://host/");
  CHECK(http::redact_url("http://host/path@with-at") == "http://host/path@with-at");
  CHECK(http::redact_url("http://host/?q=a@b") == "http://host/?q=a@b");
  CHECK(http::redact_url("user:pw@host:80") == "host:80");
  CHECK(http::redact_url("") == "");
  CHECK(http::redact_urls_in("Could not connect via http://u:p@proxy:3128 to https://a:b@c/d") ==
        "Could not connect via http://proxy:3128 to https://c/d");
}

TEST_CASE("client: GET, POST, PUT, HEAD with headers and bodies, any status is a response") {
  no_proxy_from_the_machine isolated;
  http_test_server server;
  http::client client;

  SUBCASE("GET returns status, headers and body") {
    const http::response got = client.perform({.url = server.url("/status/203")});
    CHECK(got.status == 203);
    CHECK(got.body == "status 203");
    REQUIRE(got.header("content-type"));
    CHECK(*got.header("CONTENT-TYPE") == "text/plain");
  }
  SUBCASE("a 500 is a response, not an error") {
    CHECK(client.perform({.url = server.url("/status/500")}).status == 500);
  }
  SUBCASE("POST sends its body and headers; no form content type or Expect is made up") {
    http::request post{.method = "POST", .url = server.url("/echo"), .body = std::string(5000, 'b')};
    post.headers = {{"X-Servokit", "yes"}, {"X-Empty", ""}};
    const http::response got = client.perform(post);
    REQUIRE(got.status == 200);
    CHECK(got.body.find("\"method\": \"POST\"") != std::string::npos);
    CHECK(got.body.find("\"x-servokit\": \"yes\"") != std::string::npos);
    CHECK(got.body.find("\"x-empty\": \"\"") != std::string::npos);
    CHECK(got.body.find("\"body\": \"" + std::string(5000, 'b') + "\"") != std::string::npos);
    CHECK(got.body.find("content-type") == std::string::npos);
    CHECK(got.body.find("expect") == std::string::npos);
    CHECK(got.body.find("\"user-agent\": \"servokit/") != std::string::npos);
  }
  SUBCASE("PUT without a body says Content-Length 0; a custom method goes as is") {
    const http::response put = client.perform({.method = "PUT", .url = server.url("/echo")});
    CHECK(put.body.find("\"method\": \"PUT\"") != std::string::npos);
    CHECK(put.body.find("\"content-length\": \"0\"") != std::string::npos);
    const http::response patch =
        client.perform({.method = "PATCH", .url = server.url("/echo"), .headers = {{"Content-Type", "application/json"}}, .body = "{}"});
    CHECK(patch.body.find("\"method\": \"PATCH\"") != std::string::npos);
    CHECK(patch.body.find("\"content-type\": \"application/json\"") != std::string::npos);
  }
  SUBCASE("HEAD has headers and no body") {
    const http::response head = client.perform({.method = "HEAD", .url = server.url("/status/200")});
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.header("Content-Length"));
  }
  SUBCASE("redirects are followed only when asked") {
    const std::string redirect = server.url("/redirect?to=/status/201");
    CHECK(client.perform({.url = redirect}).status == 302);
    CHECK(client.perform({.url = redirect, .follow_redirects = true}).status == 201);
  }
}

TEST_CASE("client: connections are kept alive between calls") {
  no_proxy_from_the_machine isolated;
  http_test_server server;
  http::client client;
  const auto connections = [&] { return std::stoi(client.perform({.url = server.url("/connections")}).body); };
  const int before = connections();
  for (int i = 0; i < 5; ++i) CHECK(client.perform({.url = server.url("/status/200")}).status == 200);
  CHECK(connections() == before);
}

TEST_CASE("errors: connection refused, idle and total timeouts, size cap; messages keep secrets out") {
  no_proxy_from_the_machine isolated;
  http::client client;

  SUBCASE("connection refused names the URL without credentials and no header value") {
    const int port = closed_port();
    http::request sent{.method = "POST", .url = "http://alice:s3cret@127.0.0.1:" + std::to_string(port) + "/hook"};
    sent.headers = {{"Authorization", "Bearer token-value-42"}};
    const auto failure = expect_error([&] { client.perform(sent); });
    CHECK(failure.kind() == http::error_kind::connect);
    const std::string message = failure.what();
    CHECK(message.starts_with("POST http://127.0.0.1:" + std::to_string(port) + "/hook: "));
    CHECK(message.find("s3cret") == std::string::npos);
    CHECK(message.find("alice") == std::string::npos);
    CHECK(message.find("token-value-42") == std::string::npos);
    CHECK(message.find("onnect") != std::string::npos);   // curl's reason
  }

  http_test_server server;
  SUBCASE("a server that never answers fails at the idle timeout") {
    const auto started = clock_type::now();
    const auto failure = expect_error([&] { client.perform({.url = server.url("/hang"), .idle_timeout = 300ms}); });
    CHECK(failure.kind() == http::error_kind::timeout);
    CHECK(std::string(failure.what()).find("idle timeout") != std::string::npos);
    CHECK(clock_type::now() - started >= 300ms);
    CHECK(clock_type::now() - started < 10s);
  }
  SUBCASE("bytes that keep coming keep the exchange alive past the idle timeout") {
    const http::response got =
        client.perform({.url = server.url("/trickle?count=6&every_ms=150"), .idle_timeout = 1000ms});
    CHECK(got.body == "tttttt");
  }
  SUBCASE("the total timeout ends a slow exchange") {
    const auto failure =
        expect_error([&] { client.perform({.url = server.url("/slow?ms=5000"), .total_timeout = 300ms}); });
    CHECK(failure.kind() == http::error_kind::timeout);
  }
  SUBCASE("a body beyond the cap fails, with or without Content-Length") {
    auto failure = expect_error([&] { client.perform({.url = server.url("/big?bytes=100000"), .max_response_bytes = 1000}); });
    CHECK(failure.kind() == http::error_kind::too_large);
    CHECK(std::string(failure.what()).find("larger than 1000 bytes") != std::string::npos);
    failure = expect_error(
        [&] { client.perform({.url = server.url("/big?bytes=3000000&chunked=1"), .max_response_bytes = 100000}); });
    CHECK(failure.kind() == http::error_kind::too_large);
    CHECK(client.perform({.url = server.url("/big?bytes=1000"), .max_response_bytes = 1000}).body.size() == 1000);
  }
  SUBCASE("a header with a line break is refused before anything is sent, without quoting it") {
    http::request sent{.url = server.url("/echo")};
    sent.headers = {{"X-Token", "abc\r\nX-Injected: 1"}};
    const auto failure = expect_error([&] { client.perform(sent); });
    CHECK(failure.kind() == http::error_kind::other);
    CHECK(std::string(failure.what()).find("abc") == std::string::npos);
  }
  SUBCASE("only http and https") {
    const auto failure = expect_error([&] { client.perform({.url = "file:///etc/passwd"}); });
    CHECK(failure.kind() == http::error_kind::other);
  }
}

TEST_CASE("cancel: a stop request ends a hanging exchange at once") {
  no_proxy_from_the_machine isolated;
  http_test_server server;
  http::client client;

  SUBCASE("from another thread, mid-transfer") {
    std::stop_source stop;
    std::thread canceller([&] {
      std::this_thread::sleep_for(200ms);
      stop.request_stop();
    });
    const auto started = clock_type::now();
    const auto failure = expect_error([&] { client.perform({.url = server.url("/hang")}, stop.get_token()); });
    canceller.join();
    CHECK(failure.kind() == http::error_kind::canceled);
    CHECK(clock_type::now() - started < 5s);   // the idle timeout (10 s) did not end it
    // The client is still usable afterwards.
    CHECK(client.perform({.url = server.url("/status/200")}).status == 200);
  }
  SUBCASE("already stopped: nothing is sent") {
    std::stop_source stop;
    stop.request_stop();
    CHECK(expect_error([&] { client.perform({.url = server.url("/record/never")}, stop.get_token()); }).kind() ==
          http::error_kind::canceled);
    CHECK(client.perform({.url = server.url("/hits/never")}).body == "0");
  }
}

TEST_CASE("async_client: transfers and child processes on one event loop") {
  no_proxy_from_the_machine isolated;
  http_test_server server;
  process::event_loop loop;
  http::async_client requests(loop);

  std::vector<long> statuses;
  for (int i = 0; i < 10; ++i) {
    requests.start({.url = server.url("/slow?ms=300")}, [&](http::result done) { statuses.push_back(done.get().status); });
  }
  std::optional<http::result> hung;
  const auto hung_id = requests.start({.url = server.url("/hang")}, [&](http::result done) { hung = std::move(done); });
  process::child sleeper(loop, process::command{"/bin/sh", "-c", "sleep 0.2; echo slept"});

  const auto started = clock_type::now();
  loop.run_until([&] { return statuses.size() == 10 && sleeper.finished(); });
  CHECK(clock_type::now() - started < 10s);   // concurrent, not 10 x 300 ms in a row... generously
  CHECK(sleeper.result().out.text() == "slept\n");
  CHECK(std::all_of(statuses.begin(), statuses.end(), [](long status) { return status == 200; }));
  CHECK(requests.active() == 1);
  requests.cancel(hung_id);
  REQUIRE(hung);
  CHECK(hung->error->kind() == http::error_kind::canceled);
  CHECK(requests.active() == 0);
}

TEST_CASE("proxies come from the environment, and no_proxy is honoured") {
  no_proxy_from_the_machine isolated;
  http_test_server proxy;
  http_test_server target;
  http::client client;
  scoped_variable via("http_proxy", proxy.url().c_str());
  SUBCASE("through the proxy") {
    const http::response got = client.perform({.url = target.url("/status/200")});
    CHECK(got.body == "proxied " + target.url("/status/200"));
  }
  SUBCASE("no_proxy sends it direct") {
    scoped_variable direct("no_proxy", "127.0.0.1");
    CHECK(client.perform({.url = target.url("/status/200")}).body == "status 200");
  }
}

TEST_CASE("TLS: a self-signed certificate fails verification unless verify_tls is off") {
  no_proxy_from_the_machine isolated;
  servokit_test::temp_dir directory;
  const std::string key = (directory / "key.pem").string(), cert = (directory / "cert.pem").string();
  const auto made = process::run(process::command{"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                                                  "/CN=localhost", "-days", "1", "-keyout", key, "-out", cert});
  REQUIRE_MESSAGE(made.ok(), "openssl could not make a certificate: " << made.err.text());
  http_test_server server({"--tls", cert, key});
  http::client client;
  const auto failure = expect_error([&] { client.perform({.url = server.url("/status/200", "https")}); });
  CHECK(failure.kind() == http::error_kind::tls);
  const http::response got = client.perform({.url = server.url("/status/200", "https"), .verify_tls = false});
  CHECK(got.status == 200);
}

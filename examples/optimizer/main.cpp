// servokit-optimizer: the optimization backend over HTTP, on the Optune endpoint
// (`POST /accounts/{account}/applications/{app}/servo`), so that any agent speaking the servo
// protocol (the original Python servo, `servokit-servo --url`) optimizes against it. One study per
// app in one SQLite file or PostgreSQL database (which replicas of this server may share), the
// report of each app in DIR/<app>/. Several servos of one app (told apart by the envelope's
// `servo_uid`) run trials at once.
//
// Built to be left running next to production: every envelope field is checked before use, the
// token is checked before a body is read, new apps are capped, a request has a deadline, the
// queue of connections is bounded, and an exception in a session answers that request with an
// error without touching the others.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <httplib.h>

#include <servokit/backend/envelope.hpp>
#include <servokit/backend/options.hpp>
#include <servokit/dashboard/server.hpp>
#include <servokit/dashboard/sessions.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/text/token_file.hpp>
#include <servokit/version.hpp>

#include "app_sessions.hpp"
#include "connection_pool.hpp"
#include "dashboard_assets.hpp"

namespace {

namespace backend = servokit::backend;
using servokit_optimizer::log_line;

/// Compares without leaking, through timing, how much of the token a guess got right.
bool same_secret(std::string_view given, std::string_view expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % (expected.empty() ? 1 : expected.size())]);
  }
  return difference == 0 && !expected.empty();
}

/// The largest body taken: a MEASUREMENT with a driver's 2 MiB message and its logs fits.
constexpr std::size_t max_body = 16u << 20;

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"servokit-optimizer: the servo optimization backend over HTTP.\n"
               "Agents POST events to /accounts/{account}/applications/{app}/servo; each app gets its own\n"
               "study (resumed after a restart) and report. Example:\n"
               "  servokit-optimizer --listen 127.0.0.1:8080 --config config.yaml --report reports\n"
               "  servokit-servo --url http://127.0.0.1:8080/accounts/me/applications/web/servo --no-auth web",
               "servokit-optimizer"};
  std::string listen = "127.0.0.1:8080";
  std::optional<std::string> config_file;
  std::optional<std::string> config_directory;
  std::string study_file = "servokit-optimizer.sqlite";
  std::optional<std::string> report_directory;
  std::optional<std::string> token_file;
  std::optional<std::int64_t> budget_override;
  std::optional<std::int64_t> seed_override;
  std::size_t max_apps = 100;
  std::vector<std::string> allowed_apps;
  servokit_optimizer::pool_limits limits;
  double deadline_seconds = 30;
  cli.add_option("--listen", listen, "HOST:PORT to listen on (loopback unless told otherwise; port 0 picks one)")
      ->capture_default_str();
  cli.add_option("--config", config_file,
                 "config.yaml with the optimization: section (objective, budget, ...): every app's, or the\n"
                 "fallback of --config-dir");
  cli.add_option("--config-dir", config_directory,
                 "a directory of per-app configs: app APP reads DIR/APP.yaml when it exists, else --config")
      ->check(CLI::ExistingDirectory);
  cli.add_option("--study", study_file,
                 "where every app's study is kept: an SQLite file, or a PostgreSQL database that replicas of this "
                 "server share (postgresql://USER@HOST:PORT/DB)")
      ->capture_default_str();
  cli.add_option("--report", report_directory, "write each app's report to DIR/<app>/");
  cli.add_option("--auth-token", token_file, "refuse requests without 'Authorization: Bearer <the file's token>'");
  cli.add_option("--budget", budget_override, "trials per app, the baseline included (overrides the config)")
      ->check(CLI::PositiveNumber);
  cli.add_option("--seed", seed_override, "the optimizer's seed (overrides the config)")->check(CLI::NonNegativeNumber);
  cli.add_option("--max-apps", max_apps, "serve at most N apps; requests for more get 403, and no study or report")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--allow-app", allowed_apps, "serve only these apps (repeat the option, or separate with commas)")
      ->delimiter(',');
  cli.add_option("--threads", limits.threads, "connections served at once")->capture_default_str()->check(CLI::Range(1, 1024));
  cli.add_option("--queue", limits.queue, "accepted connections that may wait for a thread; beyond, 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  cli.add_option("--request-deadline", deadline_seconds,
                 "seconds a request may take, from the connection's accept (or its previous reply) to its\n"
                 "reply, the wait for a thread included; a slower connection is cut")
      ->capture_default_str();
  std::optional<std::string> dashboard_listen;
  cli.add_option("--dashboard", dashboard_listen,
                 "serve the dashboard (every study, live, in the browser) on HOST:PORT (PORT alone: loopback)");
  cli.set_version_flag("--version", std::string(servokit::version));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& failure) {
    return cli.exit(failure);
  }
  if (!config_file && !config_directory) {
    log_line("--config FILE or --config-dir DIR is required (the optimization: section is read from it)");
    return 2;
  }
  try {
    const double checked = servokit::checked_seconds(deadline_seconds, "--request-deadline");
    if (checked < 1) throw std::runtime_error("--request-deadline must be at least 1 second");
    limits.deadline = servokit::to_duration<std::chrono::milliseconds>(checked);
  } catch (const std::exception& failure) {
    log_line(failure.what());
    return 2;
  }
  for (const auto& app : allowed_apps) {
    if (!servokit_optimizer::valid_app_id(app)) {
      log_line("--allow-app " + app + ": an app id is 1-128 letters, digits, '.', '_' or '-', not starting with '.'");
      return 2;
    }
  }

  const auto colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      std::size_t used = 0;
      port = std::stoi(listen.substr(colon + 1), &used);
      if (used != listen.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
    log_line("--listen " + listen + ": expected HOST:PORT, e.g. 127.0.0.1:8080");
    return 2;
  }
  const std::string host = listen.substr(0, colon);
  std::optional<servokit::dashboard::listen_address> dashboard_address;
  if (dashboard_listen) {
    try {
      dashboard_address = servokit::dashboard::parse_listen_address(*dashboard_listen);
    } catch (const std::exception& failure) {
      log_line(std::string("--dashboard ") + failure.what());
      return 2;
    }
  }

  std::optional<servokit_optimizer::app_sessions> apps;
  std::string token;
  try {
    servokit_optimizer::app_policy policy;
    policy.config_file = config_file;
    if (config_directory) policy.config_directory = *config_directory;
    policy.overrides = {budget_override, seed_override, std::nullopt};
    // The fallback config is read once now, so that a mistake in it stops the server at once.
    if (config_file) backend::read_session_options(*config_file, "", policy.overrides);
    if (report_directory) policy.report_root = *report_directory;
    policy.max_apps = max_apps;
    policy.allowed.insert(allowed_apps.begin(), allowed_apps.end());
    if (token_file) token = servokit::read_token_file(*token_file);
    apps.emplace(std::move(policy), study_file);
  } catch (const std::exception& failure) {
    log_line(failure.what());
    return 1;
  }

  // SIGINT/SIGTERM stop the server from a thread of their own: a handler may not call stop().
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  servokit_optimizer::rate_limited_log noisy;
  // The token, checked from the headers alone: a request without it is answered before its body
  // is read (a 16 MiB body is never read for nothing), and its connection is closed.
  const auto authorized = [&token](const httplib::Request& request) {
    if (token.empty()) return true;
    const std::string given = request.get_header_value("Authorization");
    return given.rfind("Bearer ", 0) == 0 && same_secret(std::string_view(given).substr(7), token);
  };
  const auto refuse_unauthorized = [&](const httplib::Request& request, httplib::Response& response) {
    const bool none = request.get_header_value("Authorization").empty();
    noisy("401", "401 for " + request.path.substr(0, 200) + " from " + request.remote_addr + ": " +
                     (none ? "no Authorization header" : "wrong bearer token"));
    response.status = 401;
    response.set_header("WWW-Authenticate", "Bearer");
    response.set_header("Connection", "close");
    response.set_content(backend::status_reply("unauthorized", "a valid 'Authorization: Bearer <token>' header is required"),
                         "application/json");
  };
  const auto too_large = [](const httplib::Request& request) {
    const std::string length = request.get_header_value("Content-Length");
    if (length.empty()) return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(length.c_str(), &end, 10);
    return errno != 0 || end == length.c_str() || *end != '\0' || value > max_body;
  };
  const auto refuse_too_large = [](httplib::Response& response) {
    response.status = 413;
    response.set_header("Connection", "close");
    response.set_content(backend::status_reply("invalid", "the body is larger than " + std::to_string(max_body) + " bytes"),
                         "application/json");
  };

  std::atomic<servokit_optimizer::connection_pool*> pool{nullptr};
  httplib::Server http;
  http.set_payload_max_length(max_body);
  // Headers and body leave in separate writes: with Nagle's algorithm the body would wait for
  // the client's delayed ACK (40 ms on Linux) on every reply.
  http.set_tcp_nodelay(true);
  http.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(limits.read_timeout));
  http.set_write_timeout(std::chrono::seconds(5));
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(1000);
  http.set_pre_routing_handler([&](const httplib::Request& request, httplib::Response& response) {
    if (!authorized(request)) return refuse_unauthorized(request, response), httplib::Server::HandlerResponse::Handled;
    if (too_large(request)) return refuse_too_large(response), httplib::Server::HandlerResponse::Handled;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // A client that sends "Expect: 100-continue" (curl does, for large bodies) is told to go on by
  // httplib, and then refused by the handler above all the same, its body unread. (An
  // expect-100 handler that refused at once would be better, but httplib 0.11 writes that reply
  // without a Content-Length and keeps the connection, and the client waits for its end.)
  http.set_logger([&pool](const httplib::Request&, const httplib::Response&) {
    if (auto* serving = pool.load()) serving->request_answered();
  });
  http.set_exception_handler([](const httplib::Request& request, httplib::Response& response, std::exception_ptr) {
    log_line("an exception escaped the handler of " + request.path.substr(0, 200) + "; answered 500");
    response.status = 500;
    response.set_content(backend::status_reply("failed", "internal error in the backend"), "application/json");
  });
  http.Post(R"(/accounts/([^/]+)/applications/([^/]+)/servo)", [&](const httplib::Request& request,
                                                                  httplib::Response& response) {
    const auto answer = [&](int status, const std::string& body) {
      response.status = status;
      response.set_content(body, "application/json");
    };
    try {
      const std::string app = request.matches[2];
      if (!servokit_optimizer::valid_app_id(app)) {
        return answer(400, backend::status_reply("invalid", "the app id must be 1-128 letters, digits, '.', '_' or '-', not starting with '.'"));
      }
      backend::envelope envelope;
      try {
        envelope = backend::read_envelope(request.body);
      } catch (const backend::envelope_error& malformed) {
        noisy("400", "400 for app " + app + " from " + request.remote_addr + ": " + malformed.what());
        return answer(400, backend::status_reply("invalid", malformed.what()));
      }
      const auto result = apps->handle(app, envelope);
      if (result.retry_after > 0) response.set_header("Retry-After", std::to_string(result.retry_after));
      answer(result.status, result.body);
    } catch (const std::exception& failure) {
      // Never "ok" for what was not done, and never the end of the server.
      log_line("500 for " + request.path.substr(0, 200) + ": " + failure.what());
      answer(500, backend::status_reply("failed", std::string("the backend failed: ") + failure.what()));
    }
  });

  const int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    log_line("cannot listen on " + listen + ": " + std::strerror(errno));
    return 1;
  }
  http.new_task_queue = [&pool, &noisy, limits, bound] {
    auto* created = new servokit_optimizer::connection_pool(
        limits, bound, [&noisy](const std::string& kind, const std::string& line) { noisy(kind, line); });
    pool = created;
    return created;
  };
  std::printf("servokit-optimizer: listening on http://%s:%d/accounts/{account}/applications/{app}/servo\n",
              host.c_str(), bound);

  // The dashboard: its own port and thread, the same token rule as the servo endpoint.
  std::optional<servokit::dashboard::session_source> dashboard_studies;
  std::optional<servokit::dashboard::server> dashboard;
  if (dashboard_address) {
    try {
      const auto& address = *dashboard_address;
      dashboard_studies.emplace(&apps->study());
      apps->show_on(*dashboard_studies);
      dashboard.emplace(*dashboard_studies, servokit_dashboard_assets(), token);
      dashboard->start(address);
      std::printf("servokit-optimizer: dashboard on %s\n", dashboard->url().c_str());
      if (const auto warning = servokit::dashboard::exposure_warning(address, token)) log_line(*warning);
    } catch (const std::exception& failure) {
      log_line(std::string("--dashboard ") + *dashboard_listen + ": " + failure.what());
      return 1;
    }
  }
  std::fflush(stdout);

  std::atomic<bool> stopping{false};
  std::thread stopper([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    stopping = true;
    log_line(std::string("stopping on ") + (received == SIGINT ? "SIGINT" : received == SIGTERM ? "SIGTERM" : "a signal"));
    http.stop();
  });
  const bool served = http.listen_after_bind();
  pool = nullptr;   // httplib deleted it
  if (!stopping) {
    log_line("the server stopped accepting connections");
    pthread_kill(stopper.native_handle(), SIGTERM);   // wakes the stopper's sigwait
  }
  stopper.join();
  // A plot being drawn is cancelled, the queued ones skipped: a stop does not wait for gnuplot.
  apps->plotter().stop(/*draw_queued=*/false);
  return served || stopping ? 0 : 1;
}

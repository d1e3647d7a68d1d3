// servokit-servo: the Optune servo agent. Run in a servo directory (./adjust, ./measure,
// ./config.yaml, optionally ./environment), it connects the application to the optimization
// backend: HELLO, then WHATS_NEXT and the commands it brings, until a signal says stop.
// The command line is the original agent's.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include <servokit/dashboard/server.hpp>
#include <servokit/dashboard/sessions.hpp>
#include <servokit/servo/loop.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/servo/signal_relay.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/transport/http.hpp>
#include <servokit/text/token_file.hpp>
#include <servokit/version.hpp>

#include "dashboard_assets.hpp"

#include "local_mode.hpp"

namespace {

namespace servo = servokit::servo;
namespace transport = servokit::transport;

/// What the command line says besides the loop's options: where the backend is and how to
/// authenticate.
struct backend_arguments {
  std::string account;
  std::string url;
  std::string auth_token_file = std::string(transport::default_token_file);
  bool no_auth = false;
};

/// One line on stderr, prefixed with the program's name.
void complain(std::string_view message) {
  std::fprintf(stderr, "servokit-servo: %.*s\n", static_cast<int>(message.size()), message.data());
}

/// Marks every descriptor above stderr close-on-exec, so the re-executed agent starts with only
/// 0, 1 and 2: libcurl's sockets, for one, are not opened close-on-exec and would leak into it.
void close_on_exec_above_stderr() {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) == 0) return;
#endif
  std::vector<int> open;  // collected first: the directory's own descriptor is among them
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error); !error && it != std::filesystem::directory_iterator();
       it.increment(error)) {
    open.push_back(std::atoi(it->path().filename().c_str()));
  }
  for (const int fd : open) {
    if (fd > 2) ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
  }
}

/// Runs the agent loop over `backend` with SIGTERM, SIGINT, SIGUSR1 and SIGHUP relayed to it;
/// after a SIGHUP (GOODBYE `restart`) the program re-executes itself with the same arguments.
/// Any transport works: the HTTP one here, an in-process backend elsewhere.
template <servokit::transport::transport Transport>
int run_agent(const servo::options& options, Transport& backend, char** argv) {
  servo::servo_loop loop(options, backend);
  // Created before any other thread (libcurl's resolver starts its own): they inherit the mask.
  servo::signal_relay signals([&loop](servo::stop_request kind, std::string_view name) { loop.request_stop(kind, name); });
  const int code = loop.run();
  if (!loop.restart_requested()) return code;
  std::fflush(nullptr);
  close_on_exec_above_stderr();
  ::execv("/proc/self/exe", argv);
  complain(std::string("cannot re-execute for the restart: ") + std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) try {
  servo::options options;
  backend_arguments backend;
  if (const char* account = std::getenv("OPTUNE_ACCOUNT")) backend.account = account;
  std::string delay_text = "0";

  CLI::App app("The Optune servo agent: runs ./adjust and ./measure in the current directory (the servo\n"
               "directory) for the optimization backend, and reports their results to it.",
               "servokit-servo");
  app.add_option("app_id", options.app_id, "Application name (id)")->required();
  app.add_flag("-i,--interactive", options.interactive, "Wait for Enter before sending each event");
  app.add_option("-d,--delay", delay_text, "Pause between a command and its result, in seconds (ignored with --interactive)");
  app.add_flag("-v,--verbose", options.verbose, "Also print the events, the backend's replies and the drivers' output");
  app.add_option("-a,--agent", options.agent, "The agent name sent with HELLO")->capture_default_str();
  app.add_option("--servo-uid", options.servo_uid,
                 "This servo's id, sent as servo_uid with every event (default: HOST-PID-START, unique to the process)");
  app.add_option("--account", backend.account, "Optune account (default: $OPTUNE_ACCOUNT)");
  app.add_option("--url", backend.url,
                 "Backend endpoint (default: https://api.opsani.com/accounts/ACCOUNT/applications/APP_ID/servo)");
  app.add_option("--auth-token", backend.auth_token_file, "File holding the bearer token")->capture_default_str();
  app.add_flag("--no-auth,--noauth", backend.no_auth, "Send no Authorization header");
  servokit_servo::local_arguments local;   // --local and its options (local_mode.hpp)
  local.add_to(app);
  std::optional<std::string> dashboard_listen;
  app.add_option("--dashboard", dashboard_listen,
                 "With --local: serve the dashboard (the study, live, in the browser) on HOST:PORT (PORT alone:\n"
                 "loopback); with --auth-token, its API asks for that token");
  app.set_version_flag("--version", std::string(servokit::version));
  app.footer(
      "Environment:\n"
      "  OPTUNE_ACCOUNT          the account when --account is not given\n"
      "  OPTUNE_IO_TIMEOUT       seconds a driver may stay silent before it is stopped (empty or 0: no limit)\n"
      "  OPTUNE_VERBOSE_STDERR   a failed driver's stderr in the report: all (default), minimal, or none\n"
      "  OPTUNE_PERF             the performance expression sent with the description\n"
      "  SERVO_RETRY_DELAY_SEC   seconds between retries of an event the backend did not take (default 20)\n"
      "Signals: SIGTERM/SIGINT stop now (GOODBYE with the signal); SIGUSR1 finishes the operation and\n"
      "exits; SIGHUP finishes it and restarts the agent.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  try {
    options.delay = servo::seconds(servokit::parse_seconds(delay_text, "--delay"));   // NaN and 1e300 too
  } catch (const servokit::seconds_error& error) {
    complain(error.what());
    return 2;
  }
  if (dashboard_listen && !local.enabled) {
    complain("--dashboard needs --local (servokit-optimizer --dashboard serves a backend's studies)");
    return 2;
  }
  if (local.enabled) {
    std::optional<servokit::dashboard::listen_address> dashboard_address;
    std::string dashboard_token;
    try {
      servo::read_environment(options);
      if (dashboard_listen) {
        dashboard_address = servokit::dashboard::parse_listen_address(*dashboard_listen);
        if (app.get_option("--auth-token")->count() > 0) dashboard_token = servokit::read_token_file(backend.auth_token_file);
      }
    } catch (const std::exception& error) {
      complain(dashboard_address || !dashboard_listen ? error.what() : "--dashboard " + *dashboard_listen + ": " + error.what());
      return 2;
    }
    return servokit_servo::run_local(options, local, [&](const servo::options& with_display, auto& in_process) {
      if (!dashboard_address) return run_agent(with_display, in_process, argv);
      // The dashboard shows this study while the agent runs, and stops with it.
      servokit::dashboard::session_source studies(&in_process.study());
      studies.add(in_process.session());
      servokit::dashboard::server dashboard(studies, servokit_dashboard_assets(), dashboard_token);
      dashboard.start(*dashboard_address);
      std::fprintf(stderr, "servokit-servo: dashboard on %s\n", dashboard.url().c_str());
      if (const auto warning = servokit::dashboard::exposure_warning(*dashboard_address, dashboard_token)) complain(*warning);
      return run_agent(with_display, in_process, argv);
    });
  }

  transport::http_options http;
  try {
    servo::read_environment(options);
    http.url = transport::endpoint_url(backend.url, backend.account, options.app_id);
    if (!backend.no_auth) http.token = transport::read_token_file(backend.auth_token_file);
  } catch (const std::exception& error) {
    complain(error.what());
    return 2;
  }
  http.user_agent = "servokit-servo/" + std::string(servokit::version);

  transport::http_transport connection(std::move(http));
  complain("app " + options.app_id + ", backend " + connection.endpoint() +
           (backend.no_auth ? ", no auth" : ", token from " + backend.auth_token_file));
  return run_agent(options, connection, argv);
} catch (const std::exception& error) {
  complain(std::string("stopped: ") + error.what());
  return 1;
}

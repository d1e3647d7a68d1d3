// servokit-optimizer: the optimization backend over HTTP, on the Optune endpoint
// (`POST /accounts/{account}/applications/{app}/servo`), so that any agent speaking the servo
// protocol (the original Python servo, `servokit-servo --url`) optimizes against it. One study per
// app in one SQLite file, the report of each app in DIR/<app>/.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <simdjson.h>

#include <servokit/backend/options.hpp>
#include <servokit/backend/session.hpp>
#include <servokit/dashboard/server.hpp>
#include <servokit/dashboard/sessions.hpp>
#include <servokit/json/write.hpp>
#include <servokit/optimize/config.hpp>
#include <servokit/version.hpp>

#include "dashboard_assets.hpp"

namespace {

namespace backend = servokit::backend;

/// One line on stderr, whole (the server's threads log at once).
void log_line(const std::string& line) {
  const std::string text = "servokit-optimizer: " + line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

/// Compares without leaking, through timing, how much of the token a guess got right.
bool same_secret(std::string_view given, std::string_view expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % (expected.empty() ? 1 : expected.size())]);
  }
  return difference == 0 && !expected.empty();
}

/// An app id is used as a directory name under --report: letters, digits, `.`, `_`, `-`, not
/// starting with a dot, at most 128 characters.
bool valid_app_id(std::string_view app) {
  if (app.empty() || app.size() > 128 || app.front() == '.') return false;
  for (char c : app) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

/// Every app's session, created at its first event.
class backend_server {
 public:
  backend_server(servokit::optimize::optimization_config config, std::int64_t budget, std::uint64_t seed,
                 const std::string& study_file, std::optional<std::string> report_directory)
      : config_(std::move(config)), budget_(budget), seed_(seed), study_(study_file),
        report_directory_(std::move(report_directory)) {}

  /// Shows every app's study on `dashboard` from now on (`--dashboard`).
  void show_on(servokit::dashboard::session_source& dashboard) { dashboard_ = &dashboard; }
  /// The store of every app's study.
  backend::study_store& study() { return study_; }

  /// The reply body to `event` of `app`.
  std::string handle(const std::string& app, std::string_view event, std::string_view param, std::string_view cmd_uid) {
    entry& found = session_of(app);
    if (!found.session) {
      // The study could not be opened for this app (made for another objective or seed): it
      // sleeps with the reason rather than optimize something else than its study says.
      if (event == backend::events::whats_next) {
        return R"({"cmd":"SLEEP","param":{"duration":120,"data":{"reason":)" + quoted(found.refusal) + "}}}";
      }
      return backend::status_reply("invalid", found.refusal);
    }
    std::string reply = found.session->handle(event, param, cmd_uid);
    if (found.session->finished()) {
      std::lock_guard lock(found.log_mutex);
      if (auto failure = found.session->failure()) {
        // Once per distinct reason: the agent keeps asking, and sleeps each time.
        if (*failure != found.logged_failure) log_line("app " + app + ": stopped: " + *failure);
        found.logged_failure = *failure;
      } else if (!found.logged_summary) {
        std::string summary = backend::summarize(*found.session);
        if (!summary.empty() && summary.back() == '\n') summary.pop_back();
        log_line(summary);
        found.logged_summary = true;
      }
    }
    return reply;
  }

 private:
  struct entry {
    std::unique_ptr<backend::session> session;
    std::string refusal;
    std::mutex log_mutex;
    std::string logged_failure;
    bool logged_summary = false;
  };

  static std::string quoted(std::string_view text) {
    std::string out;
    servokit::json::append_string_literal(out, text);
    return out;
  }

  entry& session_of(const std::string& app) {
    std::lock_guard lock(mutex_);
    auto& slot = sessions_[app];
    if (slot) return *slot;
    slot = std::make_unique<entry>();
    backend::session_options options;
    options.app_id = app;
    options.config = config_;
    options.budget = budget_;
    options.seed = seed_;
    if (report_directory_) options.report_directory = std::filesystem::path(*report_directory_) / app;
    backend::session_listener listener;
    listener.trial_finished = [app, budget = budget_](const backend::trial_record& trial, const backend::best_summary& best) {
      const std::string line = "app " + app + ": " + backend::trial_line(trial, budget, best);
      log_line(line);
    };
    try {
      slot->session = std::make_unique<backend::session>(std::move(options), study_, std::move(listener));
      log_line("app " + app + ": study " + (study_.identity(app) ? "resumed" : "started") + " (" +
               std::to_string(study_.trials(app).size()) + " of " + std::to_string(budget_) + " trials done)");
      if (dashboard_) dashboard_->add(*slot->session);
    } catch (const std::exception& failure) {
      slot->refusal = failure.what();
      log_line("app " + app + ": refused: " + slot->refusal);
      if (dashboard_) dashboard_->add_refused(app, config_, budget_, slot->refusal);
    }
    return *slot;
  }

  servokit::optimize::optimization_config config_;
  std::int64_t budget_;
  std::uint64_t seed_;
  backend::study_database study_;
  std::optional<std::string> report_directory_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<entry>> sessions_;
  servokit::dashboard::session_source* dashboard_ = nullptr;
};

/// The token file's content without its trailing line break; throws with the file's name.
std::string read_token(const std::string& file) {
  std::ifstream input(file, std::ios::binary);
  if (!input) throw std::runtime_error(file + ": cannot read the auth token file: " + std::strerror(errno));
  std::string token((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw std::runtime_error(file + ": the auth token file is empty");
  return token;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"servokit-optimizer: the servo optimization backend over HTTP.\n"
               "Agents POST events to /accounts/{account}/applications/{app}/servo; each app gets its own\n"
               "study (resumed after a restart) and report. Example:\n"
               "  servokit-optimizer --listen 127.0.0.1:8080 --config config.yaml --report reports\n"
               "  servokit-servo --url http://127.0.0.1:8080/accounts/me/applications/web/servo --no-auth web",
               "servokit-optimizer"};
  std::string listen = "127.0.0.1:8080";
  std::string config_file;
  std::string study_file = "servokit-optimizer.sqlite";
  std::optional<std::string> report_directory;
  std::optional<std::string> token_file;
  std::optional<std::int64_t> budget_override;
  std::optional<std::int64_t> seed_override;
  cli.add_option("--listen", listen, "HOST:PORT to listen on (loopback unless told otherwise; port 0 picks one)")
      ->capture_default_str();
  cli.add_option("--config", config_file, "config.yaml with the optimization: section (objective, budget, ...)")
      ->required();
  cli.add_option("--study", study_file, "SQLite file holding every app's study")->capture_default_str();
  cli.add_option("--report", report_directory, "write each app's report to DIR/<app>/");
  cli.add_option("--auth-token", token_file, "refuse requests without 'Authorization: Bearer <the file's token>'");
  cli.add_option("--budget", budget_override, "trials per app, the baseline included (overrides the config)")
      ->check(CLI::PositiveNumber);
  cli.add_option("--seed", seed_override, "the optimizer's seed (overrides the config)")->check(CLI::NonNegativeNumber);
  std::optional<std::string> dashboard_listen;
  cli.add_option("--dashboard", dashboard_listen,
                 "serve the dashboard (every study, live, in the browser) on HOST:PORT (PORT alone: loopback)");
  cli.set_version_flag("--version", std::string(servokit::version));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& failure) {
    return cli.exit(failure);
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

  std::optional<backend_server> server_state;
  std::string token;
  try {
    // The same reading as `servokit-servo --local`: the optimization: section and the overrides.
    auto options = backend::read_session_options(config_file, "", {budget_override, seed_override, std::nullopt});
    if (token_file) token = read_token(*token_file);
    server_state.emplace(std::move(options.config), options.budget, options.seed, study_file, report_directory);
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

  httplib::Server http;
  http.set_payload_max_length(16 << 20);
  // Headers and body leave in separate writes: with Nagle's algorithm the body would wait for
  // the client's delayed ACK (40 ms on Linux) on every reply.
  http.set_tcp_nodelay(true);
  // An agent keeps its connection open and holds a thread for it: room for many apps at once.
  http.new_task_queue = [] { return new httplib::ThreadPool(64); };
  http.Post(R"(/accounts/([^/]+)/applications/([^/]+)/servo)", [&](const httplib::Request& request,
                                                                  httplib::Response& response) {
    const auto answer = [&](int status, const std::string& body) {
      response.status = status;
      response.set_content(body, "application/json");
    };
    if (!token.empty()) {
      const std::string given = request.get_header_value("Authorization");
      if (given.rfind("Bearer ", 0) != 0 || !same_secret(std::string_view(given).substr(7), token)) {
        log_line("401 for " + request.path + " from " + request.remote_addr + ": " +
                 (given.empty() ? "no Authorization header" : "wrong bearer token"));
        response.set_header("WWW-Authenticate", "Bearer");
        return answer(401, backend::status_reply("unauthorized", "a valid 'Authorization: Bearer <token>' header is required"));
      }
    }
    const std::string app = request.matches[2];
    if (!valid_app_id(app)) {
      return answer(400, backend::status_reply("invalid", "the app id must be 1-128 letters, digits, '.', '_' or '-', not starting with '.'"));
    }
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    if (auto error = parser.parse(request.body).get(body)) {
      return answer(400, backend::status_reply("invalid", std::string("the body is not valid JSON: ") + simdjson::error_message(error)));
    }
    std::string_view event;
    if (!body.is_object() || body["event"].get_string().get(event)) {
      return answer(400, backend::status_reply("invalid", "the body must be an object with a string \"event\""));
    }
    if (!backend::known_event(event)) {
      return answer(400, backend::status_reply("invalid", "unknown event \"" + std::string(event).substr(0, 60) +
                                                    "\" (expected HELLO, WHATS_NEXT, DESCRIPTION, ADJUSTMENT, MEASUREMENT or GOODBYE)"));
    }
    simdjson::dom::element param;
    const std::string param_json = body["param"].get(param) ? std::string("null") : simdjson::minify(param);
    // servox echoes the command's uid in the envelope or in the param.
    std::string_view cmd_uid;
    if (body["cmd_uid"].get_string().get(cmd_uid) && param.is_object()) {
      if (param["cmd_uid"].get_string().get(cmd_uid)) cmd_uid = {};
    }
    answer(200, server_state->handle(app, event, param_json, cmd_uid));
  });

  const int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    log_line("cannot listen on " + listen + ": " + std::strerror(errno));
    return 1;
  }
  std::printf("servokit-optimizer: listening on http://%s:%d/accounts/{account}/applications/{app}/servo\n",
              host.c_str(), bound);

  // The dashboard: its own port and thread, the same token rule as the servo endpoint.
  std::optional<servokit::dashboard::session_source> dashboard_studies;
  std::optional<servokit::dashboard::server> dashboard;
  if (dashboard_address) {
    try {
      const auto& address = *dashboard_address;
      dashboard_studies.emplace(&server_state->study());
      server_state->show_on(*dashboard_studies);
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
  if (!stopping) {
    log_line("the server stopped accepting connections");
    pthread_kill(stopper.native_handle(), SIGTERM);   // wakes the stopper's sigwait
  }
  stopper.join();
  return served || stopping ? 0 : 1;
}

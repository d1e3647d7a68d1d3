// servokit-servo as a user runs it: a real process in a servo directory, talking HTTP to a small
// Optune backend on 127.0.0.1 (tests/integration/servo_fixtures/backend.py, not servokit code),
// with servokit-batch, shell and Python drivers; faults on the wire, tokens, and signals.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include <servokit/process.hpp>

#include "batch_servo.hpp"
#include "http_server.hpp"
#include "leftovers.hpp"
#include "servo_dir.hpp"

using servokit_test::servo_dir;

namespace {

namespace process = servokit::process;
using namespace std::chrono_literals;

/// One event as the backend recorded it.
struct recorded_event {
  std::string event;
  std::string param;          // compact JSON
  std::string authorization;  // empty when none was sent
  std::string path;
  std::string servo_uid;      // empty when none was sent
  double time = 0;            // when the backend received it, in seconds since the epoch
};

/// The test backend, started with a plan (JSON list, see backend.py) and stopped at the end.
class backend_server {
 public:
  explicit backend_server(const std::string& plan = "[]", const std::string& token = "")
      : plan_(dir_.write("plan.json", plan)), server_(script(), arguments(token)) {}

  /// The Optune endpoint on this server.
  std::string url() const { return server_.url("/accounts/acme/applications/app/servo"); }

  /// Every event received so far.
  std::vector<recorded_event> events() const {
    std::vector<recorded_event> result;
    const std::string text = servokit_test::read_file(dir_ / "events.jsonl");
    simdjson::dom::parser parser;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      simdjson::dom::element line;
      if (parser.parse(text.substr(start, end - start)).get(line) != simdjson::SUCCESS) continue;
      recorded_event each;
      std::string_view value;
      if (line["event"].get_string().get(value) == simdjson::SUCCESS) each.event = value;
      if (line["authorization"].get_string().get(value) == simdjson::SUCCESS) each.authorization = value;
      if (line["path"].get_string().get(value) == simdjson::SUCCESS) each.path = value;
      if (line["servo_uid"].get_string().get(value) == simdjson::SUCCESS) each.servo_uid = value;
      double at = 0;
      if (line["time"].get_double().get(at) == simdjson::SUCCESS) each.time = at;
      simdjson::dom::element param;
      if (line["param"].get(param) == simdjson::SUCCESS) each.param = simdjson::minify(param);
      result.push_back(std::move(each));
    }
    return result;
  }
  /// How many events named `event` whose param contains `fragment` were received.
  std::size_t count(const std::string& event, const std::string& fragment = "") const {
    std::size_t found = 0;
    for (const auto& each : events()) found += each.event == event && each.param.find(fragment) != std::string::npos;
    return found;
  }
  /// "HELLO WHATS_NEXT ..." for failure messages.
  std::string summary() const {
    std::string text;
    for (const auto& each : events()) text += each.event + " " + each.param + "\n";
    return text;
  }

 private:
  static std::string script() { return SERVOKIT_TEST_SOURCE_DIR "/tests/integration/servo_fixtures/backend.py"; }
  std::vector<std::string> arguments(const std::string& token) const {
    std::vector<std::string> list{"--log", (dir_ / "events.jsonl").string(), "--plan", plan_.string()};
    if (!token.empty()) list.insert(list.end(), {"--token", token});
    return list;
  }

  servokit_test::temp_dir dir_;
  std::filesystem::path plan_;
  servokit_test::http_test_server server_;
};

/// servokit-servo running in `dir` with `arguments`; stderr captured.
class agent_process {
 public:
  agent_process(const servo_dir& dir, std::vector<std::string> arguments, std::vector<std::pair<std::string, std::string>> env = {}) {
    arguments.insert(arguments.begin(), std::string(SERVOKIT_TEST_BIN_DIR) + "/servokit-servo");
    process::command command(std::move(arguments));
    command.in_directory(dir.path());
    command.env.set("SERVO_RETRY_DELAY_SEC", "0.05");
    for (auto& [name, value] : env) command.env.set(name, value);
    process::child_options options;
    options.out.capture = {1 << 20, process::keep::tail};
    options.err.capture = {4 << 20, process::keep::tail};
    agent_.emplace(loop_, command, std::move(options));
  }

  /// Turns the loop (reading the agent's output) until `done()`, at most `limit`.
  template <class Predicate>
  bool until(Predicate&& done, std::chrono::seconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      loop_.run_once(20ms);
    }
    return true;
  }
  /// Sends `signal_number` to the agent itself (as `kill` or docker would, not to its group).
  void signal(int signal_number) { ::kill(agent_->pid(), signal_number); }
  /// Waits for the agent to exit (at most 30 s, then it is killed) and returns how it ended.
  const process::completion& wait() {
    if (!until([this] { return agent_->finished(); })) agent_->kill();
    return agent_->wait();
  }
  /// What it printed on stderr so far (complete once it has exited).
  std::string err() const { return agent_->result().err.text(); }
  pid_t pid() const { return agent_->pid(); }

 private:
  process::event_loop loop_;
  std::optional<process::child> agent_;
};

/// A Python measure driver with cancel support: writes its pid, reports progress, waits for a
/// file `go` (or 30 s), then reports rps.
const char* const python_measure = R"(#!/usr/bin/env python3
import json, os, signal, sys, time
if sys.argv[1] == '--info':
    print(json.dumps({'version': '1.0', 'has_cancel': True})); sys.exit(0)
if sys.argv[1] == '--describe':
    print(json.dumps({'status': 'ok', 'metrics': {'rps': {'unit': 'rps'}}})); sys.exit(0)
request = json.load(sys.stdin)
open('measure.pid', 'w').write(str(os.getpid()))
def cancel(signum, frame):
    print(json.dumps({'status': 'canceled', 'message': 'cancelled'}), flush=True); sys.exit(1)
signal.signal(signal.SIGUSR1, cancel)
print(json.dumps({'progress': 10, 'message': 'measuring for %s s' % request['control']['duration']}), flush=True)
for _ in range(3000):
    if os.path.exists('go'): break
    time.sleep(0.01)
print(json.dumps({'status': 'ok', 'metrics': {'rps': {'value': 99.5, 'unit': 'rps'}}}), flush=True)
)";

std::string pid_of(const servo_dir& dir, const std::string& file) { return dir.has(file) ? dir.read(file) : ""; }

}  // namespace

TEST_CASE("over HTTP: a full cycle with servokit-batch, then SIGTERM: GOODBYE SIGTERM and exit 0") {
  servo_dir dir;
  dir.batch();
  backend_server backend(R"([
    {"event": "WHATS_NEXT", "reply": {"cmd": "DESCRIBE", "cmd_uid": "d1", "param": {}}},
    {"event": "WHATS_NEXT", "reply": {"cmd": "ADJUST", "cmd_uid": "a1", "param": {"state": {"application": {"components": {"web": {"settings": {"cpu": {"value": 6}}}}}}, "control": {}}}},
    {"event": "WHATS_NEXT", "reply": {"cmd": "MEASURE", "cmd_uid": "m1", "param": {"metrics": ["total_runtime"], "control": {"duration": 0}}}}
  ])");
  agent_process agent(dir, {"--url", backend.url(), "--no-auth", "app"}, {{"OPTUNE_PERF", "total_runtime"}});
  REQUIRE_MESSAGE(agent.until([&] { return backend.count("MEASUREMENT", "\"metrics\"") == 1 && backend.count("WHATS_NEXT") == 4; }),
                  std::string(backend.summary() + agent.err()));
  agent.signal(SIGTERM);
  const auto& done = agent.wait();
  CHECK(done.status.code() == 0);
  const auto events = backend.events();
  REQUIRE(!events.empty());
  CHECK(events.back().event == "GOODBYE");
  CHECK(events.back().param == R"({"reason":"SIGTERM"})");
  CHECK(events.front().event == "HELLO");
  CHECK(events.front().param == R"({"agent":"servokit/0.1.0"})");
  CHECK(events.front().path == "/accounts/acme/applications/app/servo");
  CHECK(events.front().authorization.empty());
  CHECK(backend.count("DESCRIPTION", R"("optimization":{"perf":"total_runtime"})") == 1);
  CHECK(backend.count("DESCRIPTION", R"("cmd_uid":"d1")") == 1);
  CHECK(backend.count("ADJUSTMENT", R"({"progress":100,)") == 1);
  CHECK(backend.count("ADJUSTMENT", R"({"state":{"application":{"components":{"web":{"settings":{"cpu":{"value":6}}}}}},"cmd_uid":"a1"})") == 1);
  CHECK(backend.count("MEASUREMENT", R"("cmd_uid":"m1")") == 3);  // starting driver, the job's progress, the result
  // The default output: one line per operation.
  CHECK(agent.err().find("ADJUST ./adjust: ok") != std::string::npos);
  CHECK(agent.err().find("GOODBYE sent (SIGTERM)") != std::string::npos);
}

TEST_CASE("over HTTP: 500s, a dropped connection, a body that is not JSON and a slow reply are retried; a Python driver measures") {
  servo_dir dir;
  dir.script("measure", python_measure);
  dir.write("go", "");
  backend_server backend(R"([
    {"event": "HELLO", "status": 500},
    {"event": "HELLO", "drop": true},
    {"event": "HELLO", "raw": "<html>bad gateway</html>"},
    {"event": "HELLO", "delay_ms": 1500, "reply": {"status": "ok"}},
    {"event": "WHATS_NEXT", "status": 404},
    {"event": "WHATS_NEXT", "status": 503},
    {"event": "WHATS_NEXT", "reply": {"cmd": "MEASURE", "cmd_uid": 7, "param": {"metrics": {"rps": {"unit": "rps"}}, "control": {"duration": "30"}}}},
    {"event": "MEASUREMENT", "status": 500},
    {"event": "MEASUREMENT", "status": 500},
    {"event": "MEASUREMENT", "status": 502}
  ])");
  agent_process agent(dir, {"--url", backend.url(), "--noauth", "app"});
  REQUIRE_MESSAGE(agent.until([&] { return backend.count("MEASUREMENT", R"("metrics":{"rps")") == 1; }), std::string(backend.summary() + agent.err()));
  agent.signal(SIGINT);
  CHECK(agent.wait().status.code() == 0);
  CHECK(backend.count("HELLO") == 4);
  CHECK(backend.count("WHATS_NEXT") >= 3);
  // "starting driver" and its one retry both failed, the driver's progress went through after one
  // more failure... or the result took the retries: either way everything arrived, in order.
  CHECK(backend.count("MEASUREMENT", R"({"metrics":{"rps":{"value":99.5,"unit":"rps"}},"cmd_uid":7})") == 1);
  CHECK(backend.events().back().param == R"({"reason":"SIGINT"})");
  const std::string err = agent.err();
  CHECK(err.find("HELLO: POST " + backend.url() + ": HTTP 500: backend trouble; retrying in ") != std::string::npos);
  CHECK(err.find("HELLO: the reply is not JSON: <html>bad gateway</html>") != std::string::npos);
  CHECK(err.find("WHATS_NEXT: POST " + backend.url() + ": HTTP 404") != std::string::npos);
}

TEST_CASE("over HTTP: the bearer token from the file, never printed; a 401 ends the agent; bad token files") {
  servo_dir dir;
  dir.batch();
  dir.write("token", "s3cret-T0KEN\n");
  SUBCASE("the right token: sent on every event, absent from the verbose output") {
    backend_server backend("[]", "s3cret-T0KEN");
    agent_process agent(dir, {"--url", backend.url(), "--auth-token", (dir.path() / "token").string(), "--verbose", "app"});
    REQUIRE(agent.until([&] { return backend.count("WHATS_NEXT") == 1; }));
    agent.signal(SIGTERM);
    CHECK(agent.wait().status.code() == 0);
    for (const auto& each : backend.events()) CHECK(each.authorization == "Bearer s3cret-T0KEN");
    CHECK(agent.err().find("> HELLO") != std::string::npos);  // verbose indeed
    CHECK(agent.err().find("s3cret") == std::string::npos);
  }
  SUBCASE("a wrong token: the backend answers 401 and the agent exits 1 saying so") {
    backend_server backend("[]", "another-token");
    agent_process agent(dir, {"--url", backend.url(), "--auth-token", (dir.path() / "token").string(), "-v", "app"});
    const auto& done = agent.wait();
    CHECK(done.status.code() == 1);
    CHECK(backend.count("HELLO") == 1);  // not retried
    CHECK(agent.err().find("HELLO: the backend refused the event: POST " + backend.url() + ": HTTP 401: {\"message\": \"unauthorized\"}") !=
          std::string::npos);
    CHECK(agent.err().find("s3cret") == std::string::npos);
  }
  SUBCASE("a missing token file") {
    agent_process agent(dir, {"--url", "http://127.0.0.1:9/", "--auth-token", (dir.path() / "nothing").string(), "app"});
    CHECK(agent.wait().status.code() == 2);
    CHECK(agent.err() == "servokit-servo: cannot read the auth token file " + (dir.path() / "nothing").string() +
                             ": No such file or directory (give another with --auth-token FILE, or --no-auth)\n");
  }
  SUBCASE("a token with a blank inside: refused as the server's reader refuses it (one reader, servokit::read_token_file)") {
    // The agent's own reader sent "s3cret T0KEN" where the server's refused the file: a 401
    // on one side for the same file.
    dir.write("blank", "s3cret T0KEN\n");
    agent_process agent(dir, {"--url", "http://127.0.0.1:9/", "--auth-token", (dir.path() / "blank").string(), "app"});
    CHECK(agent.wait().status.code() == 2);
    CHECK(agent.err().find("the auth token file " + (dir.path() / "blank").string() +
                           " holds a blank, a line break or a control character inside the token") != std::string::npos);
    CHECK(agent.err().find("s3cret") == std::string::npos);
  }
  SUBCASE("an empty token file") {
    dir.write("empty", " \n");
    agent_process agent(dir, {"--url", "http://127.0.0.1:9/", "--auth-token", (dir.path() / "empty").string(), "app"});
    CHECK(agent.wait().status.code() == 2);
    CHECK(agent.err().find("the auth token file " + (dir.path() / "empty").string() + " is empty") != std::string::npos);
  }
  SUBCASE("no URL and no account") {
    agent_process agent(dir, {"--no-auth", "app"}, {{"OPTUNE_ACCOUNT", ""}});
    CHECK(agent.wait().status.code() == 2);
    CHECK(agent.err().find("no Optune account: give --account or set $OPTUNE_ACCOUNT") != std::string::npos);
  }
  SUBCASE("a bad $SERVO_RETRY_DELAY_SEC") {
    agent_process agent(dir, {"--url", "http://127.0.0.1:9/", "--no-auth", "app"}, {{"SERVO_RETRY_DELAY_SEC", "soon"}});
    CHECK(agent.wait().status.code() == 2);
    CHECK(agent.err() == "servokit-servo: $SERVO_RETRY_DELAY_SEC: expected a number of seconds (0 or more), got \"soon\"\n");
  }
}

TEST_CASE("over HTTP: signals to the real process") {
  servo_dir dir;
  dir.script("measure", python_measure);
  backend_server backend(R"([
    {"event": "WHATS_NEXT", "reply": {"cmd": "MEASURE", "cmd_uid": "m", "param": {"metrics": ["rps"], "control": {"duration": 5}}}}
  ])");
  agent_process agent(dir, {"--url", backend.url(), "--no-auth", "app"});
  REQUIRE_MESSAGE(agent.until([&] { return backend.count("MEASUREMENT", "measuring for 5 s") == 1; }), std::string(backend.summary() + agent.err()));
  const std::string driver_pid = pid_of(dir, "measure.pid");
  REQUIRE(!driver_pid.empty());

  SUBCASE("SIGTERM mid-measurement: the driver is stopped, GOODBYE SIGTERM, exit 0, nothing left running") {
    agent.signal(SIGTERM);
    CHECK(agent.wait().status.code() == 0);
    CHECK(backend.events().back().param == R"({"reason":"SIGTERM"})");
    CHECK(backend.count("MEASUREMENT", "\"metrics\"") == 0);
    CHECK(servokit_test::eventually([&] { return servokit_test::process_gone(std::stoi(driver_pid)); }));
  }
  SUBCASE("SIGUSR1: the measurement finishes and is reported, then GOODBYE exit") {
    agent.signal(SIGUSR1);
    dir.write("go", "");
    CHECK(agent.wait().status.code() == 0);
    CHECK(backend.count("MEASUREMENT", R"({"metrics":{"rps":{"value":99.5,"unit":"rps"}},"cmd_uid":"m"})") == 1);
    const auto events = backend.events();
    CHECK(events.back().param == R"({"reason":"exit"})");
    CHECK(events[events.size() - 2].event == "MEASUREMENT");
  }
  SUBCASE("SIGHUP: the measurement finishes, GOODBYE restart, and the same process starts over with HELLO") {
    agent.signal(SIGHUP);
    dir.write("go", "");
    REQUIRE_MESSAGE(agent.until([&] { return backend.count("HELLO") == 2 && backend.count("WHATS_NEXT") == 2; }),
                    std::string(backend.summary() + agent.err()));
    CHECK(backend.count("GOODBYE", R"({"reason":"restart"})") == 1);
    CHECK(backend.count("MEASUREMENT", "\"metrics\"") == 1);
    agent.signal(SIGTERM);  // the re-executed agent still answers signals
    CHECK(agent.wait().status.code() == 0);
    CHECK(backend.events().back().param == R"({"reason":"SIGTERM"})");
  }
}

TEST_CASE("servokit-servo --help reads like a well-made CLI's") {
  servo_dir dir;
  agent_process agent(dir, {"--help"});
  const auto& done = agent.wait();
  CHECK(done.status.code() == 0);
  const std::string out = done.out.text();
  for (const char* expected : {"Usage: servokit-servo [OPTIONS] app_id", "-i,--interactive", "-d,--delay", "-v,--verbose",
                               "-a,--agent", "--account", "--url", "--auth-token", "--no-auth,--noauth", "OPTUNE_IO_TIMEOUT",
                               "SERVO_RETRY_DELAY_SEC", "SIGHUP"}) {
    CHECK_MESSAGE(out.find(expected) != std::string::npos, expected);
  }
}

TEST_CASE("over HTTP: SIGHUP during a SLEEP restarts at once, and the new process holds no descriptor more than the old") {
  servo_dir dir;
  backend_server backend;  // every WHATS_NEXT: SLEEP 3600
  agent_process agent(dir, {"--url", backend.url(), "--no-auth", "app"});
  const auto open_fds = [&] {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(agent.pid()) + "/fd")) ++count;
    return count;
  };
  REQUIRE(agent.until([&] { return backend.count("WHATS_NEXT") == 1; }));
  REQUIRE(agent.until([&] { return agent.err().find("SLEEP 3600 s") != std::string::npos; }));
  const std::size_t before = open_fds();
  agent.signal(SIGHUP);
  REQUIRE_MESSAGE(agent.until([&] { return backend.count("WHATS_NEXT") == 2; }), std::string(backend.summary() + agent.err()));
  REQUIRE(agent.until([&] {
    const std::string err = agent.err();
    return err.find("SLEEP 3600 s") != err.rfind("SLEEP 3600 s");  // the second one, after the restart
  }));
  CHECK(open_fds() == before);
  CHECK(backend.count("GOODBYE", R"({"reason":"restart"})") == 1);
  agent.signal(SIGTERM);
  CHECK(agent.wait().status.code() == 0);
}

TEST_CASE("over HTTP: 408, 429 and 503 are retried after their Retry-After (seconds or a date); servo_uid in every envelope") {
  servo_dir dir;
  dir.batch();
  backend_server backend(R"([
    {"event": "HELLO", "status": 408, "headers": {"Retry-After": "1"}},
    {"event": "HELLO", "status": 429, "retry_after_date_s": 2},
    {"event": "HELLO", "status": 503, "headers": {"Retry-After": "1"}},
    {"event": "WHATS_NEXT", "status": 429, "headers": {"Retry-After": "soon"}}
  ])");
  const auto started = std::chrono::steady_clock::now();
  SUBCASE("the default servo_uid: the host, the pid and the start time") {
    agent_process agent(dir, {"--url", backend.url(), "--no-auth", "app"});
    REQUIRE_MESSAGE(agent.until([&] { return backend.count("WHATS_NEXT") == 2; }), std::string(backend.summary() + agent.err()));
    agent.signal(SIGTERM);
    CHECK(agent.wait().status.code() == 0);
    const auto events = backend.events();
    REQUIRE(events.size() >= 7);
    // Retry-After: 1 s after the 408 and the 503, up to 2 s after the dated 429 (whole seconds).
    CHECK(events[1].time - events[0].time >= 0.9);
    CHECK(events[2].time - events[1].time >= 0.9);
    CHECK(events[3].time - events[2].time >= 0.9);
    CHECK(std::chrono::steady_clock::now() - started >= 2.7s);
    const std::string err = agent.err();
    CHECK(err.find("HELLO: POST " + backend.url() + ": HTTP 408: backend trouble; retrying in 1 s (Retry-After)") != std::string::npos);
    CHECK(err.find("HTTP 503: backend trouble; retrying in 1 s (Retry-After)") != std::string::npos);
    // An unreadable Retry-After is ignored: the usual backoff (here at most 0.05 s).
    CHECK(err.find("WHATS_NEXT: POST " + backend.url() + ": HTTP 429: backend trouble; retrying in 0.0") != std::string::npos);
    const std::string uid = events.front().servo_uid;
    CHECK(uid.find("-" + std::to_string(agent.pid()) + "-") != std::string::npos);
    for (const auto& each : events) CHECK(each.servo_uid == uid);
  }
  SUBCASE("--servo-uid") {
    agent_process agent(dir, {"--url", backend.url(), "--no-auth", "--servo-uid", "servo-7", "app"});
    REQUIRE_MESSAGE(agent.until([&] { return backend.count("WHATS_NEXT") == 2; }), std::string(backend.summary() + agent.err()));
    agent.signal(SIGTERM);
    CHECK(agent.wait().status.code() == 0);
    for (const auto& each : backend.events()) CHECK(each.servo_uid == "servo-7");
  }
}

TEST_CASE("over HTTP: a 3xx ends the agent with a message that says where the backend went") {
  servo_dir dir;
  dir.batch();
  backend_server backend(R"([
    {"event": "WHATS_NEXT", "status": 301, "headers": {"Location": "https://new.example.invalid/servo"}}
  ])");
  agent_process agent(dir, {"--url", backend.url(), "--no-auth", "app"});
  CHECK(agent.wait().status.code() == 1);
  CHECK(backend.count("WHATS_NEXT") == 1);
  CHECK(agent.err().find("WHATS_NEXT: the backend refused the event: POST " + backend.url() +
                         ": HTTP 301: the backend moved to https://new.example.invalid/servo; servokit does not follow "
                         "redirects: give the endpoint with --url") != std::string::npos);
}

TEST_CASE("over HTTP: --delay is a checked number of seconds") {
  servo_dir dir;
  dir.batch();
  backend_server backend;
  SUBCASE("nan and negatives are refused before anything is sent") {
    for (const char* bad : {"nan", "-1", "soon"}) {
      agent_process agent(dir, {"--url", backend.url(), "--no-auth", "--delay", bad, "app"});
      CHECK(agent.wait().status.code() == 2);
      CHECK(agent.err().find("servokit-servo: --delay: expected a number of seconds (0 or more), got") == 0);
    }
    CHECK(backend.events().empty());
  }
  SUBCASE("1e300 is 10^9 s: nothing is sent until SIGTERM (it was an overflow that did not wait at all)") {
    agent_process agent(dir, {"--url", backend.url(), "--no-auth", "--delay", "1e300", "app"});
    CHECK_FALSE(agent.until([&] { return backend.count("HELLO") > 0; }, 2s));
    agent.signal(SIGTERM);
    CHECK(agent.wait().status.code() == 0);
    CHECK(backend.count("HELLO") == 0);
  }
}

TEST_CASE("a SIGKILLed agent leaves no process of its servo directory, drivers' children and magg's included") {
  servo_dir dir;
  // A measure driver whose work goes on in a child of its own (a load generator), and which
  // ignores SIGTERM as a careless driver may.
  const std::string stubborn = "#!/bin/sh\n"
                               "case \"$1\" in --info) echo '{\"version\": \"1.0\", \"has_cancel\": false}'; exit 0;; --describe) echo '{\"status\": \"ok\", \"metrics\": {}}'; exit 0;; esac\n"
                               "cat > /dev/null; trap '' TERM; sleep 60 & echo '{\"progress\": 10, \"message\": \"loading\"}'; wait\n";
  SUBCASE("a shell measure driver") { dir.script("measure", stubborn); }
  SUBCASE("measure -> servokit-magg, measure.d/load: the chain of guards") {
    std::filesystem::create_symlink(std::string(SERVOKIT_TEST_BIN_DIR) + "/servokit-magg", dir.path() / "measure");
    std::filesystem::create_directory(dir.path() / "measure.d");
    dir.script("measure.d/load", stubborn);
  }
  backend_server backend(R"([
    {"event": "WHATS_NEXT", "reply": {"cmd": "MEASURE", "cmd_uid": "m1", "param": {"metrics": [], "control": {"duration": 60}}}}
  ])");
  agent_process agent(dir, {"--url", backend.url(), "--no-auth", "app"});
  REQUIRE_MESSAGE(agent.until([&] { return backend.count("MEASUREMENT", "loading") == 1; }), std::string(backend.summary() + agent.err()));
  REQUIRE_FALSE(servokit_test::processes_in(dir.path()).empty());   // the driver and its sleep run
  agent.signal(SIGKILL);
  // Within about a second per guard in the chain; the wait ends as soon as none is left, and
  // 10 s leave room for a machine busy with other work.
  const auto left = servokit_test::leftovers_after(dir.path(), std::chrono::seconds(10));
  CHECK_MESSAGE(left.empty(), servokit_test::describe(left));
  for (const auto& each : left) ::kill(each.pid, SIGKILL);   // a failed check must not leave them either
}

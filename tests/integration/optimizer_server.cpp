// servokit-optimizer, the backend over HTTP on 127.0.0.1: driven by the real servokit-servo --url
// to the end of a study, and by a test client sending what a broken or hostile client would.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <simdjson.h>

#include <servokit/backend/study.hpp>
#include <servokit/http/client.hpp>

#include "raw_socket.hpp"
#include "servo_dir.hpp"
#include "spawned_process.hpp"

namespace backend = servokit::backend;
using servokit_test::read_file;
using servokit_test::servo_dir;
using servokit_test::spawned_process;
using servokit_test::temp_dir;
using servokit_test::wait_for;

namespace {

const std::string bin_dir = SERVOKIT_TEST_BIN_DIR;
const std::string token = "s3cret-t0ken-value";

/// The server with a token, a study and a report in `dir`, on a port of its choosing.
struct server {
  temp_dir dir;
  std::optional<spawned_process> process;
  std::string base_url;

  /// `extra` arguments after the usual ones; `shared_study`: a study file other servers use too.
  explicit server(int budget = 6, std::vector<std::string> extra = {}, std::optional<std::filesystem::path> shared = {}) {
    dir.write("config.yaml", "optimization:\n  objective: {metric: cost, goal: minimize}\n  budget: " +
                                 std::to_string(budget) + "\n  seed: 2\n  control: {duration: 0}\n");
    dir.write("token", token + "\n");
    std::vector<std::string> argv{bin_dir + "/servokit-optimizer", "--listen", "127.0.0.1:0", "--config", "config.yaml",
                                  "--study", shared ? shared->string() : std::string("study.sqlite"), "--report", "reports",
                                  "--auth-token", "token"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process.emplace(dir.path(), argv, dir / "out", dir / "err");
    REQUIRE(wait_for([&] { return read_file(dir / "out").find('\n') != std::string::npos; }));
    const std::string out = read_file(dir / "out");
    const auto start = out.find("http://");
    REQUIRE(start != std::string::npos);
    base_url = out.substr(start, out.find("/accounts") - start);
  }

  std::string endpoint(const std::string& app) const { return base_url + "/accounts/acme/applications/" + app + "/servo"; }
  int port() const { return std::stoi(base_url.substr(base_url.rfind(':') + 1)); }
  std::string log() const { return read_file(dir / "err"); }

  /// POSTs `body`; `authorization` is the whole header value, or none when empty.
  servokit::http::response post(const std::string& app, const std::string& body,
                                const std::string& authorization = "Bearer " + token) const {
    servokit::http::client client;
    servokit::http::request sent;
    sent.method = "POST";
    sent.url = endpoint(app);
    sent.body = body;
    sent.headers.emplace_back("Content-Type", "application/json");
    if (!authorization.empty()) sent.headers.emplace_back("Authorization", authorization);
    return client.perform(sent);
  }
};

}  // namespace

TEST_CASE("servokit-servo --url optimizes against servokit-optimizer to the end of the budget, then sleeps") {
  server backend_server(6);
  servo_dir servo;
  const std::string batch = bin_dir + "/servokit-batch";
  std::filesystem::create_symlink(batch, servo.path() / "adjust");
  std::filesystem::create_symlink(batch, servo.path() / "measure");
  servo.write("config.yaml",
              "batch:\n  command: ./job.sh {web.cpu}\n"
              "  application:\n    components:\n      web:\n        settings:\n"
              "          cpu: {min: 1, max: 6, step: 1, default: 6}\n"
              "  metrics:\n    cost: {output_regex: '^cost: (\\S+)$'}\n");
  servo.script("job.sh", "#!/bin/sh\nawk -v c=\"$1\" 'BEGIN { print \"cost: \" (c - 3) * (c - 3) + 2 }'\n");
  servo.write("token", token);
  spawned_process agent(servo.path(),
                        {bin_dir + "/servokit-servo", "--url", backend_server.endpoint("web"), "--auth-token", "token",
                         "--servo-uid", "test-servo", "web"},
                        servo.path() / "out", servo.path() / "err");
  const auto best_file = backend_server.dir / "reports" / "web" / "best.json";
  const auto server_log = [&] { return read_file(backend_server.dir / "err"); };
  wait_for([&] { return server_log().find("optimization of \"web\"") != std::string::npos || server_log().find("stopped:") != std::string::npos; });
  const bool finished = server_log().find("optimization of \"web\"") != std::string::npos;
  INFO("server: " << read_file(backend_server.dir / "err") << "\nagent: " << read_file(servo.path() / "err"));
  REQUIRE(finished);

  backend::study_database study((backend_server.dir / "study.sqlite").string());
  const auto trials = study.trials("web");
  REQUIRE(trials.size() == 6);
  CHECK(trials.front().settings_json == R"({"web":{"cpu":6}})");
  CHECK(*trials.front().objective == doctest::Approx(11));
  CHECK(std::filesystem::exists(best_file));
  CHECK(read_file(backend_server.dir / "reports" / "web" / "trials.jsonl").find("\"trial\":6") != std::string::npos);

  // The agent is now told to sleep; the app was left in the best configuration. (The request
  // speaks as the same servo: a servo the backend has not seen yet would start with DESCRIBE.)
  const auto next = backend_server.post("web", R"({"event": "WHATS_NEXT", "param": null, "servo_uid": "test-servo"})");
  CHECK(next.status == 200);
  CHECK(next.body.find("\"cmd\":\"SLEEP\"") != std::string::npos);
  const std::string best = read_file(best_file);
  const auto cpu_at = best.find("\"cpu\":");
  REQUIRE(cpu_at != std::string::npos);
  CHECK(servo.read("_state.yaml").find("value: " + best.substr(cpu_at + 6, 1)) != std::string::npos);

  // SIGTERM: GOODBYE, exit 0.
  agent.signal(SIGTERM);
  CHECK(agent.wait() == 0);
  // The token never appears in the server's output.
  CHECK(read_file(backend_server.dir / "err").find(token) == std::string::npos);
  CHECK(read_file(backend_server.dir / "out").find(token) == std::string::npos);
}

TEST_CASE("servokit-optimizer answers malformed, unknown, out-of-order and unauthenticated requests clearly") {
  server backend_server;

  SUBCASE("no token, a wrong token: 401, and the token never logged") {
    const auto none = backend_server.post("app", R"({"event": "HELLO", "param": {}})", "");
    CHECK(none.status == 401);
    CHECK(none.body.find("\"status\":\"unauthorized\"") != std::string::npos);
    const auto wrong = backend_server.post("app", R"({"event": "HELLO", "param": {}})", "Bearer " + token + "x");
    CHECK(wrong.status == 401);
    const auto not_bearer = backend_server.post("app", R"({"event": "HELLO", "param": {}})", "Basic " + token);
    CHECK(not_bearer.status == 401);
    CHECK(backend_server.post("app", R"({"event": "HELLO", "param": {}})").status == 200);
    const std::string log = read_file(backend_server.dir / "err");
    CHECK(log.find("wrong bearer token") != std::string::npos);
    CHECK(log.find(token) == std::string::npos);
  }
  SUBCASE("malformed JSON and envelopes: 400 with a reason") {
    const auto broken = backend_server.post("app", R"({"event": "HELLO", )");
    CHECK(broken.status == 400);
    CHECK(broken.body.find("not valid JSON") != std::string::npos);
    CHECK(backend_server.post("app", "[1, 2]").status == 400);
    CHECK(backend_server.post("app", R"({"event": 42})").body.find("a string \\\"event\\\"") != std::string::npos);
    CHECK(backend_server.post("app", "").status == 400);
    CHECK(backend_server.post("../etc", R"({"event": "HELLO"})").status / 100 == 4);
    CHECK(backend_server.post(".hidden", R"({"event": "HELLO"})").status == 400);
  }
  SUBCASE("unknown events: 400 naming the event and the known ones") {
    const auto unknown = backend_server.post("app", R"({"event": "SELF_DESTRUCT", "param": {}})");
    CHECK(unknown.status == 400);
    CHECK(unknown.body.find("unknown event \\\"SELF_DESTRUCT\\\" (expected HELLO, WHATS_NEXT") != std::string::npos);
  }
  SUBCASE("out-of-order events: unexpected-event, and the conversation goes on") {
    CHECK(backend_server.post("app", R"({"event": "HELLO", "param": {}})").body == R"({"status":"ok"})");
    const auto early = backend_server.post("app", R"({"event": "MEASUREMENT", "param": {"metrics": {}}})");
    CHECK(early.status == 200);
    CHECK(early.body == R"({"status":"unexpected-event","reason":"Out of order event \"MEASUREMENT\", expected \"WHATS_NEXT\"; ignoring"})");
    const auto describe = backend_server.post("app", R"({"event": "WHATS_NEXT", "param": null})");
    CHECK(describe.body.find("\"cmd\":\"DESCRIBE\"") != std::string::npos);
    const auto wrong = backend_server.post("app", R"({"event": "ADJUSTMENT", "param": {"state": {}}})");
    CHECK(wrong.body.find("expected \\\"DESCRIPTION\\\"") != std::string::npos);
    // A bad param for the right event: invalid, with the JSON path.
    const auto bad = backend_server.post("app", R"({"event": "DESCRIPTION", "param": {"descriptor": {"application": 3}}})");
    CHECK(bad.body.find("\"status\":\"invalid\"") != std::string::npos);
    CHECK(bad.body.find("$.descriptor.application") != std::string::npos);
  }
  SUBCASE("an objective metric the app does not measure: refused before any trial, then SLEEP") {
    backend_server.post("app", R"({"event": "HELLO", "param": {}})");
    backend_server.post("app", R"({"event": "WHATS_NEXT", "param": null})");
    const auto refused = backend_server.post(
        "app", R"({"event": "DESCRIPTION", "param": {"status": "ok", "descriptor": {"application": {"components": {"c": {"settings": {"x": {"min": 1, "max": 2, "step": 1, "value": 1}}}}}, "measurement": {"metrics": {"rps": {}}}}}})");
    CHECK(refused.body.find("unknown metric \\\"cost\\\" (the measure driver offers: rps)") != std::string::npos);
    const auto next = backend_server.post("app", R"({"event": "WHATS_NEXT", "param": null})");
    CHECK(next.body.find("\"cmd\":\"SLEEP\"") != std::string::npos);
    CHECK(next.body.find("unknown metric") != std::string::npos);
  }
  backend_server.process->signal(SIGTERM);
  CHECK(backend_server.process->wait() == 0);
}

namespace {

const std::string description_of_cost = R"({"status": "ok", "descriptor": {"application": {"components": {"c": {"settings": {"x": {"min": 1, "max": 4, "step": 1, "value": 1}}}}}, "measurement": {"metrics": {"cost": {}, "throughput": {}}}}})";

/// `{"event": EVENT, "param": PARAM, "cmd_uid": UID}`.
std::string event_body(const std::string& event, const std::string& param, const std::string& uid = "") {
  return R"({"event": ")" + event + R"(", "param": )" + param + (uid.empty() ? "" : R"(, "cmd_uid": ")" + uid + "\"") + "}";
}

/// The `cmd` and `cmd_uid` of a command reply.
std::pair<std::string, std::string> command_of(const std::string& reply) {
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  if (parser.parse(reply).get(parsed)) return {};
  std::string_view cmd, uid;
  if (parsed["cmd"].get_string().get(cmd)) return {};
  if (parsed["cmd_uid"].get_string().get(uid)) uid = {};
  return {std::string(cmd), std::string(uid)};
}

/// HELLO, DESCRIBE, the baseline's ADJUST, up to its MEASURE; returns the MEASURE reply.
std::string up_to_measure(const server& backend_server, const std::string& app) {
  REQUIRE(backend_server.post(app, event_body("HELLO", "{}")).status == 200);
  const auto [describe, describe_uid] = command_of(backend_server.post(app, event_body("WHATS_NEXT", "null")).body);
  REQUIRE(describe == "DESCRIBE");
  REQUIRE(backend_server.post(app, event_body("DESCRIPTION", description_of_cost, describe_uid)).body == R"({"status":"ok"})");
  const auto [adjust, adjust_uid] = command_of(backend_server.post(app, event_body("WHATS_NEXT", "null")).body);
  REQUIRE(adjust == "ADJUST");
  REQUIRE(backend_server.post(app, event_body("ADJUSTMENT", R"({"state": {}})", adjust_uid)).body == R"({"status":"ok"})");
  const std::string measure = backend_server.post(app, event_body("WHATS_NEXT", "null")).body;
  REQUIRE(command_of(measure).first == "MEASURE");
  return measure;
}

}  // namespace

TEST_CASE("every envelope field is checked: a bad one is a 400 with the reason, and the server keeps serving") {
  // Before: {"event": "HELLO"} without a param crashed the server (SIGSEGV) for every app.
  server backend_server;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"event": "HELLO"})", "has no \\\"param\\\""},
      {R"({"event": "WHATS_NEXT"})", "has no \\\"param\\\""},
      {R"({"event": "HELLO", "param": {}, "cmd_uid": 42})", "\\\"cmd_uid\\\" must be a string"},
      {R"({"event": "HELLO", "param": {"cmd_uid": []}})", "the param's \\\"cmd_uid\\\" must be a string"},
      {R"({"event": "HELLO", "param": {}, "servo_uid": {"a": 1}})", "\\\"servo_uid\\\" must be a string"},
      {R"({"event": "HELLO", "param": {}, "servo_uid": "a\nb"})", "printable ASCII only"},
      {R"({"event": "HELLO", "param": {}, "servo_uid": ")" + std::string(300, 'x') + "\"}", "longer than 256"},
      {R"({"event": null, "param": {}})", "a string \\\"event\\\""},
      {R"({"param": {}})", "a string \\\"event\\\""},
      {R"("HELLO")", "a string \\\"event\\\""},
      {R"({"event": "HELLO", "param": )", "not valid JSON"},
      {"\xff\xfe", "not valid JSON"},
  };
  for (const auto& [body, reason] : bad) {
    CAPTURE(body);
    const auto answered = backend_server.post("app", body);
    CHECK(answered.status == 400);
    CHECK(answered.body.find(reason) != std::string::npos);
  }
  CHECK(backend_server.post("app", event_body("HELLO", "{}")).body == R"({"status":"ok"})");
  CHECK(command_of(backend_server.post("app", event_body("WHATS_NEXT", "null")).body).first == "DESCRIBE");
  CHECK(::kill(backend_server.process->pid(), 0) == 0);
}

TEST_CASE("--max-apps and --allow-app: other apps get 403, and no study nor report directory") {
  SUBCASE("--max-apps 2") {
    server backend_server(6, {"--max-apps", "2"});
    CHECK(backend_server.post("first", event_body("HELLO", "{}")).status == 200);
    CHECK(backend_server.post("second", event_body("HELLO", "{}")).status == 200);
    for (int i = 0; i < 20; ++i) {
      const auto refused = backend_server.post("extra-" + std::to_string(i), event_body("HELLO", "{}"));
      CHECK(refused.status == 403);
      CHECK(refused.body.find("serves at most 2 apps (--max-apps)") != std::string::npos);
    }
    CHECK(backend_server.post("first", event_body("WHATS_NEXT", "null")).status == 200);   // the served ones go on
    CHECK(std::filesystem::exists(backend_server.dir / "reports" / "first"));
    CHECK_FALSE(std::filesystem::exists(backend_server.dir / "reports" / "extra-0"));
    CHECK(backend_server.log().find("extra-19") == std::string::npos);   // the log is not flooded
  }
  SUBCASE("--allow-app") {
    server backend_server(6, {"--allow-app", "web,db", "--allow-app", "cache"});
    for (const std::string app : {"web", "db", "cache"}) CHECK(backend_server.post(app, event_body("HELLO", "{}")).status == 200);
    const auto refused = backend_server.post("other", event_body("HELLO", "{}"));
    CHECK(refused.status == 403);
    CHECK(refused.body.find("not in this server's --allow-app list") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(backend_server.dir / "reports" / "other"));
  }
}

TEST_CASE("the token is checked before the body is read: a 16 MiB body without it gets 401 at once") {
  server backend_server;
  // Headers announcing 16 MiB, and no body at all: a server that read the body first would wait.
  servokit_test::raw_socket connection(backend_server.port());
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(connection.send("POST /accounts/acme/applications/app/servo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\nContent-Length: 16777000\r\n\r\n"));
  const std::string answer = connection.receive(std::chrono::seconds(30), "\r\n\r\n");
  CHECK(answer.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(answer.find("Connection: close") != std::string::npos);
  // At once: well before the server's 5 s read timeout could have run out waiting for a body.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
  CHECK(connection.closed_within(std::chrono::seconds(30)));

  // The same with the whole body sent, through an HTTP client.
  const auto big = backend_server.post("app", std::string(16u << 20, ' '), "");
  CHECK(big.status == 401);
  // With the token, a body above the limit is refused from its Content-Length, unread.
  servokit_test::raw_socket authorized(backend_server.port());
  REQUIRE(authorized.send("POST /accounts/acme/applications/app/servo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                          token + "\r\nContent-Length: 999999999\r\n\r\n"));
  CHECK(authorized.receive(std::chrono::seconds(30), "\r\n\r\n").rfind("HTTP/1.1 413", 0) == 0);
  CHECK(backend_server.post("app", event_body("HELLO", "{}")).status == 200);
}

TEST_CASE("--config-dir: an app with its own DIR/<app>.yaml gets its objective, the others --config's") {
  temp_dir configs;
  configs.write("fast.yaml", "optimization:\n  objective: {metric: throughput, goal: maximize}\n  budget: 3\n");
  configs.write("broken.yaml", "optimization:\n  objective: {metric: throughput, goal: sideways}\n");
  server backend_server(6, {"--config-dir", configs.path().string()});
  const auto metrics_of = [](const std::string& measure) {
    simdjson::dom::parser parser;
    return simdjson::minify(parser.parse(measure)["param"]["metrics"].value());
  };
  CHECK(metrics_of(up_to_measure(backend_server, "fast")) == R"(["throughput"])");
  CHECK(metrics_of(up_to_measure(backend_server, "slow")) == R"(["cost"])");   // the fallback
  // A config that cannot be used: the app sleeps with the reason, naming the file; the others go on.
  backend_server.post("broken", event_body("HELLO", "{}"));
  const auto next = backend_server.post("broken", event_body("WHATS_NEXT", "null"));
  CHECK(command_of(next.body).first == "SLEEP");
  CHECK(next.body.find("broken.yaml") != std::string::npos);
  CHECK(backend_server.post("fast", event_body("WHATS_NEXT", "null")).status == 200);
}

TEST_CASE("a study that cannot be written now: 503 with Retry-After, nothing recorded, and the same event taken later") {
  // Before: the session ended (until a restart) and the agent was told "ok".
  server backend_server;
  const auto [measure, uid] = command_of(up_to_measure(backend_server, "app"));
  const std::string result = event_body("MEASUREMENT", R"({"metrics": {"cost": {"value": 4}}})", uid);
  {
    backend::sqlite_database other((backend_server.dir / "study.sqlite").string());
    other.execute("BEGIN IMMEDIATE");   // held past the server's 5 s busy timeout
    servokit::http::client client;
    servokit::http::request sent;
    sent.method = "POST";
    sent.url = backend_server.endpoint("app");
    sent.body = result;
    sent.headers.emplace_back("Authorization", "Bearer " + token);
    const auto busy = client.perform(sent);
    CHECK(busy.status == 503);
    CHECK(busy.body.find("database is locked") != std::string::npos);
    CHECK(busy.header("Retry-After") == std::optional<std::string_view>("5"));
    CHECK(command_of(backend_server.post("app", event_body("WHATS_NEXT", "null")).body).second == uid);   // phase kept
    other.execute("ROLLBACK");
  }
  CHECK(backend_server.post("app", result).body == R"({"status":"ok"})");
  backend::study_database study((backend_server.dir / "study.sqlite").string());
  CHECK(study.trials("app").size() == 1);
}

TEST_CASE("a study the backend cannot read: that app's requests get status failed, never ok, and the others go on") {
  // Before: an exception in the session ended that app's study until a restart, and the agent was
  // told "ok". Here the fault is a servo state corrupted in the study file.
  server backend_server;
  const auto [measure, uid] = command_of(up_to_measure(backend_server, "app"));
  {
    backend::sqlite_database other((backend_server.dir / "study.sqlite").string());
    other.execute("UPDATE servos SET state = '{not json' WHERE app = 'app'");
  }
  const auto broken = backend_server.post("app", event_body("MEASUREMENT", R"({"metrics": {"cost": {"value": 4}}})", uid));
  CHECK(broken.status == 200);
  CHECK(broken.body.find("\"status\":\"failed\"") != std::string::npos);
  CHECK(broken.body.find("the backend cannot go on with this study") != std::string::npos);
  const auto next = backend_server.post("app", event_body("WHATS_NEXT", "null"));
  CHECK(command_of(next.body).first == "SLEEP");
  CHECK(backend_server.post("other", event_body("HELLO", "{}")).status == 200);   // the server goes on
  CHECK(command_of(backend_server.post("other", event_body("WHATS_NEXT", "null")).body).first == "DESCRIBE");
  CHECK(backend_server.log().find("app app: stopped: ") != std::string::npos);
}

TEST_CASE("two servers on one study serve it as replicas: a servo's events may go to either, each trial recorded once") {
  // Issue 17: servers sharing a study are replicas (the study's transactions hold the app's lock),
  // so one servo may reach either with any request (before: the second server's trial was refused
  // as out of sequence).
  temp_dir shared;
  const auto file = shared / "study.sqlite";
  server first(6, {}, file), second(6, {}, file);
  const auto [measure, uid] = command_of(up_to_measure(first, "app"));
  REQUIRE(measure == "MEASURE");
  const std::string param = R"({"metrics": {"cost": {"value": 4}}})";
  CHECK(second.post("app", event_body("MEASUREMENT", param, uid)).body == R"({"status":"ok"})");
  CHECK(first.post("app", event_body("MEASUREMENT", param, uid)).body == R"({"status":"ok"})");   // a retry: taken once
  const auto next = first.post("app", event_body("WHATS_NEXT", "null"));
  CHECK(command_of(next.body).first == "ADJUST");
  CHECK(command_of(second.post("app", event_body("WHATS_NEXT", "null")).body) == command_of(next.body));   // the same one
  backend::study_database study(file.string());
  const auto trials = study.trials("app");
  REQUIRE(trials.size() == 1);
  CHECK(trials.front().number == 1);
  CHECK(*trials.front().objective == 4);
}

TEST_CASE("slow clients cannot hold every thread: a request past its deadline is cut, a full queue gets 503") {
  server backend_server(6, {"--threads", "2", "--queue", "1", "--request-deadline", "2"});
  const std::string start = "POST /accounts/acme/applications/app/servo HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  // Four connections that never end their headers, for two threads and a queue of one: at least
  // one is refused at once with a 503 (which one depends on how fast the threads take the first
  // ones), and none is answered otherwise.
  std::vector<std::unique_ptr<servokit_test::raw_socket>> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(std::make_unique<servokit_test::raw_socket>(backend_server.port()));
    REQUIRE(slow.back()->send(start));
  }
  int refused = 0;
  for (auto& connection : slow) {
    const std::string answer = connection->receive(std::chrono::milliseconds(500), "\r\n\r\n");
    if (answer.empty()) continue;
    CHECK(answer.rfind("HTTP/1.1 503", 0) == 0);
    CHECK(answer.find("Retry-After: 1") != std::string::npos);
    ++refused;
  }
  CHECK(refused >= 1);
  // The slow ones keep sending a byte now and then, well within the read timeout: cut at the
  // deadline all the same, and the server serves again.
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop) {
      for (auto& connection : slow) connection->send("X");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  CHECK(servokit_test::wait_for([&] { return backend_server.post("app", event_body("HELLO", "{}")).status == 200; }));
  for (auto& connection : slow) CHECK(connection->closed_within(std::chrono::seconds(30)));
  stop = true;
  trickle.join();
  CHECK(backend_server.log().find("a connection cut: its request took more than 2000 ms") != std::string::npos);
}

TEST_CASE("the plot is drawn off the request path: no reply waits for gnuplot, and a stop does not either") {
  // A gnuplot that draws until the test releases it (or 60 s pass).
  temp_dir tools;
  const auto started = tools / "started";
  const auto release = tools / "release";
  tools.write("gnuplot", "#!/bin/sh\n[ \"$1\" = -e ] && exit 0\ntouch '" + started.string() +
                             "'\ni=0; while [ ! -e '" + release.string() +
                             "' ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\n");
  std::filesystem::permissions(tools / "gnuplot", std::filesystem::perms::owner_all);
  const std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  ::setenv("PATH", (tools.path().string() + ":" + old_path).c_str(), 1);
  server backend_server(2);
  ::setenv("PATH", old_path.c_str(), 1);

  auto [cmd, uid] = command_of(up_to_measure(backend_server, "app"));
  const std::string measured = R"({"metrics": {"cost": {"value": 4}}})";
  REQUIRE(backend_server.post("app", event_body("MEASUREMENT", measured, uid)).body == R"({"status":"ok"})");
  std::tie(cmd, uid) = command_of(backend_server.post("app", event_body("WHATS_NEXT", "null")).body);
  REQUIRE(cmd == "ADJUST");
  REQUIRE(backend_server.post("app", event_body("ADJUSTMENT", R"({"state": {}})", uid)).status == 200);
  std::tie(cmd, uid) = command_of(backend_server.post("app", event_body("WHATS_NEXT", "null")).body);
  REQUIRE(cmd == "MEASURE");
  REQUIRE(backend_server.post("app", event_body("MEASUREMENT", measured, uid)).status == 200);
  std::tie(cmd, uid) = command_of(backend_server.post("app", event_body("WHATS_NEXT", "null")).body);
  REQUIRE(cmd == "ADJUST");   // the best configuration
  // The last result ends the study and queues the plot: its reply comes back at once...
  CHECK(backend_server.post("app", event_body("ADJUSTMENT", R"({"state": {}})", uid)).body == R"({"status":"ok"})");
  REQUIRE(servokit_test::wait_for([&] { return std::filesystem::exists(started); }));
  // ...and while gnuplot draws, the server answers every app.
  CHECK(command_of(backend_server.post("app", event_body("WHATS_NEXT", "null")).body).first == "SLEEP");
  CHECK(backend_server.post("other", event_body("HELLO", "{}")).status == 200);
  CHECK(backend_server.log().find("convergence.png being drawn") != std::string::npos);
  // A stop does not wait for the drawing: it is cancelled.
  backend_server.process->signal(SIGTERM);
  CHECK(backend_server.process->wait(std::chrono::seconds(30)) == 0);   // gnuplot alone would take 60 s
}

// servokit-optimizer, the backend over HTTP on 127.0.0.1: driven by the real servokit-servo --url
// to the end of a study, and by a test client sending what a broken or hostile client would.
#include <doctest/doctest.h>

#include <signal.h>

#include <string>

#include <servokit/backend/study.hpp>
#include <servokit/http/client.hpp>

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

  explicit server(int budget = 6) {
    dir.write("config.yaml", "optimization:\n  objective: {metric: cost, goal: minimize}\n  budget: " +
                                 std::to_string(budget) + "\n  seed: 2\n  control: {duration: 0}\n");
    dir.write("token", token + "\n");
    process.emplace(dir.path(),
                    std::vector<std::string>{bin_dir + "/servokit-optimizer", "--listen", "127.0.0.1:0", "--config",
                                             "config.yaml", "--study", "study.sqlite", "--report", "reports",
                                             "--auth-token", "token"},
                    dir / "out", dir / "err");
    REQUIRE(wait_for([&] { return read_file(dir / "out").find('\n') != std::string::npos; }));
    const std::string out = read_file(dir / "out");
    const auto start = out.find("http://");
    REQUIRE(start != std::string::npos);
    base_url = out.substr(start, out.find("/accounts") - start);
  }

  std::string endpoint(const std::string& app) const { return base_url + "/accounts/acme/applications/" + app + "/servo"; }

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
                        {bin_dir + "/servokit-servo", "--url", backend_server.endpoint("web"), "--auth-token", "token", "web"},
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

  // The agent is now told to sleep; the app was left in the best configuration.
  const auto next = backend_server.post("web", R"({"event": "WHATS_NEXT", "param": null})");
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

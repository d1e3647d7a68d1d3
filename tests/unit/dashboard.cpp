// The dashboard without a browser: the best configuration against the baseline, the site's
// routes (pages, assets, API), its access rule and headers, the listen address, and the studies
// a restarted server finds in the store. The pages themselves are tested in Chromium
// (tests/browser/dashboard_test.py).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <simdjson.h>

#include <servokit/backend/study.hpp>
#include <servokit/dashboard.hpp>

namespace dashboard = servokit::dashboard;
namespace backend = servokit::backend;

namespace {

backend::trial_record trial(std::int64_t number, std::string settings, std::optional<double> objective,
                            std::string status = "ok", std::string reason = "") {
  backend::trial_record record;
  record.number = number;
  record.settings_json = std::move(settings);
  record.metrics_json = objective ? R"({"latency":)" + std::to_string(*objective) + "}" : "{}";
  record.objective = objective;
  record.status = std::move(status);
  record.reason = std::move(reason);
  record.started = 1000.0 + static_cast<double>(number);
  record.finished = 1000.5 + static_cast<double>(number);
  return record;
}

/// A source holding fixed studies.
class fixed_source final : public dashboard::study_source {
 public:
  std::vector<dashboard::study_details> held;
  std::vector<dashboard::study_details> studies() override { return held; }
  std::optional<dashboard::study_details> study(std::string_view app) override {
    for (const auto& details : held) {
      if (details.overview.app == app) return details;
    }
    return std::nullopt;
  }
};

const dashboard::asset test_assets[] = {
    {"/", "text/html; charset=utf-8", "<!doctype html><title>studies</title>"},
    {"/studies/", "text/html; charset=utf-8", "<!doctype html><title>study</title>"},
    {"/assets/dashboard.js", "text/javascript; charset=utf-8", "'use strict';"},
};

fixed_source hostile_study() {
  fixed_source source;
  dashboard::study_details details;
  details.overview.app = "web";
  details.overview.state = "running";
  details.overview.budget = 10;
  details.overview.trials_done = 3;
  details.overview.objective = "minimize latency";
  details.overview.config_json = R"({"objective":{"metric":"latency","goal":"minimize"}})";
  details.trials = {trial(1, R"({"c":{"<i>x</i>":1}})", 10), trial(2, R"({"c":{"<i>x</i>":2}})", 8),
                    trial(3, R"({"c":{"<i>x</i>":3}})", std::nullopt, "failed", "</script><b>\"boom\"")};
  source.held.push_back(details);
  return source;
}

std::string header(const dashboard::response& reply, std::string_view name) {
  for (const auto& [key, value] : reply.headers) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

TEST_CASE("the best configuration is the best mean over repeats, against the baseline") {
  const std::string a = R"({"c":{"x":1}})";
  const std::string b = R"({"c":{"x":2}})";
  const std::string c = R"({"c":{"x":3}})";
  // b: two repeats around 5.9; c: three around 6; a: the baseline at 10 (its repeat failed).
  const std::vector<backend::trial_record> trials = {trial(1, a, 10), trial(2, c, 6.5), trial(3, b, 5.8), trial(4, c, 5.5),
                                                     trial(5, c, 6.0), trial(6, b, 6.0), trial(7, a, std::nullopt, "failed")};
  SUBCASE("minimize") {
    const auto best = dashboard::summarize_best(trials, false);
    REQUIRE(best.best);
    CHECK(best.best->settings_json == b);
    CHECK(best.best->first_trial == 3);
    CHECK(best.best->repeats == 2);
    CHECK(best.best->mean == doctest::Approx(5.9));
    CHECK(*best.best->spread == doctest::Approx(0.1414).epsilon(0.01));
    REQUIRE(best.baseline);
    CHECK(best.baseline->settings_json == a);
    CHECK(best.baseline->repeats == 1);   // the failed repeat does not count
    CHECK_FALSE(best.baseline->spread);
    CHECK(*best.improvement_percent == doctest::Approx(41.0));
    CHECK(*best.improvement_spread == doctest::Approx(1.414).epsilon(0.01));
  }
  SUBCASE("maximize") {
    const auto best = dashboard::summarize_best(trials, true);
    CHECK(best.best->settings_json == a);
    CHECK(*best.improvement_percent == doctest::Approx(0.0));
  }
  SUBCASE("no successful trial") {
    const auto best = dashboard::summarize_best({trial(1, a, std::nullopt, "failed")}, false);
    CHECK_FALSE(best.best);
    CHECK_FALSE(best.baseline);
    CHECK_FALSE(best.improvement_percent);
  }
  SUBCASE("a failed baseline leaves the gain unknown") {
    const auto best = dashboard::summarize_best({trial(1, a, std::nullopt, "failed"), trial(2, b, 3)}, false);
    CHECK(best.best->settings_json == b);
    CHECK_FALSE(best.baseline);
    CHECK_FALSE(best.improvement_percent);
  }
}

TEST_CASE("the site serves the pages, the assets and the read-only API") {
  auto source = hostile_study();
  const dashboard::site site(source, test_assets);

  SUBCASE("pages and assets, with the CSP and no-sniff on every answer") {
    for (const std::string path : {"/", "/studies/web", "/studies/anything", "/assets/dashboard.js", "/nowhere",
                                   "/api/studies", "/api/studies/web", "/api/nowhere"}) {
      CAPTURE(path);
      const auto reply = site.answer({.path = path});
      CHECK(header(reply, "Content-Security-Policy") == dashboard::content_security_policy);
      CHECK(header(reply, "X-Content-Type-Options") == "nosniff");
    }
    CHECK(site.answer({.path = "/"}).body.find("<title>studies</title>") != std::string::npos);
    CHECK(site.answer({.path = "/studies/web"}).body.find("<title>study</title>") != std::string::npos);
    CHECK(site.answer({.path = "/studies/web/x"}).status == 404);
    CHECK(site.answer({.path = "/assets/none.js"}).status == 404);
    CHECK(site.answer({.path = "/assets/dashboard.js"}).content_type == "text/javascript; charset=utf-8");
  }

  SUBCASE("nothing changes state: every other method is a 405") {
    for (const std::string method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
      const auto reply = site.answer({.method = method, .path = "/api/studies/web"});
      CHECK(reply.status == 405);
      CHECK(header(reply, "Allow") == "GET, HEAD");
    }
  }

  SUBCASE("the API's JSON: names, values and reasons are escaped data") {
    const auto list = site.answer({.path = "/api/studies"});
    REQUIRE(list.status == 200);
    simdjson::dom::parser parser;
    simdjson::dom::element parsed;
    REQUIRE_FALSE(parser.parse(list.body).get(parsed));
    simdjson::dom::array studies = parsed["studies"];
    REQUIRE(studies.size() == 1);
    CHECK(std::string_view(studies.at(0)["app"]) == "web");
    CHECK(int64_t(studies.at(0)["trials"]) == 3);
    CHECK(int64_t(studies.at(0)["best"]["trial"]) == 2);
    CHECK(double(studies.at(0)["improvement_percent"]) == doctest::Approx(20.0));

    const auto one = site.answer({.path = "/api/studies/web"});
    REQUIRE_FALSE(parser.parse(one.body).get(parsed));
    CHECK(std::string_view(parsed["config"]["objective"]["metric"]) == "latency");

    const auto trials = site.answer({.path = "/api/studies/web/trials"});
    REQUIRE_FALSE(parser.parse(trials.body).get(parsed));
    simdjson::dom::array all = parsed["trials"];
    REQUIRE(all.size() == 3);
    CHECK(std::string_view(all.at(2)["reason"]) == "</script><b>\"boom\"");
    CHECK(std::string_view(all.at(2)["status"]) == "failed");
    CHECK(all.at(2)["objective"].is_null());
    CHECK(int64_t(all.at(0)["settings"]["c"]["<i>x</i>"]) == 1);
  }

  SUBCASE("?after=N gives only the later trials; a bad N is a 400") {
    simdjson::dom::parser parser;
    simdjson::dom::element parsed;
    const std::string_view two = "2";
    REQUIRE_FALSE(parser.parse(site.answer({.path = "/api/studies/web/trials", .after = two}).body).get(parsed));
    simdjson::dom::array later = parsed["trials"];
    REQUIRE(later.size() == 1);
    CHECK(int64_t(later.at(0)["number"]) == 3);
    for (const std::string_view bad : {"x", "-1", "2x", ""}) {
      CAPTURE(bad);
      CHECK(site.answer({.path = "/api/studies/web/trials", .after = bad}).status == 400);
    }
  }

  SUBCASE("an unknown app or path is a 404 with a reason") {
    const auto missing = site.answer({.path = "/api/studies/nobody"});
    CHECK(missing.status == 404);
    CHECK(missing.body == R"({"error":"no study of \"nobody\""})");
    CHECK(site.answer({.path = "/api/studies/nobody/trials"}).status == 404);
    CHECK(site.answer({.path = "/api/other"}).status == 404);
    CHECK(site.answer({.path = "/api/studies/web/trials/x"}).status == 404);
  }
}

TEST_CASE("with a token, /api/ needs it and the pages do not") {
  auto source = hostile_study();
  const dashboard::site site(source, test_assets, "t0ken");
  CHECK(site.needs_token());
  const auto refused = site.answer({.path = "/api/studies"});
  CHECK(refused.status == 401);
  CHECK(header(refused, "WWW-Authenticate") == "Bearer");
  CHECK(refused.body.find("t0ken") == std::string::npos);
  CHECK(site.answer({.path = "/api/studies", .authorization = "Bearer t0kem"}).status == 401);
  CHECK(site.answer({.path = "/api/studies", .authorization = "Bearer t0ken2"}).status == 401);
  CHECK(site.answer({.path = "/api/studies", .authorization = "Basic t0ken"}).status == 401);
  CHECK(site.answer({.path = "/api/studies/web/trials", .authorization = "Bearer t0ken"}).status == 200);
  CHECK(site.answer({.path = "/"}).status == 200);
  CHECK(site.answer({.path = "/studies/web"}).status == 200);
}

TEST_CASE("--dashboard takes HOST:PORT, [IPv6]:PORT or a port on loopback") {
  const auto loopback = dashboard::parse_listen_address("8081");
  CHECK(loopback.host == "127.0.0.1");
  CHECK(loopback.port == 8081);
  const auto named = dashboard::parse_listen_address("0.0.0.0:0");
  CHECK(named.host == "0.0.0.0");
  CHECK(named.port == 0);
  CHECK(dashboard::parse_listen_address("[::1]:9000").host == "::1");
  for (const std::string_view bad : {"", "host:", ":80", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x", "web"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(dashboard::parse_listen_address(bad), std::invalid_argument);
  }
  CHECK(dashboard::loopback_host("127.0.0.1"));
  CHECK(dashboard::loopback_host("::1"));
  CHECK_FALSE(dashboard::loopback_host("0.0.0.0"));
  CHECK_FALSE(dashboard::exposure_warning({"127.0.0.1", 80}, ""));
  CHECK_FALSE(dashboard::exposure_warning({"0.0.0.0", 80}, "token"));
  CHECK(dashboard::exposure_warning({"0.0.0.0", 80}, "")->find("without a token") != std::string::npos);
}

TEST_CASE("a server started again shows the studies its store holds before any agent connects") {
  backend::study_database store(":memory:");
  {
    auto transaction = store.begin("stored");
    transaction->create({R"({"application":{}})", "maximize throughput", 1}, 20,
                        R"({"objective":{"metric":"throughput","goal":"maximize"},"budget":20})", 1000);
    transaction->record(trial(1, R"({"c":{"x":1}})", 100));
    transaction->record(trial(2, R"({"c":{"x":2}})", 150));
    transaction->commit();
  }
  dashboard::session_source source(&store);
  const auto listed = source.studies();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].overview.app == "stored");
  CHECK(listed[0].overview.state == "running");
  CHECK(listed[0].overview.trials_done == 2);
  CHECK(listed[0].overview.budget == 20);
  CHECK(listed[0].overview.maximize);
  CHECK(listed[0].trials.size() == 2);
  const auto details = source.study("stored");
  REQUIRE(details);
  CHECK(details->trials.size() == 2);
  CHECK(dashboard::summarize_best(details->trials, true).best->first_trial == 2);
  CHECK_FALSE(source.study("other"));
  store.mark_finished("stored", R"({"c":{"x":2}})");
  source.refresh();   // requests see a snapshot, at most one poll old
  CHECK(source.studies()[0].overview.state == "done");
}

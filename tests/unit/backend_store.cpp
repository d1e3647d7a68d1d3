// The study store: one interface, every store. The same checks run against each store; the SQLite
// store's own concerns (files written by the first schema, a newer schema) follow them.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <servokit/backend/study.hpp>

#include "temp_dir.hpp"

namespace backend = servokit::backend;
using servokit_test::temp_dir;

namespace {

backend::study_identity identity_of(std::string objective) {
  return {R"({"application":{"components":{"job":{"settings":{"threads":{"type":"range","min":1,"max":8,"step":1,"value":1}}}}}})",
          std::move(objective), 7};
}

backend::trial_record trial(std::int64_t number, double objective, std::string servo_uid = "") {
  backend::trial_record record;
  record.number = number;
  record.settings_json = R"({"job":{"threads":)" + std::to_string(number) + "}}";
  record.metrics_json = R"({"latency":)" + std::to_string(objective) + "}";
  record.objective = objective;
  record.status = "ok";
  record.started = 1000.0 + static_cast<double>(number);
  record.finished = 1000.5 + static_cast<double>(number);
  record.servo_uid = std::move(servo_uid);
  return record;
}

/// A study's whole life through the interface: created, trials issued to two servos, recorded
/// once each, servo states kept, and its state as a list of studies shows it.
void check_study_life(backend::study_store& store) {
  CHECK_FALSE(store.identity("web"));
  CHECK(store.studies().empty());
  {
    auto transaction = store.begin("web");
    CHECK(transaction->app() == "web");
    transaction->create(identity_of("latency (minimize)"), 12, R"({"budget":12})", 900.0);
    CHECK_THROWS_WITH_AS(transaction->create(identity_of("x"), 1, "{}", 901.0), doctest::Contains("exists already"),
                         backend::store_error);
    transaction->commit();
  }
  {
    auto transaction = store.begin("db");
    transaction->create(identity_of("throughput (maximize)"), 3, "{}", 950.0);
    transaction->commit();
  }
  const auto identity = store.identity("web");
  REQUIRE(identity);
  CHECK(identity->objective == "latency (minimize)");
  CHECK(identity->seed == 7);

  {
    auto transaction = store.begin("web");
    transaction->save_pending({1, R"({"job":{"threads":1}})", "servo-a", 1001.0, 1061.0}, 1001.0);
    transaction->save_pending({2, R"({"job":{"threads":2}})", "servo-b", 1002.0, 1062.0}, 1002.0);
    transaction->save_servo({"servo-a", R"({"phase":"measuring"})", 1001.0});
    transaction->commit();
  }
  auto pending = store.pending("web");
  REQUIRE(pending.size() == 2);
  CHECK(pending[1].servo_uid == "servo-b");
  CHECK(pending[1].lease_expires == doctest::Approx(1062.0));
  {
    // The lease of trial 2 ran out: it goes to servo-c, keeping its number and start.
    auto transaction = store.begin("web");
    transaction->save_pending({2, R"({"job":{"threads":2}})", "servo-c", 1002.0, 1130.0}, 1070.0);
    transaction->save_servo({"servo-a", R"({"phase":"idle"})", 1071.0});
    CHECK(transaction->record(trial(2, 4.5, "servo-c")));
    CHECK_FALSE(transaction->record(trial(2, 9.9, "servo-b")));   // the late result of the first lease
    transaction->commit();
  }
  {
    auto transaction = store.begin("web");
    REQUIRE(transaction->pending().size() == 1);
    CHECK(transaction->pending().front().number == 1);
    CHECK(transaction->record(trial(1, 5.0, "servo-a")));
    const auto servo = transaction->servo("servo-a");
    REQUIRE(servo);
    CHECK(servo->state_json == R"({"phase":"idle"})");
    CHECK(servo->last_seen == doctest::Approx(1071.0));
    CHECK_FALSE(transaction->servo("servo-z"));
    CHECK(transaction->servos().size() == 1);
    transaction->commit();
  }
  const auto trials = store.trials("web");
  REQUIRE(trials.size() == 2);
  CHECK(trials[0].number == 1);
  CHECK(trials[1].number == 2);
  CHECK(trials[1].objective == doctest::Approx(4.5));
  CHECK(trials[1].servo_uid == "servo-c");
  CHECK(trials[1].metrics_json == R"({"latency":4.500000})");
  CHECK(store.pending("web").empty());

  auto studies = store.studies();
  REQUIRE(studies.size() == 2);
  CHECK(studies[0].app == "db");
  CHECK(studies[1].app == "web");
  CHECK(studies[1].budget == 12);
  CHECK(studies[1].config_json == R"({"budget":12})");
  CHECK(studies[1].state == "running");
  CHECK(studies[1].trials == 2);
  CHECK(studies[1].running == 0);
  CHECK(studies[1].created == doctest::Approx(900.0));
  CHECK(studies[1].last_activity == doctest::Approx(1001.5));   // trial 1's finish, the last change

  {
    auto transaction = store.begin("db");
    transaction->mark_failed("the adjust driver's descriptor is not valid", 1200.0);
    transaction->commit();
  }
  auto failed = store.summary("db");
  REQUIRE(failed);
  CHECK(failed->state == "failed");
  CHECK(failed->failure == "the adjust driver's descriptor is not valid");
  {
    auto transaction = store.begin("db");
    transaction->mark_running(1300.0);
    transaction->commit();
  }
  CHECK(store.summary("db")->state == "running");
  CHECK(store.summary("db")->failure.empty());
  {
    auto transaction = store.begin("web");
    transaction->mark_finished(R"({"job":{"threads":2}})", 1400.0);
    transaction->commit();
  }
  const auto done = store.summary("web");
  REQUIRE(done);
  CHECK(done->state == "finished");
  CHECK(done->finished_settings_json == std::optional<std::string>(R"({"job":{"threads":2}})"));
  CHECK(done->last_activity == doctest::Approx(1400.0));
}

/// A transaction dropped without commit (an exception halfway) leaves the study as it was.
void check_rollback(backend::study_store& store) {
  {
    auto transaction = store.begin("web");
    transaction->create(identity_of("latency (minimize)"), 5, "{}", 10.0);
    transaction->commit();
  }
  {
    auto transaction = store.begin("web");
    transaction->save_pending({1, "{}", "", 11.0, 71.0}, 11.0);
    CHECK(transaction->record(trial(1, 3.0)));
    transaction->mark_failed("disk full", 12.0);
  }
  CHECK(store.trials("web").empty());
  CHECK(store.pending("web").empty());
  CHECK(store.summary("web")->state == "running");
}

/// While one connection (another process, for SQLite) holds an app's transaction, a second one
/// waits for it and then sees its changes.
void check_lock(backend::study_store& first, backend::study_store& second) {
  {
    auto transaction = first.begin("web");
    transaction->create(identity_of("latency (minimize)"), 5, "{}", 10.0);
    transaction->commit();
  }
  auto holding = first.begin("web");
  std::atomic<bool> entered{false};
  std::int64_t seen_running = -1;
  std::thread other([&] {
    auto transaction = second.begin("web");
    entered = true;
    seen_running = static_cast<std::int64_t>(transaction->pending().size());
    transaction->save_pending({2, "{}", "servo-b", 20.0, 80.0}, 20.0);
    transaction->commit();
  });
  // Not a timing assertion: on a slow machine the other thread simply has had less chance to
  // cut in; it must never get in before the commit.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(entered.load());
  holding->save_pending({1, "{}", "servo-a", 15.0, 75.0}, 15.0);
  holding->commit();
  holding.reset();
  other.join();
  CHECK(entered.load());
  CHECK(seen_running == 1);
  CHECK(first.pending("web").size() == 2);
}

}  // namespace

TEST_CASE("sqlite store: a study's life, rollback, and the lock between two connections") {
  temp_dir dir;
  SUBCASE("life") {
    backend::sqlite_study_store store((dir / "life.sqlite").string());
    check_study_life(store);
  }
  SUBCASE("in memory") {
    backend::sqlite_study_store store(":memory:");
    check_study_life(store);
  }
  SUBCASE("rollback") {
    backend::sqlite_study_store store((dir / "rollback.sqlite").string());
    check_rollback(store);
  }
  SUBCASE("lock") {
    backend::sqlite_study_store first((dir / "lock.sqlite").string());
    backend::sqlite_study_store second((dir / "lock.sqlite").string());
    check_lock(first, second);
  }
}

TEST_CASE("sqlite store: a file written by the first schema is migrated, its trials kept") {
  temp_dir dir;
  const auto file = (dir / "old.sqlite").string();
  {
    // Exactly what the first servokit-optimizer wrote.
    backend::sqlite_database old(file);
    old.execute(
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE IF NOT EXISTS studies ("
        "  app TEXT PRIMARY KEY, descriptor TEXT NOT NULL, objective TEXT NOT NULL, seed INTEGER NOT NULL,"
        "  created REAL NOT NULL, finished_settings TEXT);"
        "CREATE TABLE IF NOT EXISTS trials ("
        "  app TEXT NOT NULL, number INTEGER NOT NULL, settings TEXT NOT NULL, metrics TEXT NOT NULL,"
        "  objective REAL, status TEXT NOT NULL, reason TEXT NOT NULL, started REAL NOT NULL, finished REAL NOT NULL,"
        "  PRIMARY KEY (app, number));"
        "INSERT INTO studies VALUES ('web', '{\"application\":{}}', 'latency (minimize)', 7, 100.0, NULL);"
        "INSERT INTO studies VALUES ('db', '{\"application\":{}}', 'qps (maximize)', 1, 50.0, '{\"db\":{\"x\":1}}');"
        "INSERT INTO trials VALUES ('web', 1, '{\"job\":{\"threads\":1}}', '{\"latency\":5}', 5.0, 'ok', '', 101.0, 102.0);"
        "INSERT INTO trials VALUES ('web', 2, '{\"job\":{\"threads\":2}}', '{}', NULL, 'failed', 'measure failed: x', 103.0, 104.0);"
        "INSERT INTO trials VALUES ('db', 1, '{}', '{\"qps\":9}', 9.0, 'ok', '', 51.0, 52.0);");
  }
  for (int opening = 0; opening < 2; ++opening) {   // the second opening finds it migrated
    backend::sqlite_study_store store(file);
    const auto trials = store.trials("web");
    REQUIRE(trials.size() == 2);
    CHECK(trials[0].settings_json == R"({"job":{"threads":1}})");
    CHECK(trials[0].objective == doctest::Approx(5.0));
    CHECK_FALSE(trials[1].objective);
    CHECK(trials[1].reason == "measure failed: x");
    CHECK(trials[1].servo_uid.empty());
    const auto studies = store.studies();
    REQUIRE(studies.size() == 2);
    CHECK(studies[0].app == "db");
    CHECK(studies[0].state == "finished");
    CHECK(studies[0].last_activity == doctest::Approx(52.0));
    CHECK(studies[1].state == "running");
    CHECK(studies[1].identity.objective == "latency (minimize)");
    CHECK(studies[1].identity.seed == 7);
    CHECK(studies[1].budget == 0);   // the first schema did not keep it
    CHECK(studies[1].last_activity == doctest::Approx(104.0));
    CHECK(studies[1].trials == 2);
  }
  backend::sqlite_database check(file);
  auto version = check.prepare("SELECT MAX(version), COUNT(*) FROM schema_version");
  REQUIRE(version.step());
  CHECK(version.integer(0) == backend::study_schema_version);
  CHECK(version.integer(1) == backend::study_schema_version);
}

TEST_CASE("sqlite store: a store written by a newer servokit is refused, naming both versions, and left alone") {
  temp_dir dir;
  const auto file = (dir / "newer.sqlite").string();
  { backend::sqlite_study_store store(file); }
  {
    backend::sqlite_database database(file);
    database.execute("INSERT INTO schema_version (version) VALUES (99)");
  }
  CHECK_THROWS_WITH_AS(backend::sqlite_study_store{file},
                       doctest::Contains("schema version 99, written by a newer servokit; this one knows up to version 2"),
                       backend::store_error);
  backend::sqlite_database database(file);
  auto version = database.prepare("SELECT MAX(version) FROM schema_version");
  REQUIRE(version.step());
  CHECK(version.integer(0) == 99);
}

TEST_CASE("sqlite store: the sequential session's shortcuts keep refusing a trial out of sequence") {
  backend::study_database store(":memory:");
  store.create("web", identity_of("latency (minimize)"), 1.0);
  store.record("web", trial(1, 2.0));
  CHECK_THROWS_WITH_AS(store.record("web", trial(3, 2.0)), doctest::Contains("out of sequence"), backend::store_error);
  CHECK_THROWS_AS(store.record("web", trial(1, 2.0)), backend::store_error);
  CHECK(store.trials("web").size() == 1);
}

// The study store: one interface, every store. The same checks run against each store; the SQLite
// store's own concerns (files written by the first schema, a newer schema) follow them.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <servokit/backend/postgres_store.hpp>
#include <servokit/backend/study.hpp>

#include "postgres_cluster.hpp"
#include "temp_dir.hpp"

namespace backend = servokit::backend;
using servokit_test::postgres_cluster;
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

  // A re-measurement of the confirmation phase keeps its mark (schema version 3).
  {
    auto transaction = store.begin("web");
    auto confirming = trial(13, 4.4, "servo-a");
    confirming.confirmation = true;
    CHECK(transaction->record(confirming));
    transaction->commit();
  }
  const auto with_confirmation = store.trials("web");
  REQUIRE(with_confirmation.size() == 3);
  CHECK_FALSE(with_confirmation[1].confirmation);
  CHECK(with_confirmation[2].number == 13);
  CHECK(with_confirmation[2].confirmation);
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
                       doctest::Contains(("schema version 99, written by a newer servokit; this one knows up to version " +
                                          std::to_string(backend::study_schema_version)).c_str()),
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
  CHECK_THROWS_WITH_AS(store.record("web", trial(3, 2.0)), doctest::Contains("out of sequence"), backend::study_conflict);
  CHECK_THROWS_AS(store.record("web", trial(1, 2.0)), backend::study_conflict);
  CHECK(store.trials("web").size() == 1);
}

TEST_CASE("postgres store: a study's life, rollback, and the lock between two replicas' pools") {
  auto* cluster = postgres_cluster::shared();
  if (!cluster) return;   // skipped, with the reason on stderr
  SUBCASE("life") {
    backend::postgres_study_store store(cluster->fresh_database());
    check_study_life(store);
  }
  SUBCASE("rollback") {
    backend::postgres_study_store store(cluster->fresh_database());
    check_rollback(store);
  }
  SUBCASE("lock") {
    const auto uri = cluster->fresh_database();
    backend::postgres_study_store first(uri);
    backend::postgres_study_store second(uri);
    check_lock(first, second);
  }
}

TEST_CASE("postgres store: replicas opening one empty database at once migrate it once") {
  auto* cluster = postgres_cluster::shared();
  if (!cluster) return;
  const auto uri = cluster->fresh_database();
  std::vector<std::thread> replicas;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      backend::postgres_study_store store(uri);
      ++opened;
    });
  }
  for (auto& replica : replicas) replica.join();
  CHECK(opened == 4);
  backend::postgres_connection check(uri);
  auto version = check.prepare("SELECT MAX(version), COUNT(*) FROM schema_version");
  REQUIRE(version.step());
  CHECK(version.integer(0) == backend::study_schema_version);
  CHECK(version.integer(1) == backend::study_schema_version);
}

TEST_CASE("postgres store: a replica that dies holding an app's lock releases it") {
  auto* cluster = postgres_cluster::shared();
  if (!cluster) return;
  const auto uri = cluster->fresh_database();
  backend::postgres_study_store survivor(uri);
  {
    auto transaction = survivor.begin("web");
    transaction->create(identity_of("latency (minimize)"), 5, "{}", 10.0);
    transaction->commit();
  }
  auto dying = std::make_unique<backend::postgres_study_store>(uri);
  auto held = dying->begin("web");
  held->save_pending({1, "{}", "servo-a", 11.0, 71.0}, 11.0);
  // The server ends the dead replica's session (as when its process is SIGKILLed): its lock and its
  // uncommitted trial go with it.
  backend::postgres_connection admin(uri);
  admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND "
                "pid <> pg_backend_pid() AND state = 'idle in transaction'");
  auto transaction = survivor.begin("web");
  CHECK(transaction->pending().empty());
  transaction->commit();
  CHECK_THROWS_AS(held->commit(), backend::store_error);
  held.reset();
  dying.reset();
}

TEST_CASE("postgres store: an unreachable server is one clear error, naming it without the password") {
  auto* cluster = postgres_cluster::shared();
  if (!cluster) return;
  CHECK_THROWS_WITH_AS(
      backend::postgres_study_store("postgresql://servokit:hunter2@127.0.0.1:" + std::to_string(cluster->port()) +
                                    "/no_such_database"),
      doctest::Contains("postgresql://servokit:***@127.0.0.1:"), backend::store_error);
  try {
    backend::postgres_study_store store("postgresql://servokit:hunter2@127.0.0.1:1/x?password=hunter2");
    FAIL("connected to port 1");
  } catch (const backend::store_error& failure) {
    const std::string message = failure.what();
    CHECK(message.find("hunter2") == std::string::npos);
    CHECK(message.find("cannot connect to the study database") != std::string::npos);
  }
  CHECK(backend::redact_postgres_uri("postgres://u:p@h:1/d?password=q&sslmode=disable") ==
        "postgres://u:***@h:1/d?password=***&sslmode=disable");
  CHECK(backend::postgres_parameters("SELECT '?1', ?2, \"?3\" FROM t WHERE a = ?10") ==
        "SELECT '?1', $2, \"?3\" FROM t WHERE a = $10");
}

TEST_CASE("open_study_store: a postgresql:// or postgres:// URI is PostgreSQL, anything else an SQLite file") {
  temp_dir dir;
  auto sqlite = backend::open_study_store((dir / "studies.sqlite").string());
  CHECK(sqlite->location() == (dir / "studies.sqlite").string());
  CHECK(std::filesystem::exists(dir / "studies.sqlite"));
  CHECK(backend::is_postgres_uri("postgres://u@h/d"));
  CHECK(backend::is_postgres_uri("postgresql://u@h/d"));
  CHECK_FALSE(backend::is_postgres_uri("postgresql.sqlite"));
  auto* cluster = postgres_cluster::shared();
  if (!cluster) return;
  const auto uri = cluster->fresh_database();
  auto postgres = backend::open_study_store("postgres://" + uri.substr(std::string("postgresql://").size()));
  CHECK(postgres->studies().empty());
}

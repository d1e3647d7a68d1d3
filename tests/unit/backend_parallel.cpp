// Parallel trials of one app: which trial each servo runs (a different configuration each, a cap
// on trials at once, a vanished servo's trial given to another after its lease), and each result
// recorded once, never beyond the budget.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <servokit/backend/study.hpp>
#include <servokit/backend/trial_scheduler.hpp>

namespace backend = servokit::backend;
using kind = backend::trial_assignment::kind;

namespace {

/// A store with one study, and an optimizer stand-in that proposes `{"job":{"n":K}}` with K one
/// more than every configuration it is told runs, so that a repeated configuration shows.
struct fixture {
  backend::sqlite_study_store store{":memory:"};
  std::vector<std::vector<std::string>> asked_with;   // the running settings of each ask

  fixture() {
    auto transaction = store.begin("web");
    transaction->create({"{}", "latency (minimize)", 1}, 6, "{}", 0.0);
    transaction->commit();
  }

  backend::trial_scheduler::ask_function ask() {
    return [this](const std::vector<std::string>& running) {
      asked_with.push_back(running);
      return R"({"job":{"n":)" + std::to_string(running.size() + 10 * asked_with.size()) + "}}";
    };
  }

  backend::trial_assignment next(const backend::trial_scheduler& scheduler, const std::string& servo, double now) {
    auto transaction = store.begin("web");
    const auto recorded = transaction->trials();
    auto answer = scheduler.next(*transaction, servo, recorded, ask(), now);
    transaction->commit();
    return answer;
  }

  bool record(const backend::trial_scheduler& scheduler, const backend::trial_assignment& assigned, double now,
              const std::string& servo) {
    backend::trial_record trial;
    trial.number = assigned.trial.number;
    trial.settings_json = assigned.trial.settings_json;
    trial.objective = 1.0;
    trial.status = "ok";
    trial.started = assigned.trial.started;
    trial.finished = now;
    trial.servo_uid = servo;
    auto transaction = store.begin("web");
    const bool recorded = scheduler.record(*transaction, trial);
    transaction->commit();
    return recorded;
  }
};

}  // namespace

TEST_CASE("each servo gets its own trial with a different configuration; the budget bounds what is issued") {
  fixture f;
  backend::trial_scheduler scheduler({6, std::nullopt, 60});
  const auto a = f.next(scheduler, "servo-a", 100);
  const auto b = f.next(scheduler, "servo-b", 101);
  const auto c = f.next(scheduler, "servo-c", 102);
  REQUIRE(a.what == kind::run);
  REQUIRE(b.what == kind::run);
  REQUIRE(c.what == kind::run);
  CHECK(a.trial.number == 1);
  CHECK(b.trial.number == 2);
  CHECK(c.trial.number == 3);
  // Each ask saw the configurations already running: the optimizer can keep them apart.
  REQUIRE(f.asked_with.size() == 3);
  CHECK(f.asked_with[0].empty());
  CHECK(f.asked_with[1] == std::vector<std::string>{a.trial.settings_json});
  CHECK(f.asked_with[2] == std::vector<std::string>{a.trial.settings_json, b.trial.settings_json});
  CHECK(a.trial.settings_json != b.trial.settings_json);
  CHECK(b.trial.lease_expires == doctest::Approx(161));

  // Asking again (a restarted servo) gives the same trial, with a fresh lease, asking nothing.
  const auto again = f.next(scheduler, "servo-b", 130);
  CHECK(again.what == kind::run);
  CHECK(again.trial.number == 2);
  CHECK(again.trial.started == doctest::Approx(101));
  CHECK(again.trial.lease_expires == doctest::Approx(190));
  CHECK(f.asked_with.size() == 3);

  // Six issued: a seventh servo waits, and the study never holds more than six.
  CHECK(f.next(scheduler, "servo-d", 103).what == kind::run);
  CHECK(f.next(scheduler, "servo-e", 104).what == kind::run);
  CHECK(f.next(scheduler, "servo-f", 105).what == kind::run);
  const auto seventh = f.next(scheduler, "servo-g", 106);
  CHECK(seventh.what == kind::wait);
  CHECK(seventh.wait_seconds >= 1);
  CHECK(f.store.pending("web").size() == 6);
  CHECK(f.record(scheduler, a, 110, "servo-a"));
  CHECK(f.next(scheduler, "servo-a", 111).what == kind::wait);   // the rest of the budget runs
}

TEST_CASE("optimization.parallel caps the trials at once; the others wait until one is recorded") {
  fixture f;
  backend::trial_scheduler scheduler({6, 2, 60});
  const auto a = f.next(scheduler, "servo-a", 100);
  const auto b = f.next(scheduler, "servo-b", 100);
  REQUIRE(a.what == kind::run);
  REQUIRE(b.what == kind::run);
  const auto c = f.next(scheduler, "servo-c", 101);
  CHECK(c.what == kind::wait);
  CHECK(c.wait_seconds <= 5);
  CHECK(f.record(scheduler, a, 102, "servo-a"));
  const auto freed = f.next(scheduler, "servo-c", 103);
  REQUIRE(freed.what == kind::run);
  CHECK(freed.trial.number == 3);
  CHECK(f.next(scheduler, "servo-a", 104).what == kind::wait);
}

TEST_CASE("a vanished servo's trial goes to another after its lease; its late result counts once") {
  fixture f;
  backend::trial_scheduler scheduler({6, 1, 60});
  const auto lost = f.next(scheduler, "servo-a", 100);
  REQUIRE(lost.what == kind::run);
  CHECK(f.next(scheduler, "servo-b", 130).what == kind::wait);   // within the lease
  {
    // A sign of life from servo-a renews it.
    auto transaction = f.store.begin("web");
    scheduler.renew(*transaction, lost.trial.number, "servo-a", 150);
    scheduler.renew(*transaction, lost.trial.number, "servo-z", 500);   // not its trial: ignored
    transaction->commit();
  }
  CHECK(f.store.pending("web").front().lease_expires == doctest::Approx(210));
  CHECK(f.next(scheduler, "servo-b", 200).what == kind::wait);
  const auto taken = f.next(scheduler, "servo-b", 211);
  REQUIRE(taken.what == kind::run);
  CHECK(taken.taken_over);
  CHECK(taken.trial.number == lost.trial.number);
  CHECK(taken.trial.settings_json == lost.trial.settings_json);
  CHECK(taken.trial.servo_uid == "servo-b");
  CHECK(taken.trial.started == doctest::Approx(211));
  CHECK(f.asked_with.size() == 1);   // the same configuration, not a new one

  CHECK(f.record(scheduler, taken, 230, "servo-b"));
  CHECK_FALSE(f.record(scheduler, lost, 240, "servo-a"));   // late: already recorded
  const auto trials = f.store.trials("web");
  REQUIRE(trials.size() == 1);
  CHECK(trials.front().servo_uid == "servo-b");
  CHECK(f.store.pending("web").empty());
}

TEST_CASE("never more than the budget is recorded; a spent budget is said so") {
  fixture f;
  backend::trial_scheduler scheduler({2, std::nullopt, 60});
  const auto a = f.next(scheduler, "servo-a", 1);
  const auto b = f.next(scheduler, "servo-b", 1);
  CHECK(f.record(scheduler, a, 2, "servo-a"));
  CHECK(f.record(scheduler, b, 2, "servo-b"));
  CHECK(f.next(scheduler, "servo-c", 3).what == kind::budget_spent);
  backend::trial_assignment beyond = a;
  beyond.trial.number = 3;
  CHECK_FALSE(f.record(scheduler, beyond, 4, "servo-a"));
  CHECK(f.store.trials("web").size() == 2);
}

// The optimize layer: the `optimization:` config, the objective over metrics, and the ask/tell
// optimizer's suggestions (always valid, reproducible, steered by failures, better than the baseline).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <servokit/config.hpp>
#include <servokit/json.hpp>
#include <servokit/optimize.hpp>

namespace opt = servokit::optimize;
using servokit::application;
using servokit::ordered_map;
using servokit::scalar;

namespace {

application descriptor_of(const std::string& json) {
  return servokit::json::read<servokit::application_descriptor>(json).application;
}

/// Ranges with integer, decimal, non-dividing and float steps, a continuous range, enums of
/// strings and numbers, and a pinned setting.
const char* const every_kind = R"({"application": {"components": {
  "web": {"settings": {
    "cpu":      {"type": "range", "min": 0.25, "max": 4, "step": 0.25, "value": 1},
    "replicas": {"type": "range", "min": 1, "max": 50, "step": 1, "value": 3},
    "odd":      {"type": "range", "min": 0, "max": 10, "step": 3, "value": 3},
    "ratio":    {"type": "range", "min": 0.1, "max": 1, "step": 0.1, "value": 0.5},
    "fstep":    {"type": "range", "min": 0.3, "max": 2.0, "step": 0.7, "value": 1.0},
    "free":     {"type": "range", "min": -1, "max": 1, "value": 0},
    "pin":      {"type": "range", "min": 0, "max": 8, "step": 1, "value": 5, "pinned": true}}},
  "db": {"settings": {
    "inst":     {"type": "enum", "values": ["c5.large", "m5.large", "r5.large"], "value": "m5.large"},
    "threads":  {"type": "enum", "values": [1, 2, 4, 8], "value": 2},
    "mode":     {"type": "enum", "values": ["wal"], "value": "wal"}}}}}})";

opt::objective goal(const std::string& metric, const char* direction = "minimize") {
  opt::optimization_config config;
  config.objective.metric = metric;
  config.objective.goal = direction;
  return opt::objective(config);
}
opt::objective minimize(const std::string& metric) { return goal(metric); }

double number(const opt::configuration& settings, const char* component, const char* setting) {
  return *servokit::numeric_value(settings.at(component).at(setting));
}

/// Two ranges and an enum, the baseline far from the optimum (x = 7, y = 0.3, mode = "b").
const char* const small_space = R"({"application": {"components": {"app": {"settings": {
    "x":    {"min": 0, "max": 10, "step": 1, "value": 1},
    "y":    {"min": 0, "max": 1, "step": 0.05, "value": 0.9},
    "mode": {"type": "enum", "values": ["a", "b", "c"], "value": "a"}}}}}})";

double small_space_cost(const opt::configuration& settings) {
  const double x = number(settings, "app", "x");
  const double y = number(settings, "app", "y");
  const std::string mode = std::get<std::string>(settings.at("app").at("mode"));
  return 1 + (x - 7) * (x - 7) / 10 + 4 * (y - 0.3) * (y - 0.3) + (mode == "b" ? 0 : mode == "a" ? 1.5 : 0.8);
}

/// The configuration of `small_space` at (x, y, mode).
opt::configuration small_space_at(double x, double y, const char* mode) {
  return opt::configuration{{"app", {{"x", scalar(x)}, {"y", scalar(y)}, {"mode", scalar(std::string(mode))}}}};
}

/// Whether `settings` is `small_space`'s (x, y, mode).
bool small_space_is_at(const opt::configuration& settings, double x, double y, const std::string& mode) {
  return number(settings, "app", "x") == x && std::abs(number(settings, "app", "y") - y) < 1e-9 &&
         std::get<std::string>(settings.at("app").at("mode")) == mode;
}

/// Runs `trials` trials of `search` on `cost` (failing where `fails` says), returning what was asked.
std::vector<opt::configuration> drive(opt::optimizer& search, int trials, const std::function<double(const opt::configuration&)>& cost,
                                      const std::function<bool(const opt::configuration&)>& fails = nullptr) {
  std::vector<opt::configuration> asked;
  for (int trial = 0; trial < trials; ++trial) {
    auto settings = search.ask();
    asked.push_back(settings);
    if (fails && fails(settings)) {
      search.tell(settings, opt::trial_status::failed, std::nullopt);
    } else {
      search.tell(settings, opt::trial_status::ok, cost(settings));
    }
  }
  return asked;
}

}  // namespace

TEST_CASE("every suggestion is a value the adjust driver accepts") {
  const application app = descriptor_of(every_kind);
  opt::optimizer search(app, minimize("cost"), 7);
  for (int trial = 0; trial < 60; ++trial) {
    const opt::configuration settings = search.ask();
    servokit::application request;
    for (const auto& [component, values] : settings) {
      for (const auto& [name, value] : values) request.components[component].settings[name].value = value;
    }
    CAPTURE(trial);
    CHECK_NOTHROW(servokit::validate_adjustment(app, request));
    const auto& web = settings.at("web");
    CHECK(std::holds_alternative<std::int64_t>(web.at("replicas")));
    CHECK(std::holds_alternative<std::int64_t>(web.at("odd")));
    CHECK(std::get<std::int64_t>(web.at("odd")) <= 9);
    CHECK(std::get<double>(web.at("fstep")) <= 2.0);
    CHECK(web.at("pin") == scalar{std::int64_t{5}});
    // Decimal steps give the short decimal a person wrote, not 0.30000000000000004.
    const double ratio = std::get<double>(web.at("ratio"));
    CHECK(ratio == std::round(ratio * 10) / 10);
    const double free = std::get<double>(web.at("free"));
    CHECK((free >= -1 && free <= 1));
    CHECK(settings.at("db").at("mode") == scalar{std::string("wal")});
    search.tell(settings, opt::trial_status::ok, 1.0 + trial % 7);
  }
}

TEST_CASE("the first suggestion is the baseline, integers stay integers") {
  opt::optimizer search(descriptor_of(every_kind), minimize("cost"), 1);
  const auto first = search.ask();
  CHECK(first.at("web").at("cpu") == scalar{1.0});
  CHECK(first.at("web").at("replicas") == scalar{std::int64_t{3}});
  CHECK(first.at("db").at("inst") == scalar{std::string("m5.large")});
  CHECK(first.at("db").at("threads") == scalar{std::int64_t{2}});
  CHECK(search.ask() == first);   // asking again without telling changes nothing
  CHECK(search.trials() == 0);
  CHECK_FALSE(search.best().has_value());
}

TEST_CASE("the same seed and answers give the same suggestions; another seed others") {
  const application app = descriptor_of(small_space);
  opt::optimizer first(app, minimize("cost"), 42);
  opt::optimizer second(app, minimize("cost"), 42);
  opt::optimizer other(app, minimize("cost"), 43);
  auto first_asked = drive(first, 20, small_space_cost);
  auto second_asked = drive(second, 20, small_space_cost);
  auto other_asked = drive(other, 20, small_space_cost);
  CHECK(first_asked == second_asked);
  CHECK(first_asked != other_asked);
  CHECK(first_asked.front() == other_asked.front());   // both start from the baseline
}

TEST_CASE("a rebuilt optimizer told the stored trials continues exactly as the first") {
  const application app = descriptor_of(small_space);
  opt::optimizer original(app, minimize("cost"), 9);
  std::vector<std::pair<opt::configuration, std::optional<double>>> stored;
  for (int trial = 0; trial < 24; ++trial) {
    auto settings = original.ask();
    const bool failed = number(settings, "app", "y") > 0.8 && trial > 0;
    std::optional<double> value = failed ? std::nullopt : std::optional(small_space_cost(settings));
    original.tell(settings, failed ? opt::trial_status::failed : opt::trial_status::ok, value);
    stored.emplace_back(settings, value);
    if (trial == 6 || trial == 15) {
      // A crash here: a new optimizer replays what the study holds, then must agree from now on.
      opt::optimizer resumed(app, minimize("cost"), 9);
      for (const auto& [settings_told, value_told] : stored) {
        resumed.tell(settings_told, value_told ? opt::trial_status::ok : opt::trial_status::failed, value_told);
      }
      CHECK(resumed.trials() == original.trials());
      CHECK(resumed.ask() == original.ask());
      auto resumed_asked = drive(resumed, 5, small_space_cost);
      opt::optimizer copy(app, minimize("cost"), 9);
      for (const auto& [settings_told, value_told] : stored) {
        copy.tell(settings_told, value_told ? opt::trial_status::ok : opt::trial_status::failed, value_told);
      }
      CHECK(drive(copy, 5, small_space_cost) == resumed_asked);
    }
  }
}

TEST_CASE("asks with the pending trials give distinct suggestions, the same for the same history") {
  const application app = descriptor_of(small_space);
  // Before any trial, within the design, and once the model leads the search.
  for (int told : {0, 3, 12}) {
    CAPTURE(told);
    opt::optimizer search(app, minimize("cost"), 5);
    opt::optimizer twin(app, minimize("cost"), 5);
    drive(search, told, small_space_cost);
    drive(twin, told, small_space_cost);
    std::vector<opt::configuration> pending;
    for (int trial = 0; trial < 4; ++trial) {
      auto settings = search.ask(pending);
      CHECK(settings == search.ask(pending));   // a pure function: asking again changes nothing
      CHECK(settings == twin.ask(pending));
      CHECK(std::find(pending.begin(), pending.end(), settings) == pending.end());
      pending.push_back(settings);
    }
    CHECK(search.trials() == static_cast<std::size_t>(told));
    // Without pending trials the first of them is what ask() alone suggests.
    CHECK(search.ask() == search.ask(std::span<const opt::configuration>(pending.data(), 0)));
    CHECK(search.ask() == pending.front());
  }
}

TEST_CASE("a search in batches of four pending trials finds a clearly better configuration") {
  const application app = descriptor_of(small_space);
  const double baseline_cost = small_space_cost(opt::optimizer(app, minimize("cost"), 1).ask());
  for (std::uint64_t seed : {1, 2, 3}) {
    opt::optimizer search(app, minimize("cost"), seed);
    for (int batch = 0; batch < 7; ++batch) {
      std::vector<opt::configuration> pending;
      for (int slot = 0; slot < 4; ++slot) pending.push_back(search.ask(pending));
      for (const auto& settings : pending) search.tell(settings, opt::trial_status::ok, small_space_cost(settings));
    }
    REQUIRE(search.best().has_value());
    CHECK(small_space_cost(search.best()->settings) < 1 + 0.3 * (baseline_cost - 1));
  }
}

TEST_CASE("a pending configuration the descriptor does not allow is refused") {
  opt::optimizer search(descriptor_of(small_space), minimize("cost"), 1);
  opt::configuration wrong;
  wrong["app"]["x"] = std::int64_t{11};
  wrong["app"]["y"] = 0.5;
  wrong["app"]["mode"] = std::string("a");
  std::vector<opt::configuration> pending{wrong};
  CHECK_THROWS_WITH_AS(search.ask(pending), doctest::Contains("app.x"), opt::error);
}

TEST_CASE("the Latin hypercube holds one point in each stratum of every dimension") {
  for (std::size_t count : {1, 5, 7, 10, 33}) {
    for (std::size_t dimensions : {1, 3, 10}) {
      for (std::uint64_t seed : {1, 2, 99}) {
        const auto points = opt::latin_hypercube(count, dimensions, seed);
        REQUIRE(points.size() == count);
        CHECK(points == opt::latin_hypercube(count, dimensions, seed));
        for (std::size_t d = 0; d < dimensions; ++d) {
          std::vector<int> per_stratum(count, 0);
          for (const auto& point : points) {
            REQUIRE(point.size() == dimensions);
            REQUIRE((point[d] >= 0 && point[d] < 1));
            ++per_stratum[static_cast<std::size_t>(point[d] * static_cast<double>(count))];
          }
          CAPTURE(count);
          CAPTURE(d);
          CHECK(std::count(per_stratum.begin(), per_stratum.end(), 1) == static_cast<std::ptrdiff_t>(count));
        }
      }
    }
  }
  CHECK(opt::latin_hypercube(7, 3, 1) != opt::latin_hypercube(7, 3, 2));
}

TEST_CASE("the output transform is the Box-Cox power under which the measurements look likeliest normal") {
  // Samples whose log, reciprocal and square root are normal: the power names each; a cliff (one
  // timeout hundreds of times the rest) asks for a power below the log's, which compresses it.
  opt::detail::random_source random(2024);
  std::vector<double> log_normal, reciprocal_normal, root_normal, cliff;
  for (int i = 0; i < 400; ++i) {
    const double z = std::clamp(random.normal(), -3.0, 3.0);
    log_normal.push_back(std::exp(0.8 * z));
    reciprocal_normal.push_back(1 / (2 + 0.4 * z));
    root_normal.push_back((10 + 2 * z) * (10 + 2 * z));
    if (i < 40) cliff.push_back(i == 7 ? 5000.0 : 20 * std::exp(0.3 * z));
  }
  CHECK(opt::detail::box_cox_power(log_normal) == 0.0);
  CHECK(opt::detail::box_cox_power(reciprocal_normal) == -1.0);
  CHECK(opt::detail::box_cox_power(root_normal) == 0.5);
  CHECK(opt::detail::box_cox_power(cliff) < 0.0);
  // Nothing to tell the powers apart (one value, all alike): the log.
  CHECK(opt::detail::box_cox_power({3.0}) == 0.0);
  CHECK(opt::detail::box_cox_power({2.0, 2.0, 2.0}) == 0.0);
  CHECK(opt::detail::box_cox(std::exp(1.5), 0.0) == doctest::Approx(1.5));
  CHECK(opt::detail::box_cox(9.0, 0.5) == doctest::Approx(4.0));
}

TEST_CASE("the initial design after the baseline and the centre is stratified in every setting") {
  // A linear range, a wide range (stratified on a log scale), a wide numeric enum listed out of
  // order (ordered by value), a string enum, and a pinned setting that never moves.
  const application app = descriptor_of(R"({"application":{"components":{"c":{"settings":{
      "linear":  {"min": 0, "max": 100000, "step": 1, "value": 500},
      "wide":    {"min": 1, "max": 1000000, "value": 1000},
      "pages":   {"type": "enum", "values": [4096, 1024, 65536, 16384], "value": 4096},
      "mode":    {"type": "enum", "values": ["a", "b", "c"], "value": "a"},
      "pin":     {"min": 0, "max": 8, "step": 1, "value": 5, "pinned": true}}}}}})");
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    CAPTURE(seed);
    opt::optimizer search(app, minimize("cost"), seed);
    const std::size_t count = search.design_size();
    REQUIRE(count >= 4);   // four strata per setting: random points fill them one each 9% of the time
    std::vector<opt::configuration> design;
    for (std::size_t trial = 0; trial <= count + 1; ++trial) {
      auto settings = search.ask();
      if (trial == 1) {
        // The centre: the middle of each range (a wide one on its log scale), the ordered enum's
        // middle member by value, the string enum at the baseline's member.
        CHECK(number(settings, "c", "linear") == 50000);
        CHECK(number(settings, "c", "wide") == doctest::Approx(1000).epsilon(0.01));
        const auto pages = std::get<std::int64_t>(settings.at("c").at("pages"));
        CHECK((pages == 4096 || pages == 16384));   // 8192, the middle by value, is not a member
        CHECK(std::get<std::string>(settings.at("c").at("mode")) == "a");
      }
      if (trial > 1) design.push_back(settings);
      search.tell(settings, opt::trial_status::ok, 1.0 + static_cast<double>(trial));
    }
    std::vector<int> linear(count, 0);
    std::vector<int> wide(count, 0);
    std::map<std::int64_t, int> pages;
    std::map<std::string, int> modes;
    for (const auto& settings : design) {
      const double fraction = number(settings, "c", "linear") / 100000;
      ++linear[std::min(count - 1, static_cast<std::size_t>(fraction * static_cast<double>(count) + 1e-9))];
      const double log_fraction = std::log(number(settings, "c", "wide")) / std::log(1e6);
      ++wide[std::min(count - 1, static_cast<std::size_t>(log_fraction * static_cast<double>(count) + 1e-9))];
      ++pages[std::get<std::int64_t>(settings.at("c").at("pages"))];
      ++modes[std::get<std::string>(settings.at("c").at("mode"))];
      CHECK(settings.at("c").at("pin") == scalar{std::int64_t{5}});
    }
    CHECK(std::count(linear.begin(), linear.end(), 1) == static_cast<std::ptrdiff_t>(count));
    CHECK(std::count(wide.begin(), wide.end(), 1) == static_cast<std::ptrdiff_t>(count));
    // Each member as often as any other, to within one.
    auto balanced = [&](const auto& counts, std::size_t members) {
      if (counts.size() != std::min(members, count)) return false;
      int fewest = static_cast<int>(count);
      int most = 0;
      for (const auto& [member, times] : counts) {
        fewest = std::min(fewest, times);
        most = std::max(most, times);
      }
      return most - fewest <= 1;
    };
    CHECK(balanced(pages, 4));
    CHECK(balanced(modes, 3));
  }
}

TEST_CASE("a wide numeric enum from 1 is searched in value order on a log scale") {
  // connections 1..256 listed out of order; the cost is lowest at 32 and grows with the distance
  // in doublings; random search over 9 x 21 configurations finds 32 with x near 3 rarely in 15.
  const application app = descriptor_of(R"({"application":{"components":{"c":{"settings":{
      "connections": {"type": "enum", "values": [8, 1, 2, 4, 16, 32, 64, 128, 256], "value": 8},
      "x":           {"min": 0, "max": 10, "step": 0.5, "value": 8}}}}}})");
  auto cost = [](const opt::configuration& settings) {
    const double doublings = std::log2(number(settings, "c", "connections")) - 5;
    const double x = number(settings, "c", "x");
    return 10 + doublings * doublings + (x - 3) * (x - 3);
  };
  for (std::uint64_t seed : {1, 2, 3}) {
    CAPTURE(seed);
    opt::optimizer search(app, minimize("cost"), seed);
    drive(search, 15, cost);
    REQUIRE(search.best().has_value());
    CHECK(cost(search.best()->settings) <= 11.25);   // 16..64 connections and x within 0.5 of 3
  }
}

TEST_CASE("the reported best says which rule chose it") {
  const application app = descriptor_of(small_space);
  // Without noise the best measurement is the best: the measurements choose.
  opt::optimizer exact(app, minimize("cost"), 2);
  drive(exact, 20, small_space_cost);
  REQUIRE(exact.best().has_value());
  CHECK(exact.best()->chosen_by == opt::best_rule::measurements);
  CHECK(opt::to_string(exact.best()->chosen_by) == "measurements");
  CHECK(exact.best()->value == small_space_cost(exact.best()->settings));
  // With 15% noise several configurations could have come first: the model's mean chooses, and
  // the configuration it chose was measured.
  opt::optimizer noisy(app, minimize("cost"), 2);
  opt::detail::random_source draws(11);
  for (int trial = 0; trial < 30; ++trial) {
    auto settings = noisy.ask();
    noisy.tell(settings, opt::trial_status::ok, small_space_cost(settings) * (1 + 0.15 * draws.normal()));
  }
  const auto chosen = noisy.best();
  REQUIRE(chosen.has_value());
  CHECK(chosen->chosen_by == opt::best_rule::model_mean);
  CHECK(opt::to_string(chosen->chosen_by) == "model mean");
  CHECK(chosen->measurements >= 1);
}

TEST_CASE("tell takes configurations from anywhere, and refuses ones the descriptor does not allow") {
  const application app = descriptor_of(small_space);
  opt::optimizer search(app, minimize("cost"), 1);
  opt::configuration foreign;
  foreign["app"]["x"] = std::int64_t{7};
  foreign["app"]["y"] = 0.3;
  foreign["app"]["mode"] = std::string("b");
  search.tell(foreign, opt::trial_status::ok, 1.0);
  CHECK(search.best()->settings == foreign);
  CHECK(search.best()->trial == 0);

  auto with = [&](const char* setting, scalar value) {
    opt::configuration changed = foreign;
    changed["app"][setting] = std::move(value);
    return changed;
  };
  CHECK_THROWS_WITH_AS(search.tell(with("mode", std::string("z")), opt::trial_status::ok, 1.0),
                       "settings: app.mode: \"z\" is not one of its values", opt::error);
  CHECK_THROWS_WITH_AS(search.tell(with("x", std::int64_t{11}), opt::trial_status::ok, 1.0),
                       "settings: app.x: 11 is outside [0, 10]", opt::error);
  CHECK_THROWS_WITH_AS(search.tell(with("y", std::string("high")), opt::trial_status::ok, 1.0),
                       "settings: app.y: expected a number, got \"high\"", opt::error);
  opt::configuration missing = foreign;
  missing["app"].erase("y");
  CHECK_THROWS_WITH_AS(search.tell(missing, opt::trial_status::ok, 1.0), "settings: app.y is missing", opt::error);
  CHECK_THROWS_WITH_AS(search.tell(foreign, opt::trial_status::ok, std::nullopt),
                       "tell: a trial with status ok needs a value", opt::error);
  CHECK(search.trials() == 1);   // nothing refused was recorded

  // A value that is not finite is an infeasible trial, never a NaN best.
  search.tell(with("x", std::int64_t{3}), opt::trial_status::ok, std::nan(""));
  CHECK(search.trials() == 2);
  CHECK(search.best()->value == 1.0);
}

TEST_CASE("an invalid descriptor is refused with the protocol's message") {
  CHECK_THROWS_WITH_AS(opt::optimizer(descriptor_of(R"({"application":{"components":{"a":{"settings":{"x":{"min":5,"max":1}}}}}})"),
                                      minimize("cost"), 1),
                       doctest::Contains("invalid application descriptor: a.x: min 5 must be below max 1"), opt::error);
}

TEST_CASE("a configuration is measured again only when it is among the best (noise), never otherwise") {
  const application app = descriptor_of(small_space);
  opt::optimizer search(app, minimize("cost"), 5);
  std::map<std::string, double> seen;   // the configuration as JSON -> its cost
  for (int trial = 0; trial < 40; ++trial) {
    auto settings = search.ask();
    if (!seen.emplace(servokit::json::to_json(settings), small_space_cost(settings)).second) {
      // A re-measure: it must be one of the three best configurations measured so far.
      std::vector<double> costs;
      for (const auto& [measured, cost] : seen) costs.push_back(cost);
      std::sort(costs.begin(), costs.end());
      CHECK(small_space_cost(settings) <= costs[std::min<std::size_t>(2, costs.size() - 1)]);
    }
    search.tell(settings, opt::trial_status::ok, small_space_cost(settings));
  }
}

TEST_CASE("failed and infeasible trials are recorded and steer the search away") {
  const application app = descriptor_of(small_space);
  // Everything with x above 4 fails (the optimum of the cost, x = 7, is in there), and y below
  // 0.2 is infeasible: the search must find the best of what remains and stop asking for the rest.
  std::size_t late_failures = 0;
  std::size_t seeds_near_best = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    opt::optimizer search(app, minimize("cost"), seed);
    for (int trial = 0; trial < 30; ++trial) {
      auto settings = search.ask();
      const double x = number(settings, "app", "x");
      const double y = number(settings, "app", "y");
      if (x > 4) {
        search.tell(settings, trial % 2 ? opt::trial_status::failed : opt::trial_status::rejected, std::nullopt);
        if (trial >= 15) ++late_failures;
      } else if (y < 0.2) {
        search.tell(settings, opt::trial_status::infeasible, std::nullopt);
        if (trial >= 15) ++late_failures;
      } else {
        search.tell(settings, opt::trial_status::ok, small_space_cost(settings));
      }
    }
    CHECK(search.trials() == 30);
    auto best = search.best();
    REQUIRE(best.has_value());
    CHECK(number(best->settings, "app", "x") <= 4);
    CHECK(number(best->settings, "app", "y") >= 0.2);
    // The best feasible cost is 1.9 (x = 4, y = 0.3, mode b); within 0.5 of it counts.
    if (small_space_cost(best->settings) <= 2.4) ++seeds_near_best;
  }
  // Random search would put about 62% of its trials in the failing region (93 of the 150 late
  // ones). The search keeps away from what it has seen fail, but the cost still falls towards
  // x = 7, so once the feasible optimum is found it probes the failing region's edge and its far
  // corners (the model cannot know a constraint's shape there before trying): about half of the
  // late trials (77 to 81 in the versions so far; 81 since the feasibility model may no longer
  // call its labels noise, which costs a few probes here and gains where failures come from
  // interactions, see the next case; 88 since a mode whose only trials failed is tried once at
  // the best configuration: it works there, and the search then explores that mode's failing
  // region too, see the case after next), and the best is still found (below). Ten seeds, since
  // three gave 24 to 26 late failures by the seeds' luck alone.
  CHECK(late_failures <= 90);
  CHECK(seeds_near_best >= 8);
}

TEST_CASE("where most of the space crashes or breaks a bound, the search still learns where and finds the best") {
  // A cache whose threads each need memory (how much depends on the engine) on a host with 40 GB,
  // and a staleness bound on the TTL and grace (how stale depends on the engine too): three
  // quarters of the space crashes or breaks the bound, through interactions no single setting
  // explains. Labels such as these look like noise to a smooth model; a feasibility model allowed
  // to call them noise finds every region equally likely to fail, and the search follows the
  // objective into the failing corners.
  const application app = descriptor_of(R"({"application":{"components":{"cache":{"settings":{
      "memory_gb": {"min": 2, "max": 64, "step": 2, "value": 8},
      "threads":   {"min": 1, "max": 32, "step": 1, "value": 2},
      "engine":    {"type": "enum", "values": ["slab", "arena", "tiered", "mmap"], "value": "slab"},
      "ttl_s":     {"min": 30, "max": 600, "step": 30, "value": 60},
      "grace_s":   {"min": 0, "max": 300, "step": 30, "value": 0}}}}}})");
  const std::map<std::string, std::pair<double, double>> engines{
      {"slab", {1.0, 1.0}}, {"arena", {2.0, 1.0}}, {"tiered", {0.5, 0.6}}, {"mmap", {1.5, 1.4}}};   // GB a thread, staleness
  struct outcome {
    bool crashes = false;
    bool feasible = true;
    double cost = 0;
  };
  auto measure = [&](double memory, double threads, const std::string& engine, double ttl, double grace) {
    const auto [gb_per_thread, staleness] = engines.at(engine);
    outcome result;
    result.crashes = memory > 40 || threads * gb_per_thread > memory;
    result.feasible = (ttl + 2 * grace) * staleness <= 400;
    const double latency = 20 / std::pow(threads, 0.8) + 30 / std::sqrt(memory) * std::pow(60 / (ttl + grace), 0.3);
    result.cost = latency * (1 + memory / 20);
    return result;
  };
  double optimum = std::numeric_limits<double>::infinity();
  for (double memory = 2; memory <= 64; memory += 2) {
    for (double threads = 1; threads <= 32; ++threads) {
      for (const auto& [engine, traits] : engines) {
        for (double ttl = 30; ttl <= 600; ttl += 30) {
          for (double grace = 0; grace <= 300; grace += 30) {
            const auto measured = measure(memory, threads, engine, ttl, grace);
            if (!measured.crashes && measured.feasible) optimum = std::min(optimum, measured.cost);
          }
        }
      }
    }
  }
  std::vector<double> ratios;   // the best found over the optimum, one per seed
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    opt::optimizer search(app, minimize("cost"), seed);
    for (int trial = 0; trial < 30; ++trial) {
      auto settings = search.ask();
      const auto measured = measure(number(settings, "cache", "memory_gb"), number(settings, "cache", "threads"),
                                    std::get<std::string>(settings.at("cache").at("engine")), number(settings, "cache", "ttl_s"),
                                    number(settings, "cache", "grace_s"));
      if (measured.crashes) {
        search.tell(settings, opt::trial_status::failed, std::nullopt);
      } else {
        search.tell(settings, measured.feasible ? opt::trial_status::ok : opt::trial_status::infeasible, measured.cost);
      }
    }
    auto best = search.best();
    REQUIRE(best.has_value());
    ratios.push_back(best->value / optimum);
  }
  std::sort(ratios.begin(), ratios.end());
  const double median = (ratios[4] + ratios[5]) / 2;
  CAPTURE(ratios);
  // The median of best / optimum over the ten seeds, with a feasibility model free to call every
  // label noise: 1.46; with one that must explain the labels (a noise variance of at most 0.2 on
  // labels of +-1): 1.28.
  CHECK(median <= 1.38);
}

TEST_CASE("a category whose only trial failed is tried once more at the best configuration, with nothing else changed") {
  // Mode c failed once, far from the good configurations (x = 2, y = 0.1): whether c or those
  // settings made it fail, that trial cannot tell, yet the feasibility model blames the one
  // feature c's trials share. The next suggestion is the reported best with mode c and nothing
  // else changed, and once that controlled trial has failed too, c is not probed again.
  const application app = descriptor_of(small_space);
  opt::optimizer search(app, minimize("cost"), 1);
  for (const auto& [x, y, mode] : std::vector<std::tuple<double, double, const char*>>{
           {1, 0.9, "a"}, {5, 0.5, "a"}, {7, 0.3, "b"}, {9, 0.8, "a"}, {3, 0.6, "b"}, {6, 0.2, "a"}, {8, 0.95, "b"}}) {
    search.tell(small_space_at(x, y, mode), opt::trial_status::ok, small_space_cost(small_space_at(x, y, mode)));
  }
  search.tell(small_space_at(2, 0.1, "c"), opt::trial_status::failed, std::nullopt);
  REQUIRE(search.best().has_value());
  REQUIRE(small_space_is_at(search.best()->settings, 7, 0.3, "b"));
  const auto probe = search.ask();
  CHECK(small_space_is_at(probe, 7, 0.3, "c"));
  search.tell(probe, opt::trial_status::failed, std::nullopt);
  // A better configuration moves the reported best; c, failed at the best alone, is not probed there.
  search.tell(small_space_at(7, 0.35, "b"), opt::trial_status::ok, small_space_cost(small_space_at(7, 0.35, "b")) - 0.5);
  REQUIRE(small_space_is_at(search.best()->settings, 7, 0.35, "b"));
  CHECK(!small_space_is_at(search.ask(), 7, 0.35, "c"));
}

TEST_CASE("once the search stalls, each rarely tried category is tried at the best configuration, with nothing else changed") {
  // Mode b is the best mode, but its one trial was far from the good settings (x = 0, y = 1), as
  // was mode c's: the model cannot tell the modes' own effects from those settings'. The search
  // refines mode a around (7, 0.3) until four trials in a row improve nothing (the trust region
  // halves); then it tries the best configuration with mode b, and then with c, and nothing else
  // changed.
  const application app = descriptor_of(small_space);
  opt::optimizer search(app, minimize("cost"), 1);
  for (const auto& [x, y, mode] : std::vector<std::tuple<double, double, const char*>>{
           {1, 0.9, "a"}, {5, 0.5, "a"}, {0, 1, "b"}, {2, 0.1, "c"}, {7, 0.3, "a"}, {9, 0.8, "a"},
           {6, 0.3, "a"}, {8, 0.3, "a"}, {7, 0.25, "a"}, {7, 0.35, "a"}}) {
    search.tell(small_space_at(x, y, mode), opt::trial_status::ok, small_space_cost(small_space_at(x, y, mode)));
  }
  REQUIRE(search.best().has_value());
  REQUIRE(small_space_is_at(search.best()->settings, 7, 0.3, "a"));
  const auto first = search.ask();
  CHECK(small_space_is_at(first, 7, 0.3, "b"));
  search.tell(first, opt::trial_status::ok, small_space_cost(first));
  REQUIRE(small_space_is_at(search.best()->settings, 7, 0.3, "b"));
  CHECK(small_space_is_at(search.ask(), 7, 0.3, "c"));
}

TEST_CASE("a cost under a bound: the values of infeasible trials do not lure the search past the bound") {
  // Cost = replicas x size; the latency bound needs replicas x size >= 40, and more than 6
  // replicas or a size above 10 do not fit: 10 of the 256 configurations are feasible, every
  // cheaper one is infeasible, and the infeasible trials tell their (tempting) cost. The best
  // feasible cost is 40, the baseline's 60.
  const application app = descriptor_of(R"({"application":{"components":{"c":{"settings":{
      "replicas": {"min": 1, "max": 16, "step": 1, "value": 6},
      "size":     {"min": 1, "max": 16, "step": 1, "value": 10}}}}}})");
  std::size_t seeds_near_bound = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    opt::optimizer search(app, minimize("cost"), seed);
    for (int trial = 0; trial < 25; ++trial) {
      auto settings = search.ask();
      const double replicas = number(settings, "c", "replicas");
      const double size = number(settings, "c", "size");
      const bool feasible = replicas * size >= 40 && replicas <= 6 && size <= 10;
      search.tell(settings, feasible ? opt::trial_status::ok : opt::trial_status::infeasible, replicas * size);
    }
    auto best = search.best();
    REQUIRE(best.has_value());
    CAPTURE(seed);
    CHECK(best->value >= 40);
    if (best->value <= 44) ++seeds_near_bound;
  }
  // Learned as they are, the infeasible costs drew the search to the cheap side (2 of 5 seeds
  // near the bound); ignored, they left the model nothing to go on around a lone feasible
  // baseline (3 of 5). Clipped at the best feasible value: 5 of 5.
  CHECK(seeds_near_bound >= 4);
}

TEST_CASE("in a steep narrow valley the search improves on a baseline near its floor") {
  // Zakharov's function in eight settings, shifted: its valley along sum(i x_i) = offset is
  // narrow and quartic-walled, the baseline sits near its floor (twice the optimum) and a random
  // configuration is typically a thousand times worse. A model cannot fit that from a few dozen
  // points: it calls its misfit noise and finds its hopes in the corners it knows least. What
  // improves on the baseline is a series of small moves from the best measurement.
  const application app = descriptor_of(R"({"application":{"components":{"c":{"settings":{
      "z0": {"min": -5, "max": 10, "step": 0.25, "value": 0}, "z1": {"min": -5, "max": 10, "step": 0.25, "value": 0},
      "z2": {"min": -5, "max": 10, "step": 0.25, "value": 0}, "z3": {"min": -5, "max": 10, "step": 0.25, "value": 0},
      "z4": {"min": -5, "max": 10, "step": 0.25, "value": 0}, "z5": {"min": -5, "max": 10, "step": 0.5, "value": 0},
      "z6": {"min": -5, "max": 10, "step": 0.5, "value": 0}, "z7": {"min": -5, "max": 10, "step": 1, "value": 0}}}}}})");
  const std::array<double, 8> offset{1.75, -2.5, 3.25, 0.5, -1.25, 2, -3.5, 1};
  const std::array<const char*, 8> names{"z0", "z1", "z2", "z3", "z4", "z5", "z6", "z7"};
  auto zakharov = [&](const opt::configuration& settings) {
    double squares = 0, weighted = 0;
    for (std::size_t i = 0; i < offset.size(); ++i) {
      const double z = number(settings, "c", names[i]) - offset[i];
      squares += z * z;
      weighted += 0.5 * static_cast<double>(i + 1) * z;
    }
    return squares + weighted * weighted + std::pow(weighted, 4);
  };
  opt::configuration baseline;
  for (const char* name : names) baseline["c"][name] = std::int64_t{0};
  const double scale = zakharov(baseline);
  std::size_t improved = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    opt::optimizer search(app, minimize("latency"), seed);
    for (int trial = 0; trial < 60; ++trial) {
      auto settings = search.ask();
      search.tell(settings, opt::trial_status::ok, 1 + zakharov(settings) / scale);
    }
    const auto best = search.best();
    REQUIRE(best.has_value());
    if (best->value < 1.9) ++improved;
  }
  // Centred on the model's favourite and searching globally at every step, the search gave
  // 1.98 on one seed of ten and 2 (the baseline) on the other nine; centred on the best
  // measurement, with every other step a local one where the model cannot fit, more than half
  // of the seeds end below 1.9.
  CHECK(improved >= 4);
}

TEST_CASE("the reported best is not a lucky draw where repeats show noise, and is the best measurement where none do") {
  // One range, a bowl with its true optimum at x = 10; x = 3 got one lucky measurement.
  const application app = descriptor_of(R"({"application":{"components":{"c":{"settings":{
      "x":{"min":0,"max":20,"step":1,"value":0}}}}}})");
  auto truth = [](std::int64_t x) { return 1 + static_cast<double>((x - 10) * (x - 10)) / 20; };
  auto measure = [&](opt::optimizer& search, std::int64_t x, double factor) {
    opt::configuration settings;
    settings["c"]["x"] = x;
    search.tell(settings, opt::trial_status::ok, x == 3 ? 0.9 : truth(x) * factor);
  };
  // Nothing measured twice: nothing shows the measurements to be noisy, so the best one is the
  // best, lucky or not (a model that cannot fit a response would call its misfit noise too).
  opt::optimizer exact(app, minimize("latency"), 1);
  for (std::int64_t x = 0; x <= 20; ++x) measure(exact, x, 1.0);
  REQUIRE(exact.best().has_value());
  CHECK(number(exact.best()->settings, "c", "x") == 3);
  CHECK(exact.best()->chosen_by == opt::best_rule::measurements);
  // Every configuration measured twice, up to 30% apart: the lucky draw is one of several that
  // could have come first, and the model (which weighs the neighbours) chooses near x = 10.
  opt::optimizer noisy(app, minimize("latency"), 1);
  for (std::int64_t x = 0; x <= 20; ++x) {
    const double wobble = 0.15 * std::sin(static_cast<double>(x) * 12.9898);
    measure(noisy, x, 1 + wobble);
    if (x != 3) measure(noisy, x, 1 - wobble);
  }
  const auto best = noisy.best();
  REQUIRE(best.has_value());
  CHECK(std::abs(number(best->settings, "c", "x") - 10) <= 1);
  CHECK(best->chosen_by == opt::best_rule::model_mean);
}

TEST_CASE("a small search finds a clearly better configuration than the baseline") {
  const application app = descriptor_of(small_space);
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    opt::optimizer search(app, minimize("cost"), seed);
    drive(search, 25, small_space_cost);
    const auto best = search.best();
    REQUIRE(best.has_value());
    const double baseline = small_space_cost(search.space().values(search.space().baseline()));   // 6.46
    CAPTURE(seed);
    CHECK(small_space_cost(best->settings) < 1 + 0.2 * (baseline - 1));   // 80% of the possible gain
    CHECK(best->value == small_space_cost(best->settings));
  }
  // Maximizing turns the search around.
  opt::optimizer search(app, goal("score", "maximize"), 3);
  drive(search, 25, [](const opt::configuration& settings) { return 10 - small_space_cost(settings); });
  CHECK(small_space_cost(search.best()->settings) < 2.5);
}

TEST_CASE("spaces with nothing or little to search stay valid") {
  const application pinned = descriptor_of(R"({"application":{"components":{"c":{"settings":{
      "x":{"min":0,"max":4,"step":1,"value":2,"pinned":true},
      "e":{"type":"enum","values":["only"],"value":"only"}}}}}})");
  opt::optimizer nothing(pinned, minimize("cost"), 1);
  for (int trial = 0; trial < 5; ++trial) {
    auto settings = nothing.ask();
    CHECK(settings.at("c").at("x") == scalar{std::int64_t{2}});
    nothing.tell(settings, opt::trial_status::ok, 1.0);
  }
  const application tiny = descriptor_of(R"({"application":{"components":{"c":{"settings":{
      "a":{"type":"enum","values":["p","q"],"value":"p"},
      "b":{"type":"enum","values":[1,2],"value":1}}}}}})");
  opt::optimizer little(tiny, minimize("cost"), 1);
  std::set<std::string> seen;
  for (int trial = 0; trial < 12; ++trial) {
    auto settings = little.ask();
    seen.insert(servokit::json::to_json(settings));
    little.tell(settings, opt::trial_status::ok, trial == 0 ? 2.0 : 1.0 + 0.1 * trial);
  }
  CHECK(seen.size() == 4);   // every configuration, then re-measures
}

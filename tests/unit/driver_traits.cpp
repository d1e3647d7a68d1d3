// driver_traits and the driver concepts: what a driver type provides is detected from its
// members, and the command line follows PROTOCOL.md exactly.
#include <doctest/doctest.h>

#include <servokit/driver.hpp>

namespace {

struct minimal_measure {
  static constexpr std::string_view name = "m", version = "1";
  servokit::metric_descriptors describe() { return {}; }
  servokit::measurement measure(const servokit::measure_request&) { return {}; }
};

struct measure_config {
  BOOST_HANA_DEFINE_STRUCT(measure_config, (std::optional<int>, port));
};

struct cancellable_measure {
  static constexpr std::string_view name = "c", version = "1";
  using config = measure_config;
  servokit::metric_descriptors describe(const config&) { return {}; }
  servokit::measurement measure(const config&, const servokit::measure_request&, servokit::progress&,
                                servokit::stop_token) {
    return {};
  }
};

struct plain_adjust {
  static constexpr std::string_view name = "a", version = "1";
  servokit::application query() { return {}; }
  void adjust(const servokit::adjust_request&, servokit::progress&) {}
};

struct both_kinds {
  static constexpr std::string_view name = "b", version = "1";
  servokit::application query() { return {}; }
  void adjust(const servokit::adjust_request&, servokit::progress&, servokit::stop_token) {}
  servokit::metric_descriptors describe() { return {}; }
  servokit::measurement measure(const servokit::measure_request&) { return {}; }
};

struct nameless {
  servokit::metric_descriptors describe() { return {}; }
  servokit::measurement measure(const servokit::measure_request&) { return {}; }
};

struct describe_only {
  static constexpr std::string_view name = "d", version = "1";
  servokit::metric_descriptors describe() { return {}; }
};

/// An aggregator's shape: query and describe take the app_id, --info is computed, and the
/// signal that stops it is observed.
struct aggregating_driver {
  static constexpr std::string_view name = "agg", version = "1";
  using config = measure_config;
  servokit::driver_info info(const config&) { return {"1 (2, 3)", true}; }
  servokit::application query(const config&, const std::string&) { return {}; }
  void adjust(const config&, const servokit::adjust_request&, servokit::progress&, servokit::stop_token) {}
  void on_stop_signal(int) {}
};

}  // namespace

static_assert(servokit::adjust_driver<aggregating_driver>);
static_assert(servokit::reports_own_info<aggregating_driver>);
static_assert(servokit::observes_stop_signal<aggregating_driver>);
static_assert(!servokit::reports_own_info<plain_adjust>);
static_assert(!servokit::observes_stop_signal<plain_adjust>);

static_assert(servokit::measure_driver<minimal_measure>);
static_assert(!servokit::adjust_driver<minimal_measure>);
static_assert(!servokit::driver_traits<minimal_measure>::measure_has_cancel);
static_assert(!servokit::driver_traits<minimal_measure>::has_config);

static_assert(servokit::measure_driver<cancellable_measure>);
static_assert(servokit::driver_traits<cancellable_measure>::measure_has_cancel);
static_assert(std::is_same_v<servokit::driver_traits<cancellable_measure>::config_type, measure_config>);

static_assert(servokit::adjust_driver<plain_adjust>);
static_assert(!servokit::driver_traits<plain_adjust>::adjust_has_cancel);

static_assert(servokit::adjust_driver<both_kinds> && servokit::measure_driver<both_kinds>);
static_assert(servokit::driver_traits<both_kinds>::adjust_has_cancel);
static_assert(!servokit::driver_traits<both_kinds>::measure_has_cancel);

static_assert(!servokit::measure_driver<nameless>);
static_assert(!servokit::measure_driver<describe_only>);

static_assert(std::is_same_v<servokit::policies_t<minimal_measure>, servokit::default_policies>);
static_assert(servokit::default_policies::heartbeat::interval_seconds == 30);

namespace {

servokit::invocation parse(std::vector<std::string> words, bool dual_role = false) {
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  return servokit::parse_command_line(static_cast<int>(words.size()), argv.data(), "measure", dual_role);
}

std::string usage_error_of(std::vector<std::string> words, bool dual_role = false) {
  try {
    parse(std::move(words), dual_role);
  } catch (const servokit::usage_error& failure) {
    return failure.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the command line of PROTOCOL.md sections 1 and 2") {
  CHECK(parse({"measure", "--version"}).mode == servokit::driver_mode::show_version);
  CHECK(parse({"measure", "--info"}).mode == servokit::driver_mode::show_info);
  CHECK(parse({"measure", "--info", "app"}).mode == servokit::driver_mode::show_info);
  auto query = parse({"adjust", "--query", "app"});
  CHECK(query.mode == servokit::driver_mode::query);
  CHECK(query.app_id == "app");
  CHECK(parse({"measure", "--describe", "app"}).mode == servokit::driver_mode::query);
  CHECK(parse({"measure", "app", "--describe"}).mode == servokit::driver_mode::query);  // GNU order
  auto operate = parse({"measure", "app-1"});
  CHECK(operate.mode == servokit::driver_mode::operate);
  CHECK(operate.app_id == "app-1");
  CHECK(parse({"x", "--role=measure", "app"}, true).role == servokit::driver_role::measure);
  CHECK(parse({"x", "--role", "adjust", "app"}, true).role == servokit::driver_role::adjust);
  CHECK(parse({"x", "--help"}).help_text.find("--query app_id") != std::string::npos);
}

TEST_CASE("command lines that do not fit are usage errors that say why") {
  CHECK(usage_error_of({"measure", "--info", "--describe", "app"}) ==
        "--version, --info and --query/--describe exclude each other");
  CHECK(usage_error_of({"measure", "--query"}) == "--query needs an app_id");
  CHECK(usage_error_of({"measure"}) == "an app_id is required (the request is read from stdin)");
  CHECK(usage_error_of({"measure", "--frobnicate", "app"}) == "unknown option --frobnicate");
  CHECK(usage_error_of({"measure", "-x", "app"}) == "unknown option -x");
  CHECK(usage_error_of({"measure", "a", "b"}) == "unexpected argument \"b\" (only one app_id)");
  CHECK(usage_error_of({"measure", "--role", "adjust", "a"}) ==
        "--role applies only to a program that is both an adjust and a measure driver");
  CHECK(usage_error_of({"x", "--role", "both", "a"}, true) == "--role must be adjust or measure, not \"both\"");
  CHECK(usage_error_of({"x", "a", "--role"}, true) == "--role needs a value");
}

TEST_CASE("the role of a program that is both kinds comes from its file name, else from adjust.d or measure.d") {
  CHECK(servokit::role_from_program_name("/servo/adjust") == servokit::driver_role::adjust);
  CHECK(servokit::role_from_program_name("measure") == servokit::driver_role::measure);
  CHECK_FALSE(servokit::role_from_program_name("./servokit-batch").has_value());
  CHECK_FALSE(servokit::role_from_program_name("batch").has_value());
  CHECK_FALSE(servokit::role_from_program_name("/x/drivers/01batch").has_value());
  // A sub-driver of servokit-agg or servokit-magg, by any name (it was a usage error).
  CHECK(servokit::role_from_program_name("/x/adjust.d/01batch") == servokit::driver_role::adjust);
  CHECK(servokit::role_from_program_name("measure.d/batch") == servokit::driver_role::measure);
  CHECK(servokit::role_from_program_name("/srv/servo/measure.d//batch") == servokit::driver_role::measure);
  // The file name wins over the directory.
  CHECK(servokit::role_from_program_name("/x/measure.d/adjust") == servokit::driver_role::adjust);
}

TEST_CASE("progress lines carry the last report, and the heartbeat repeats it only after quiet") {
  std::vector<std::string> lines;
  servokit::progress reporter([&](const std::string& line) { lines.push_back(line); });
  reporter.report(40, "waiting for rollout");
  CHECK(lines.back() == R"({"progress":40,"message":"waiting for rollout"})");
  CHECK_FALSE(reporter.heartbeat(std::chrono::hours(1)));
  CHECK(reporter.heartbeat(std::chrono::seconds(0)));
  CHECK(lines.size() == 2);
  CHECK(lines.back() == lines.front());
  servokit::progress_line staged{};
  staged.progress = 12.5;
  staged.stage = "warmup";
  staged.stageprogress = 50;
  reporter.report(staged);
  CHECK(lines.back() == R"({"progress":12.5,"stage":"warmup","stageprogress":50})");
}

TEST_CASE("a driver without a config struct reads any section, and none") {
  auto document = servokit::config::document::parse("m: {anything: [1, 2]}\n", "config.yaml");
  CHECK_NOTHROW(document.section<servokit::no_config>("m"));
  CHECK_NOTHROW(document.section<servokit::no_config>("absent"));
}

// A measure driver built with servokit for the integration tests: it describes two metrics,
// reports progress while it "measures" for `control.duration` seconds, honours cancel, and can be
// told by its config to fail.
#include <chrono>
#include <thread>

#include <servokit/servokit.hpp>

namespace {

struct test_measure_config {
  BOOST_HANA_DEFINE_STRUCT(test_measure_config,
    (std::optional<std::string>, fail_with),       // throw this message from measure
    (std::optional<double>, rps),                  // the value to report for "rps"
    (std::optional<double>, describe_seconds));    // a slow --describe, for signals during it
};

struct test_measure {
  static constexpr std::string_view name = "testmeasure";
  static constexpr std::string_view version = "2.3.4";
  using config = test_measure_config;
  struct policies : servokit::default_policies {
    using heartbeat = servokit::heartbeat_every<1>;   // fast enough for a test to see one
  };

  servokit::metric_descriptors describe(const config& cfg) {
    if (cfg.describe_seconds) std::this_thread::sleep_for(std::chrono::duration<double>(*cfg.describe_seconds));
    servokit::metric_descriptors metrics;
    metrics["total_runtime"].unit = "seconds";
    metrics["rps"].unit = "rps";
    return metrics;
  }

  servokit::measurement measure(const config& cfg, const servokit::measure_request& request,
                                servokit::progress& progress, servokit::stop_token stop) {
    if (cfg.fail_with) throw servokit::driver_error(*cfg.fail_with);
    const auto started = std::chrono::steady_clock::now();
    const auto duration = std::chrono::duration<double>(request.control_or_default().duration_seconds());
    progress.report(0, "measuring " + request.app_id);
    while (std::chrono::steady_clock::now() - started < duration) {
      if (stop.stop_requested()) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    progress.report(100, "done");
    servokit::measurement result;
    for (const auto& metric : request.metric_names()) {
      if (metric == "rps") result.metrics["rps"] = {servokit::scalar{cfg.rps.value_or(1234.5)}, "rps", std::nullopt};
      if (metric == "total_runtime") {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        result.metrics["total_runtime"] = {servokit::scalar{elapsed}, "seconds", std::nullopt};
      }
    }
    if (request.control && request.control->userdata) result.annotations = request.control->userdata;
    return result;
  }
};

}  // namespace

int main(int argc, char** argv) { return servokit::run<test_measure>(argc, argv); }

// A measure driver built with servokit whose one metric is named after the file it runs as
// (`measure.d/m07` describes and measures `m07`), so that many copies can sit side by side in a
// measure aggregator's directory. It answers at once; `control.duration` makes it measure that
// many seconds (honouring cancel), and the value it reports is the duration it was given.
#include <chrono>
#include <string>
#include <thread>

#include <servokit/driver.hpp>

namespace {

/// The file name this program runs as: its metric.
std::string metric_name = "named";

struct named_measure {
  static constexpr std::string_view name = "namedmeasure";
  static constexpr std::string_view version = "1.0.0";

  servokit::metric_descriptors describe() {
    servokit::metric_descriptors metrics;
    metrics[metric_name].unit = "seconds";
    return metrics;
  }

  servokit::measurement measure(const servokit::measure_request& request, servokit::progress& progress,
                                servokit::stop_token stop) {
    const double seconds = request.control_or_default().duration_seconds();
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    if (seconds > 0) progress.report(10, "measuring");
    while (std::chrono::steady_clock::now() < until && !stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    servokit::measurement result;
    result.metrics[metric_name] = {servokit::scalar{seconds}, "seconds", std::nullopt};
    return result;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 0) {
    const std::string_view program = argv[0];
    metric_name = std::string(program.substr(program.find_last_of('/') + 1));
  }
  return servokit::run<named_measure>(argc, argv);
}

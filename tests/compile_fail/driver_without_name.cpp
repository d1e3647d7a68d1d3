// A driver must name itself (its config section) and give its version.
// expect-error: D must declare its name .its config section. and version
#include <servokit/servokit.hpp>

struct anonymous_measure {
#ifdef SERVOKIT_COMPILE_FAIL_CONTROL
  static constexpr std::string_view name = "anonymous", version = "1.0.0";
#endif
  servokit::metric_descriptors describe() { return {}; }
  servokit::measurement measure(const servokit::measure_request&) { return {}; }
};

int main(int argc, char** argv) { return servokit::run<anonymous_measure>(argc, argv); }

// A measure driver that describes its metrics but never measures them is rejected, and the
// message says what to add.
// expect-error: D has describe.. but no measure: add `servokit::measurement measure
#include <servokit/servokit.hpp>

struct half_a_driver {
  static constexpr std::string_view name = "half", version = "1.0.0";
  servokit::metric_descriptors describe() { return {}; }
#ifdef SERVOKIT_COMPILE_FAIL_CONTROL
  servokit::measurement measure(const servokit::measure_request&) { return {}; }
#endif
};

int main(int argc, char** argv) { return servokit::run<half_a_driver>(argc, argv); }

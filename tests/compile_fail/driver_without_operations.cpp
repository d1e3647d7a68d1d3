// A type with a name but no operations is neither kind of driver.
// expect-error: D is neither an adjust driver .add query.. and adjust... nor a measure driver
#include <servokit/servokit.hpp>

struct idle {
  static constexpr std::string_view name = "idle", version = "1.0.0";
#ifdef SERVOKIT_COMPILE_FAIL_CONTROL
  servokit::metric_descriptors describe() { return {}; }
  servokit::measurement measure(const servokit::measure_request&) { return {}; }
#endif
};

int main(int argc, char** argv) { return servokit::run<idle>(argc, argv); }

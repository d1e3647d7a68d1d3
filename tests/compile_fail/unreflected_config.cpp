// A config type servokit cannot read (not declared with BOOST_HANA_DEFINE_STRUCT, no meta<T>)
// is rejected with a message saying how to make it readable.
// expect-error: servokit cannot read this type: declare it with BOOST_HANA_DEFINE_STRUCT
#include <servokit/servokit.hpp>

#ifdef SERVOKIT_COMPILE_FAIL_CONTROL
struct plain_config {
  BOOST_HANA_DEFINE_STRUCT(plain_config, (std::optional<int>, port));
};
#else
struct plain_config {
  std::optional<int> port;
};
#endif

struct configured_measure {
  static constexpr std::string_view name = "configured", version = "1.0.0";
  using config = plain_config;
  servokit::metric_descriptors describe(const config&) { return {}; }
  servokit::measurement measure(const config&, const servokit::measure_request&) { return {}; }
};

int main(int argc, char** argv) { return servokit::run<configured_measure>(argc, argv); }

// An adjust driver without query cannot say what it adjusts: rejected, naming query.
// expect-error: D has adjust.. but no query: add `servokit::application query
#include <servokit/servokit.hpp>

struct blind_adjust {
  static constexpr std::string_view name = "blind", version = "1.0.0";
#ifdef SERVOKIT_COMPILE_FAIL_CONTROL
  servokit::application query() { return {}; }
#endif
  void adjust(const servokit::adjust_request&) {}
};

int main(int argc, char** argv) { return servokit::run<blind_adjust>(argc, argv); }

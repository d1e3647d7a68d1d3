// An adjust driver built with servokit whose one component is named after the file it runs as
// (`adjust.d/a07` owns component `a07`, setting `replicas`), so that many copies can sit side by
// side in an adjust aggregator's directory. It answers at once and records each adjust request
// in ./<name>.request.
#include <fstream>
#include <string>

#include <servokit/driver.hpp>
#include <servokit/json/write.hpp>

namespace {

/// The file name this program runs as: its component.
std::string component_name = "named";

struct named_adjust {
  static constexpr std::string_view name = "namedadjust";
  static constexpr std::string_view version = "1.0.0";

  servokit::application query() {
    servokit::setting replicas{};
    replicas.min = 1;
    replicas.max = 50;
    replicas.step = 1;
    replicas.value = servokit::scalar{std::int64_t{3}};
    servokit::application app;
    app.components[component_name].settings.insert_or_assign("replicas", replicas);
    return app;
  }

  void adjust(const servokit::adjust_request& request, servokit::progress& progress, servokit::stop_token) {
    servokit::validate_adjustment(query(), request.application);
    progress.report(50, "adjusting " + component_name);
    std::ofstream(component_name + ".request") << servokit::json::to_json(request.application);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc > 0) {
    const std::string_view program = argv[0];
    component_name = std::string(program.substr(program.find_last_of('/') + 1));
  }
  return servokit::run<named_adjust>(argc, argv);
}

// An adjust driver built with servokit for the integration tests. Its settings come from its
// config section; an adjust is checked against them and recorded in `state_file`. It takes no
// stop token, so it reports has_cancel false and a signal ends it at once.
#include <chrono>
#include <fstream>
#include <thread>

#include <servokit/servokit.hpp>

namespace {

struct test_adjust_config {
  BOOST_HANA_DEFINE_STRUCT(test_adjust_config,
    (servokit::application, application),
    (std::optional<std::string>, state_file),
    (std::optional<double>, adjust_seconds),
    (std::optional<double>, query_seconds));       // a slow --query, for signals during it
};

struct test_adjust {
  static constexpr std::string_view name = "testadjust";
  static constexpr std::string_view version = "0.9.0";
  using config = test_adjust_config;

  servokit::application query(const config& cfg) {
    if (cfg.query_seconds) std::this_thread::sleep_for(std::chrono::duration<double>(*cfg.query_seconds));
    return cfg.application;
  }

  void adjust(const config& cfg, const servokit::adjust_request& request, servokit::progress& progress) {
    servokit::validate_adjustment(cfg.application, request.application);
    progress.report(50, "applying");
    if (cfg.adjust_seconds) std::this_thread::sleep_for(std::chrono::duration<double>(*cfg.adjust_seconds));
    if (cfg.state_file) std::ofstream(*cfg.state_file) << servokit::json::to_json(request.application);
  }
};

}  // namespace

int main(int argc, char** argv) { return servokit::run<test_adjust>(argc, argv); }

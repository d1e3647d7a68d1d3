// servokit-check: checks drivers in any language against the protocol (PROTOCOL.md), calling
// them exactly as the agent does. Given a servo directory it checks ./adjust and/or ./measure
// there; given a driver program it checks that one (its kind from its name, or --kind).
// Prints a report (each check passed, failed or skipped, with its evidence) or, with --json,
// one JSON line; exits 0 only when no check failed, 1 when one did, 2 on a usage error.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include <servokit/check.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/version.hpp>

namespace {

namespace check = servokit::check;
namespace fs = std::filesystem;

/// A driver to check: the program, its kind and the directory it runs in.
struct target {
  fs::path program;
  std::string kind;
  fs::path directory;
};

/// Whether `path` is a file this process may execute.
bool executable(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

/// The drivers named by one command-line argument. Throws std::runtime_error with a message for
/// the user when it names none.
std::vector<target> targets_of(const std::string& argument, const std::string& forced_kind) {
  std::error_code error;
  const fs::path path = fs::absolute(argument, error);
  if (fs::is_directory(path, error)) {
    std::vector<target> found;
    for (std::string_view kind : {check::kind::adjust, check::kind::measure}) {
      const fs::path program = path / kind;
      if (executable(program)) found.push_back({program, std::string(kind), path});
    }
    if (found.empty()) throw std::runtime_error(argument + ": a servo directory needs an executable ./adjust or ./measure");
    return found;
  }
  if (!executable(path)) throw std::runtime_error(argument + ": not a directory nor an executable driver");
  std::string kind = forced_kind;
  if (kind.empty()) {
    const std::string name = path.filename().string();
    if (name == check::kind::adjust || name == check::kind::measure) {
      kind = name;
    } else {
      throw std::runtime_error(argument + ": say which kind of driver it is with --kind adjust or --kind measure");
    }
  }
  return {{path, kind, path.parent_path()}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Checks Optune servo drivers, in any language, against the protocol: --version, --info,\n"
               "--query/--describe (the descriptor rules), an adjust and a measure with generated requests\n"
               "and their progress lines, cancel by SIGUSR1 where has_cancel promises it, bad requests,\n"
               "and that stdout holds JSON lines only. The adjust check sets every setting to its current\n"
               "value. Exit status: 0 when no check failed, 1 when one did, 2 on a usage error.",
               "servokit-check");
  std::vector<std::string> arguments;
  std::string forced_kind;
  bool as_json = false;
  check::check_options options;
  std::string time_limit = "60", cancel_limit = "5", duration = "1";
  app.add_option("targets", arguments, "Servo directories (./adjust, ./measure) or driver programs")->required();
  app.add_flag("--json", as_json, "Print the report as one JSON line");
  app.add_option("--kind", forced_kind, "The kind of a driver program not named adjust or measure")
      ->check(CLI::IsMember({std::string(check::kind::adjust), std::string(check::kind::measure)}));
  app.add_option("--app-id", options.app_id, "The app id argument given to the drivers")->capture_default_str();
  app.add_option("--timeout", time_limit, "Seconds a call may take before it counts as a hang")->capture_default_str();
  app.add_option("--cancel-timeout", cancel_limit, "Seconds from SIGUSR1 to the driver's exit")->capture_default_str();
  app.add_option("--duration", duration, "control.duration of the measure check, in seconds")->capture_default_str();
  app.set_version_flag("--version", std::string(servokit::version));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }

  std::vector<target> targets;
  try {
    options.time_limit = servokit::to_duration<std::chrono::milliseconds>(servokit::parse_seconds(time_limit, "--timeout"));
    options.cancel_limit = servokit::to_duration<std::chrono::milliseconds>(servokit::parse_seconds(cancel_limit, "--cancel-timeout"));
    options.measure_duration = servokit::parse_seconds(duration, "--duration");
    for (const auto& argument : arguments) {
      for (auto& found : targets_of(argument, forced_kind)) targets.push_back(std::move(found));
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "servokit-check: %s\n", error.what());
    return 2;
  }

  std::vector<check::driver_report> reports;
  for (const auto& driver : targets) {
    reports.push_back(check::check_driver(driver.program, driver.kind, driver.directory, options));
  }
  const auto whole = check::make_report(std::move(reports));
  const std::string text = as_json ? check::render_json(whole) : check::render_text(whole);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return whole.passed ? 0 : 1;
}

#pragma once
/// @file
/// What `servokit-check` finds: each check of a driver passed, failed or skipped, with the
/// evidence (what the driver printed, how it ended), rendered for people or as JSON.

#include <string>
#include <string_view>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/json/write.hpp>

namespace servokit::check {

/// How a check ended.
namespace outcome {
inline constexpr std::string_view passed = "passed";    ///< the driver does what the protocol asks
inline constexpr std::string_view failed = "failed";    ///< it does not; the evidence says how
inline constexpr std::string_view skipped = "skipped";  ///< not applicable (e.g. no cancel promised)
}  // namespace outcome

/// One check of one driver.
struct check_result {
  BOOST_HANA_DEFINE_STRUCT(check_result,
    (std::string, name),       ///< `version`, `info`, `query`, `adjust`, `cancel`...
    (std::string, result),     ///< one of `outcome`
    (std::string, evidence));  ///< what was run and what came back, for a person to judge

  /// Whether this check failed.
  [[nodiscard]] bool failed() const { return result == outcome::failed; }
};

/// Every check of one driver.
struct driver_report {
  BOOST_HANA_DEFINE_STRUCT(driver_report,
    (std::string, driver),     ///< the program as given (a path)
    (std::string, kind),       ///< `adjust` or `measure`
    (std::string, directory),  ///< the working directory it ran in (its servo directory)
    (std::vector<check_result>, checks));

  /// Records a check.
  void add(std::string name, std::string_view result, std::string evidence) {
    checks.push_back({std::move(name), std::string(result), std::move(evidence)});
  }
  /// Whether no check failed.
  [[nodiscard]] bool passed() const {
    for (const auto& check : checks) {
      if (check.failed()) return false;
    }
    return true;
  }
};

/// The whole run: `--json` prints it as one line.
struct report {
  BOOST_HANA_DEFINE_STRUCT(report,
    (bool, passed),            ///< every check of every driver passed (or was skipped)
    (std::vector<driver_report>, drivers));
};

/// Builds the report of `drivers`, `passed` computed.
inline report make_report(std::vector<driver_report> drivers) {
  bool all_passed = true;
  for (const auto& driver : drivers) all_passed = all_passed && driver.passed();
  return report{all_passed, std::move(drivers)};
}

/// The report for people: per driver, one line per check with its evidence indented below, then
/// a closing line with the counts.
inline std::string render_text(const report& whole) {
  std::string out;
  std::size_t passed = 0, failed = 0, skipped = 0;
  for (const auto& driver : whole.drivers) {
    out += driver.driver + " (" + driver.kind + " driver, run in " + driver.directory + ")\n";
    for (const auto& check : driver.checks) {
      std::string mark = check.result == outcome::passed ? "PASS" : check.result == outcome::failed ? "FAIL" : "SKIP";
      out += "  " + mark + "  " + check.name + "\n";
      // The evidence, indented, line by line: it may quote several lines of driver output.
      std::string_view rest = check.evidence;
      while (!rest.empty()) {
        const auto end = rest.find('\n');
        out += "        ";
        out += rest.substr(0, end);
        out += '\n';
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      }
      (check.result == outcome::passed ? passed : check.result == outcome::failed ? failed : skipped) += 1;
    }
  }
  out += whole.passed ? "servokit-check: every check passed" : "servokit-check: FAILED";
  out += " (" + std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " +
         std::to_string(skipped) + " skipped)\n";
  return out;
}

/// The report as one compact JSON line.
inline std::string render_json(const report& whole) { return json::to_json(whole) + "\n"; }

}  // namespace servokit::check

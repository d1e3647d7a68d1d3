#pragma once
/// @file
/// A session's options from a servo's config.yaml: the `optimization:` section, with the command
/// line's overrides (`--budget`, `--seed`, `--report`) applied on top. `parallel` (trials of the
/// app at once, across its servos) and `trial_timeout` (seconds a servo holds its trial without a
/// sign of life) are the backend's.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <servokit/backend/session.hpp>
#include <servokit/config/load.hpp>
#include <servokit/optimize/config.hpp>
#include <servokit/optimize/objective.hpp>
#include <servokit/text/seconds.hpp>

namespace servokit::backend {

/// What the command line may override; unset members keep the config's values.
struct option_overrides {
  std::optional<std::int64_t> budget;
  std::optional<std::int64_t> seed;
  std::optional<std::filesystem::path> report_directory;
};

/// The default budget when neither the config nor the command line gives one.
inline constexpr std::int64_t default_budget = 30;

/// Reads `config_file`'s `optimization:` section for `app_id`. Throws `config::error` naming the
/// file, line and key of a problem, or `optimize::error` for an objective that cannot work.
inline session_options read_session_options(const std::string& config_file, std::string app_id,
                                            const option_overrides& overrides = {}) {
  const auto document = config::document::load(config_file);
  if (!document.exists()) throw config::error(config_file + ": not found (the optimization: section is read from it)");
  if (!document.has_section("optimization")) {
    throw config::error(config_file +
                        ": has no \"optimization\" section; add at least\n"
                        "optimization:\n  objective: {metric: NAME, goal: minimize}   # or maximize\n  budget: 30");
  }
  session_options options;
  options.app_id = std::move(app_id);
  options.config = document.section<optimize::optimization_config>("optimization");
  optimize::objective check(options.config);   // the objective's own rules, before anything runs
  options.budget = overrides.budget.value_or(options.config.budget.value_or(default_budget));
  if (options.budget < 1) throw config::error(config_file + ": optimization.budget must be at least 1 (the baseline)");
  const std::int64_t seed = overrides.seed.value_or(options.config.seed.value_or(1));
  if (seed < 0) throw config::error(config_file + ": optimization.seed must not be negative");
  options.seed = static_cast<std::uint64_t>(seed);
  options.report_directory = overrides.report_directory;
  if (options.config.parallel && *options.config.parallel < 1) {
    throw config::error(config_file + ": optimization.parallel must be at least 1 (trials of the app at once)");
  }
  options.parallel = options.config.parallel;
  if (options.config.trial_timeout) {
    options.trial_timeout = checked_seconds(*options.config.trial_timeout, config_file + ": optimization.trial_timeout");
    if (options.trial_timeout <= 0) {
      throw config::error(config_file + ": optimization.trial_timeout must be more than 0 seconds");
    }
  }
  return options;
}

}  // namespace servokit::backend

#pragma once
/// @file
/// The end of a study in a few lines for people: trials by status, the baseline, the best and its
/// gain, the best settings, warnings, and where the report is. Printed by `servokit-servo --local`
/// and logged by `servokit-optimizer`.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/backend/report.hpp>
#include <servokit/backend/study.hpp>

namespace servokit::backend {

/// What the summary of a study says.
struct study_outcome {
  std::string app_id;                                    ///< the application
  std::int64_t budget = 0;                               ///< the trials the study may hold
  std::vector<trial_record> trials;                      ///< every trial, in order
  best_summary best;                                     ///< the best configuration and the baseline
  std::optional<std::string> final_adjust_problem;       ///< why the last adjust failed, when it did
  std::vector<std::string> warnings;                     ///< what went wrong without stopping the study
  std::optional<std::filesystem::path> report_directory; ///< where the report is, when there is one
  std::optional<std::string> plot_note;                  ///< why the plot is missing, when it is
  bool plot_pending = false;                             ///< the plot is still being drawn
};

/// The summary of `outcome`, one line per fact, each ending with a line break.
inline std::string summarize(const study_outcome& outcome) {
  std::int64_t counts[4] = {0, 0, 0, 0};
  static constexpr std::string_view names[4] = {"ok", "failed", "rejected", "infeasible"};
  std::int64_t confirmations = 0;
  for (const auto& trial : outcome.trials) {
    for (std::size_t i = 0; i < 4; ++i) counts[i] += trial.status == names[i] ? 1 : 0;
    confirmations += trial.confirmation ? 1 : 0;
  }
  const auto searched = static_cast<std::int64_t>(outcome.trials.size()) - confirmations;
  std::string text = "optimization of \"" + outcome.app_id + "\": " + std::to_string(searched) + " of " +
                     std::to_string(outcome.budget) + " trials" +
                     (confirmations ? " + " + std::to_string(confirmations) + " confirmation trials" : std::string()) + " (";
  for (std::size_t i = 0, shown = 0; i < 4; ++i) {
    if (counts[i] == 0) continue;
    text += (shown++ ? ", " : "") + std::to_string(counts[i]) + " " + std::string(names[i]);
  }
  text += ")\n";
  const best_summary& best = outcome.best;
  if (!outcome.trials.empty()) {
    // With a confirmation phase both values are the means of the re-measurements, not trial 1's or
    // the best trial's single measurement.
    text += "  baseline (trial 1): " + (best.baseline ? readable_number(*best.baseline) : outcome.trials.front().status) +
            (best.baseline_confirmed ? " (confirmed mean)" : "") + "  " + flat_settings(outcome.trials.front().settings_json) + "\n";
  }
  if (best.objective) {
    text += "  best (trial " + std::to_string(best.trial.value_or(0)) + "):     " + readable_number(*best.objective) +
            (best.confirmed ? " (confirmed mean)" : "");
    if (const auto gain = best.improvement_percent()) {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "  (%.1f%% %s than the baseline)", std::fabs(*gain), *gain >= 0 ? "better" : "worse");
      text += buffer;
    }
    text += "\n  best settings: " + flat_settings(best.settings_json) + "\n";
    text += "  chosen by: " + best.chosen_by + "\n";
    if (best.confirmed && best.baseline_confirmed) {
      const auto spread = [](const sample_summary& samples) {
        return readable_number(samples.mean) + " +- " + readable_number(samples.stddev) + " (sd, n=" +
               std::to_string(samples.count) + ")";
      };
      text += "  confirmed best:     " + spread(*best.confirmed) + "\n";
      text += "  confirmed baseline: " + spread(*best.baseline_confirmed) + "\n";
      if (best.gain) {
        text += "  gain: " + readable_number(best.gain->gain);
        if (best.gain->low && best.gain->high) {
          char buffer[96];
          std::snprintf(buffer, sizeof buffer, ", %.0f%% interval [%s, %s]", gain_confidence * 100,
                        readable_number(*best.gain->low).c_str(), readable_number(*best.gain->high).c_str());
          text += buffer;
        } else {
          text += " (no interval: a single re-measurement)";
        }
        text += "\n";
      }
    }
  } else {
    text += "  no trial succeeded: the application was left at its baseline settings\n";
  }
  if (outcome.final_adjust_problem) text += "  warning: " + *outcome.final_adjust_problem + "\n";
  for (const auto& warning : outcome.warnings) text += "  warning: " + warning + "\n";
  if (outcome.report_directory) {
    text += "  report: " + outcome.report_directory->string() + "/ (trials.jsonl, trials.csv, best.json";
    text += outcome.plot_note      ? ")\n  plot: " + *outcome.plot_note + "\n"
            : outcome.plot_pending ? ", convergence.png being drawn)\n"
                                   : ", convergence.png)\n";
  }
  return text;
}

}  // namespace servokit::backend

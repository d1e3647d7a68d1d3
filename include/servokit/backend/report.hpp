#pragma once
/// @file
/// The report of a study, for people: `trials.jsonl` (one line per trial, appended and flushed as
/// each finishes, so `tail -f` follows it), `trials.csv`, `best.json`, and a convergence plot
/// rendered by gnuplot when it is installed.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <servokit/backend/confirmation.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/json/read.hpp>
#include <servokit/json/write.hpp>
#include <servokit/process/run.hpp>
#include <servokit/protocol/ordered_map.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit::backend {

/// A report file that cannot be written; names the file and the cause.
class report_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Settings as the study stores them: component -> setting -> value.
using settings_table = ordered_map<ordered_map<scalar>>;

/// The best trial and the baseline, as `best.json` states them.
struct best_summary {
  std::string settings_json = "null";   ///< the best configuration, `null` when no trial succeeded
  std::optional<double> objective;      ///< its objective value
  std::optional<std::int64_t> trial;    ///< the trial that measured it
  std::optional<double> baseline;       ///< the baseline's objective value (trial 1), when it succeeded
  bool maximize = false;                ///< the objective's goal
  /// Which rule chose it: `model` (the optimizer's mean at measured points), `measurements` (the
  /// best single measurement) or `confirmation` (the best mean of the confirmation trials).
  std::string chosen_by = "measurements";
  /// With `chosen_by` confirmation: the re-measurements of the best and of the baseline (whose
  /// means are then `objective` and `baseline`), and the gain with its interval.
  std::optional<sample_summary> confirmed, baseline_confirmed;
  std::optional<gain_estimate> gain;   ///< the gain over the baseline, confirmed

  /// How much better the best is than the baseline, in percent of the baseline; none when either
  /// is unknown or the baseline is 0.
  std::optional<double> improvement_percent() const {
    if (!objective || !baseline || *baseline == 0) return std::nullopt;
    const double better_by = maximize ? *objective - *baseline : *baseline - *objective;
    return better_by / std::fabs(*baseline) * 100.0;
  }
};

/// A measured value as a person reads it: four significant digits (`3.776`, `0.01234`, `1.235e+06`);
/// the files keep every digit.
inline std::string readable_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

/// Settings as a person reads them on one line: `job.threads=4 job.mode=fast`.
inline std::string flat_settings(std::string_view settings_json) {
  std::string text;
  try {
    for (const auto& [component, settings] : json::read<settings_table>(settings_json)) {
      for (const auto& [name, value] : settings) {
        const auto* word = std::get_if<std::string>(&value);
        text += (text.empty() ? "" : " ") + component + "." + name + "=" + (word ? *word : format_number(*numeric_value(value)));
      }
    }
  } catch (const std::exception&) {
    return std::string(settings_json);
  }
  return text;
}

/// `text` on one line, cut to `limit` characters.
inline std::string one_line(std::string_view text, std::size_t limit) {
  std::string flat;
  for (char c : text) flat += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return flat.size() <= limit ? flat : flat.substr(0, limit - 3) + "...";
}

/// ` | best 1.1 (trial 5, 8.3% better than the baseline)`, or ` | no feasible trial yet`: the
/// trial number names the configuration, as best.json's `trial` and the summary do.
inline std::string best_text(const best_summary& best) {
  if (!best.objective) return " | no feasible trial yet";
  std::string text = " | best " + readable_number(*best.objective) + " (trial " + std::to_string(best.trial.value_or(0));
  if (best.chosen_by == "confirmation") text += ", confirmed";
  if (const auto gain = best.improvement_percent()) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, ", %.1f%% %s than the baseline", std::fabs(*gain), *gain >= 0 ? "better" : "worse");
    text += buffer;
  }
  return text + ")";
}

/// One finished trial on one line, for logs and terminals:
/// `trial 3/30 ok objective 1.25 | best 1.1 (trial 2, 8.3% better than the baseline) | job.threads=4`.
inline std::string trial_line(const trial_record& trial, std::int64_t budget, const best_summary& best) {
  std::string line = (trial.confirmation ? "confirmation trial " + std::to_string(trial.number) + " (after the budget's " +
                                               std::to_string(budget) + ")"
                                         : "trial " + std::to_string(trial.number) + "/" + std::to_string(budget)) +
                     " " + trial.status;
  if (trial.objective) line += " objective " + readable_number(*trial.objective);
  if (!trial.reason.empty()) line += ": " + one_line(trial.reason, 160);
  return line + best_text(best) + " | " + flat_settings(trial.settings_json);
}

/// One trial as its `trials.jsonl` line (no newline).
inline std::string trial_json_line(const trial_record& trial) {
  std::string line;
  json::writer out(line);
  out.begin_object();
  out.key("trial"), out.integer(trial.number);
  out.key("settings"), out.raw(trial.settings_json);
  out.key("metrics"), out.raw(trial.metrics_json);
  out.key("objective"), out.value(trial.objective);
  out.key("status"), out.string(trial.status);
  if (!trial.reason.empty()) out.key("reason"), out.string(trial.reason);
  out.key("started"), out.number(trial.started);
  out.key("finished"), out.number(trial.finished);
  if (trial.confirmation) out.key("confirmation"), out.boolean(true);
  out.end_object();
  return line;
}

/// The report directory of one study.
class report_writer {
 public:
  /// Writes into `directory`, creating it (and its parents) when needed.
  explicit report_writer(std::filesystem::path directory) : directory_(std::move(directory)) {
    std::error_code failure;
    std::filesystem::create_directories(directory_, failure);
    if (failure) throw report_error(directory_.string() + ": cannot create the report directory: " + failure.message());
  }

  /// The directory.
  const std::filesystem::path& directory() const { return directory_; }

  /// Rewrites `trials.jsonl` from the study's trials, so that a report interrupted between the
  /// study's commit and its own line (a kill at that moment) is whole again on resume.
  void restart(const std::vector<trial_record>& trials) {
    std::string text;
    for (const auto& trial : trials) text += trial_json_line(trial) + "\n";
    replace_file("trials.jsonl", text);
  }

  /// Appends one trial's line to `trials.jsonl` and flushes it.
  void append(const trial_record& trial) {
    const auto file = directory_ / "trials.jsonl";
    std::FILE* stream = std::fopen(file.c_str(), "a");
    if (!stream) throw report_error(file.string() + ": cannot open: " + std::strerror(errno));
    const std::string line = trial_json_line(trial) + "\n";
    const bool written = std::fwrite(line.data(), 1, line.size(), stream) == line.size();
    const bool closed = std::fclose(stream) == 0;
    if (!written || !closed) throw report_error(file.string() + ": cannot write: " + std::strerror(errno));
  }

  /// Rewrites `trials.csv` and `best.json` from the whole study.
  void write_tables(const std::vector<trial_record>& trials, const best_summary& best) {
    replace_file("trials.csv", csv(trials));
    replace_file("best.json", best_json(best) + "\n");
  }

  /// Renders `convergence.png` (objective per trial, best so far, the baseline) with gnuplot:
  /// `prepare_plot`, then `render_plot`. Returns a note for the user when the plot was skipped.
  std::optional<std::string> plot(const std::vector<trial_record>& trials, const best_summary& best,
                                  std::string_view title) {
    prepare_plot(trials, best, title);
    return render_plot(directory_);
  }

  /// Writes the plot's data and script (`convergence.dat`, `convergence.gp`): quick, and enough
  /// to draw the plot by hand (`gnuplot convergence.gp` in the directory).
  void prepare_plot(const std::vector<trial_record>& trials, const best_summary& best, std::string_view title) {
    std::string data = "# trial objective best_so_far\n";
    std::optional<double> best_so_far;
    for (const auto& trial : trials) {
      if (trial.status == "ok" && trial.objective) {
        if (!best_so_far || (best.maximize ? *trial.objective > *best_so_far : *trial.objective < *best_so_far)) {
          best_so_far = trial.objective;
        }
      }
      data += std::to_string(trial.number) + " " +
              (trial.status == "ok" && trial.objective ? format_number(*trial.objective) : std::string("NaN")) + " " +
              (best_so_far ? format_number(*best_so_far) : std::string("NaN")) + "\n";
    }
    replace_file("convergence.dat", data);

    // The title is data (app id, metric names): in a single-quoted gnuplot string nothing is
    // substituted (no backquoted command, no escape), and only a quote or a line end could end it.
    // `noenhanced` keeps `total_runtime` from being typeset as a subscript.
    std::string safe_title;
    for (char c : title) safe_title += (c == '\'' || c == '\n' || c == '\r' || c == '`') ? '_' : c;
    std::string script;
    script += "set terminal " + std::string(png_terminal()) + " size 900,540\n";
    script += "set output 'convergence.png'\n";
    script += "set title '" + safe_title + "' noenhanced\n";
    script += "set offsets 0.5, 0.5, 0, 0\n";
    script += "set xlabel 'trial'\nset ylabel 'objective'\nset grid\nset key outside bottom center horizontal\n";
    script += "set datafile missing 'NaN'\n";
    std::string baseline_plot;
    if (best.baseline) baseline_plot = ", " + format_number(*best.baseline) + " with lines dashtype 2 lc rgb '#888888' title 'baseline'";
    script += "plot 'convergence.dat' using 1:2 with points pt 7 ps 1.2 lc rgb '#1f77b4' title 'objective per trial', "
              "'' using 1:3 with steps lw 2 lc rgb '#d62728' title 'best so far'" +
              baseline_plot + "\n";
    replace_file("convergence.gp", script);
  }

  /// Runs gnuplot on `directory`'s `convergence.gp` (up to 30 s; `cancel` stops it sooner).
  /// Returns a note for the user when the plot was skipped (no gnuplot, or it failed): a missing
  /// plot is never an error.
  static std::optional<std::string> render_plot(const std::filesystem::path& directory, std::stop_token cancel = {}) {
    const std::string gnuplot = gnuplot_path();
    if (gnuplot.empty()) return "gnuplot is not installed: the plot was skipped (apt-get install gnuplot-nox)";
    try {
      process::child_options options;
      options.limits.total = std::chrono::seconds(30);
      options.cancel = std::move(cancel);
      auto done = process::run(process::command{gnuplot, "convergence.gp"}.in_directory(directory), std::move(options));
      if (!done.ok()) {
        return "gnuplot " + done.describe() + ": the plot was skipped (" + std::string(done.err.tail().substr(0, 300)) + ")";
      }
    } catch (const std::exception& failure) {
      return std::string("gnuplot could not run: the plot was skipped (") + failure.what() + ")";
    }
    return std::nullopt;
  }

  /// `best.json`'s text.
  static std::string best_json(const best_summary& best) {
    std::string text;
    json::writer out(text);
    out.begin_object();
    out.key("settings"), out.raw(best.settings_json);
    out.key("objective"), out.value(best.objective);
    out.key("baseline"), out.value(best.baseline);
    out.key("improvement_percent"), out.value(best.improvement_percent());
    out.key("trial"), out.value(best.trial);
    out.key("goal"), out.string(best.maximize ? "maximize" : "minimize");
    out.key("chosen_by"), out.string(best.chosen_by);
    if (best.confirmed && best.baseline_confirmed) {
      const auto samples = [&](const sample_summary& summary) {
        out.begin_object();
        out.key("mean"), out.number(summary.mean);
        out.key("stddev"), out.number(summary.stddev);
        out.key("count"), out.integer(summary.count);
        out.end_object();
      };
      out.key("confirmation"), out.begin_object();
      out.key("best"), samples(*best.confirmed);
      out.key("baseline"), samples(*best.baseline_confirmed);
      if (best.gain) {
        out.key("gain"), out.number(best.gain->gain);
        out.key("gain_interval");
        if (best.gain->low && best.gain->high) {
          out.begin_array(), out.number(*best.gain->low), out.number(*best.gain->high), out.end_array();
        } else {
          out.null();
        }
        out.key("confidence"), out.number(gain_confidence);
      }
      out.end_object();
    }
    out.end_object();
    return text;
  }

  /// `trials.csv`'s text: trial, status, objective, one column per setting (`component.setting`)
  /// and per metric, in the order they first appear, and the reason.
  static std::string csv(const std::vector<trial_record>& trials) {
    std::vector<settings_table> settings(trials.size());
    std::vector<ordered_map<scalar>> metrics(trials.size());
    std::vector<std::string> setting_columns, metric_columns;
    const auto add_column = [](std::vector<std::string>& columns, const std::string& name) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
    };
    for (std::size_t i = 0; i < trials.size(); ++i) {
      settings[i] = json::read<settings_table>(trials[i].settings_json);
      metrics[i] = json::read<ordered_map<scalar>>(trials[i].metrics_json);
      for (const auto& [component, values] : settings[i]) {
        for (const auto& [name, value] : values) add_column(setting_columns, component + "." + name);
      }
      for (const auto& [name, value] : metrics[i]) add_column(metric_columns, name);
    }
    std::string text = "trial,status,objective";
    for (const auto& column : setting_columns) text += "," + csv_field(column);
    for (const auto& column : metric_columns) text += "," + csv_field(column);
    // A study with a confirmation phase marks its re-measurements in a last column.
    const bool confirming = std::any_of(trials.begin(), trials.end(), [](const trial_record& trial) { return trial.confirmation; });
    text += confirming ? ",reason,confirmation\n" : ",reason\n";
    for (std::size_t i = 0; i < trials.size(); ++i) {
      text += std::to_string(trials[i].number) + "," + trials[i].status + ",";
      if (trials[i].objective) text += format_number(*trials[i].objective);
      for (const auto& column : setting_columns) {
        const auto dot = column.find('.');
        text += ",";
        const auto component = settings[i].find(column.substr(0, dot));
        if (component == settings[i].end()) continue;
        const auto value = component->second.find(column.substr(dot + 1));
        if (value != component->second.end()) text += csv_field(scalar_text(value->second));
      }
      for (const auto& column : metric_columns) {
        text += ",";
        const auto value = metrics[i].find(column);
        if (value != metrics[i].end()) text += csv_field(scalar_text(value->second));
      }
      text += "," + csv_field(trials[i].reason) + (confirming ? (trials[i].confirmation ? ",1" : ",0") : "") + "\n";
    }
    return text;
  }

 private:
  static std::string scalar_text(const scalar& value) {
    if (const auto* text = std::get_if<std::string>(&value)) return *text;
    if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
    return format_number(std::get<double>(value));
  }

  /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
  static std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }

  /// pngcairo draws antialiased lines; the libgd `png` terminal is the fallback of builds without
  /// cairo. Asked once.
  static std::string_view png_terminal() {
    static const std::string_view chosen = [] {
      const std::string gnuplot = gnuplot_path();
      if (gnuplot.empty()) return std::string_view("png");
      try {
        auto done = process::run(process::command{gnuplot, "-e", "set terminal pngcairo"});
        return done.ok() && done.err.tail().empty() ? std::string_view("pngcairo") : std::string_view("png");
      } catch (const std::exception&) {
        return std::string_view("png");
      }
    }();
    return chosen;
  }

  static std::string gnuplot_path() {
    const char* path = std::getenv("PATH");
    int error = 0;
    return process::find_program("gnuplot", path ? path : "/usr/bin:/bin", std::nullopt, error);
  }

  /// Writes `name` whole or not at all: a temporary file renamed over it.
  void replace_file(std::string_view name, std::string_view text) {
    const auto file = directory_ / name;
    const auto temporary = directory_ / (std::string(name) + ".tmp");
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      if (!out.flush()) throw report_error(temporary.string() + ": cannot write: " + std::strerror(errno));
    }
    std::error_code failure;
    std::filesystem::rename(temporary, file, failure);
    if (failure) throw report_error(file.string() + ": cannot replace: " + failure.message());
  }

  std::filesystem::path directory_;
};

}  // namespace servokit::backend

#pragma once
/// @file
/// The objective of a search: one metric or an expression over metrics, minimized or maximized,
/// under constraints that make a trial infeasible. Turns a measurement's metric values into the
/// one number the optimizer compares, or into a reason the trial does not count.

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <servokit/optimize/config.hpp>
#include <servokit/optimize/expression.hpp>
#include <servokit/protocol/metrics.hpp>
#include <servokit/protocol/ordered_map.hpp>

namespace servokit::optimize {

/// An objective or a search that cannot be set up as asked: `what()` says what and where.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How a trial ended: measured (`ok`), the adjust or measure driver failed (`failed`), the adjust
/// was refused (`rejected`), or the measurement broke a constraint or gave no usable objective
/// (`infeasible`). Every status but `ok` steers the search away from those settings.
enum class trial_status { ok, failed, rejected, infeasible };

/// The status as the study and the report spell it: `ok`, `failed`, `rejected`, `infeasible`.
inline std::string_view to_string(trial_status status) {
  switch (status) {
    case trial_status::ok: return "ok";
    case trial_status::failed: return "failed";
    case trial_status::rejected: return "rejected";
    case trial_status::infeasible: return "infeasible";
  }
  return "failed";
}

/// The status spelled `text`, or nothing for any other text.
inline std::optional<trial_status> trial_status_from_string(std::string_view text) {
  for (auto status : {trial_status::ok, trial_status::failed, trial_status::rejected, trial_status::infeasible}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

/// The objective and constraints of an `optimization:` section, ready to evaluate measurements.
class objective {
 public:
  /// What one measurement is worth: `ok` with a finite value, or `infeasible` with the reason
  /// (a broken constraint, a missing metric, a division by zero, a NaN or infinity). Never NaN.
  /// A trial that only broke a constraint keeps its (finite) value: pass it on to
  /// `optimizer::tell`, which learns from it; only `ok` trials are ever the best.
  struct evaluation {
    trial_status status = trial_status::infeasible;
    std::optional<double> value;
    std::string reason;
  };

  /// Checks the section (the same rules the config reader applies) and compiles the expression;
  /// throws `optimize::error` saying what is wrong.
  explicit objective(const optimization_config& config)
      : objective_(config.objective), constraints_(config.constraints.value_or(std::vector<constraint_config>{})) {
    if (auto problem = detail::objective_problem(objective_)) {
      throw error("optimization.objective" + (problem->key.empty() ? "" : "." + problem->key) + ": " +
                  problem->message);
    }
    for (std::size_t index = 0; index < constraints_.size(); ++index) {
      if (auto problem = detail::constraint_problem(constraints_[index])) {
        throw error("optimization.constraints[" + std::to_string(index) + "]" +
                    (problem->key.empty() ? "" : "." + problem->key) + ": " + problem->message);
      }
    }
    if (objective_.expression) {
      expression_metrics_ = detail::expression_variables(*objective_.expression);
    } else {
      expression_metrics_ = {*objective_.metric};
    }
  }

  /// Every metric the objective and the constraints read, once each, objective first: the
  /// metrics to request in MEASURE.
  std::vector<std::string> metrics() const {
    std::vector<std::string> names = expression_metrics_;
    for (const auto& constraint : constraints_) {
      if (std::find(names.begin(), names.end(), constraint.metric) == names.end()) names.push_back(constraint.metric);
    }
    return names;
  }

  /// Throws `optimize::error` naming each metric the objective reads that `available` (the
  /// measure driver's `--describe`) does not offer, and the ones it does.
  void check_metrics(const metric_descriptors& available) const {
    std::string unknown;
    for (const auto& name : metrics()) {
      if (!available.contains(name)) unknown += (unknown.empty() ? "\"" : ", \"") + name + "\"";
    }
    if (unknown.empty()) return;
    std::string offered;
    for (const auto& [name, unused] : available) offered += (offered.empty() ? "" : ", ") + name;
    throw error("optimization: unknown metric" + std::string(unknown.find(',') == std::string::npos ? " " : "s ") +
                unknown + " (the measure driver offers: " + (offered.empty() ? "no metrics" : offered) + ")");
  }

  /// The objective value of one measurement, or why it does not count.
  evaluation evaluate(const ordered_map<double>& metric_values) const {
    for (const auto& name : metrics()) {
      auto found = metric_values.find(name);
      if (found == metric_values.end()) return infeasible("the measurement has no metric \"" + name + "\"");
      if (!std::isfinite(found->second)) {
        return infeasible("metric \"" + name + "\" is " + format_number(found->second) + ", not a finite number");
      }
    }
    double value = 0;
    if (objective_.expression) {
      try {
        value = detail::evaluate_expression(*objective_.expression, expression_metrics_, metric_values);
      } catch (const mu::Parser::exception_type& failure) {
        return infeasible("the expression \"" + *objective_.expression + "\" failed: " + failure.GetMsg());
      }
      if (!std::isfinite(value)) {
        return infeasible("the expression \"" + *objective_.expression + "\" gives " +
                          (std::isnan(value) ? std::string("NaN") : std::string("an infinity")) +
                          " (a division by zero?)");
      }
    } else {
      value = metric_values.at(*objective_.metric);
    }
    // A broken constraint makes the trial infeasible, but the value it had still tells the
    // optimizer about the objective (it is never the best: only ok trials are).
    for (const auto& constraint : constraints_) {
      const double measured = metric_values.at(constraint.metric);
      if (constraint.min && measured < *constraint.min) {
        return {trial_status::infeasible, value,
                "constraint " + constraint.metric + " >= " + format_number(*constraint.min) + " broken: " + format_number(measured)};
      }
      if (constraint.max && measured > *constraint.max) {
        return {trial_status::infeasible, value,
                "constraint " + constraint.metric + " <= " + format_number(*constraint.max) + " broken: " + format_number(measured)};
      }
    }
    return {trial_status::ok, value, ""};
  }

  /// Whether larger values are better.
  bool maximize() const { return objective_.goal == maximize_goal; }

  /// The objective as a person reads it: `minimize latency`, `maximize throughput / cost`; also
  /// what a stored study compares to notice that the config changed.
  std::string describe() const {
    return objective_.goal + " " + (objective_.expression ? *objective_.expression : *objective_.metric);
  }

  /// The constraints, as configured.
  const std::vector<constraint_config>& constraints() const { return constraints_; }

 private:
  static evaluation infeasible(std::string reason) { return {trial_status::infeasible, std::nullopt, std::move(reason)}; }

  objective_config objective_;
  std::vector<constraint_config> constraints_;
  std::vector<std::string> expression_metrics_;
};

}  // namespace servokit::optimize

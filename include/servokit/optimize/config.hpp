#pragma once
/// @file
/// The `optimization:` section of a servo's config.yaml: what to optimize, under which
/// constraints, for how many measurements, with which seed, and the `control` sent with every
/// MEASURE. Read with the config layer (`config::load_section<optimization_config>("optimization")`),
/// which names file, line and key for unknown keys and for each rule below.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/hana/define_struct.hpp>

#include <servokit/fwd.hpp>
#include <servokit/json/decode.hpp>
#include <servokit/optimize/expression.hpp>
#include <servokit/protocol/values.hpp>

namespace servokit::optimize {

/// The two goals, as `goal:` spells them.
inline constexpr std::string_view minimize_goal = "minimize";
inline constexpr std::string_view maximize_goal = "maximize";

/// What to optimize: one metric, or an arithmetic expression over metrics, and which way.
struct objective_config {
  BOOST_HANA_DEFINE_STRUCT(objective_config,
    (std::optional<std::string>, metric),        ///< the metric to optimize...
    (std::optional<std::string>, expression),    ///< ...or an expression over metrics: `throughput / cost`
    (std::string, goal));                        ///< `minimize` or `maximize`
};

/// A bound on one metric; a trial that breaks it is infeasible.
struct constraint_config {
  BOOST_HANA_DEFINE_STRUCT(constraint_config,
    (std::string, metric),
    (std::optional<double>, min),   ///< the metric must be at least this
    (std::optional<double>, max));  ///< the metric must be at most this
};

/// The whole `optimization:` section.
struct optimization_config {
  BOOST_HANA_DEFINE_STRUCT(optimization_config,
    (objective_config, objective),
    (std::optional<std::vector<constraint_config>>, constraints),
    (std::optional<std::int64_t>, budget),    ///< measurements, the baseline included
    (std::optional<std::int64_t>, seed),      ///< the search's seed: same seed, same answers, same suggestions
    (std::optional<raw_json>, control),       ///< sent with every MEASURE (duration, warmup, ...)
    (std::optional<std::int64_t>, parallel),  ///< the backend's: trials of the app at once at most (its servos')
    (std::optional<double>, trial_timeout),   ///< the backend's: seconds a servo holds a trial without a sign of life
    (std::optional<std::int64_t>, confirm));  ///< the backend's: re-measure the top configurations and the baseline N times each
};

/// The most re-measurements `confirm` may ask for per configuration: beyond it the confirmation
/// would cost more than any budget worth confirming.
inline constexpr std::int64_t max_confirm = 100;

/// Why `objective` breaks a rule (a goal that is neither minimize nor maximize, both or neither of
/// metric and expression, an expression that does not parse), or nothing. Each problem comes with
/// the key it is about, so a reader can point at its line.
struct config_problem {
  std::string key;      ///< the member at fault, or empty for the object as a whole
  std::string message;
};

namespace detail {

inline std::optional<config_problem> objective_problem(const objective_config& objective) {
  if (objective.goal != minimize_goal && objective.goal != maximize_goal) {
    return config_problem{"goal", "goal must be \"minimize\" or \"maximize\", got \"" + objective.goal + "\""};
  }
  if (objective.metric.has_value() == objective.expression.has_value()) {
    return config_problem{"", "give exactly one of \"metric\" (a metric to optimize) and \"expression\" (an "
                              "arithmetic expression over metrics)"};
  }
  if (objective.metric && objective.metric->empty()) return config_problem{"metric", "the metric name is empty"};
  if (objective.expression) {
    if (auto problem = expression_problem(*objective.expression)) return config_problem{"expression", *problem};
  }
  return std::nullopt;
}

inline std::optional<config_problem> constraint_problem(const constraint_config& constraint) {
  if (constraint.metric.empty()) return config_problem{"metric", "the metric name is empty"};
  if (!constraint.min && !constraint.max) {
    return config_problem{"", "a constraint on \"" + constraint.metric + "\" needs \"min\", \"max\" or both"};
  }
  if (constraint.min && constraint.max && !(*constraint.min <= *constraint.max)) {
    return config_problem{"min", "min " + format_number(*constraint.min) + " is above max " +
                                     format_number(*constraint.max) + " for \"" + constraint.metric + "\""};
  }
  return std::nullopt;
}

inline std::optional<config_problem> optimization_problem(const optimization_config& optimization) {
  if (optimization.confirm && (*optimization.confirm < 0 || *optimization.confirm > max_confirm)) {
    return config_problem{"confirm", "confirm must be an integer from 0 (no confirmation) to " + std::to_string(max_confirm) +
                                         " (re-measurements of each top configuration and the baseline), got " +
                                         std::to_string(*optimization.confirm)};
  }
  return std::nullopt;
}

/// Reads `out` as a plain struct, then fails at the line of the member a rule is about.
template <class Config, class Node, class Check>
void read_checked(const Node& node, Config& out, json::path& at, Check check) {
  json::detail::decode_struct(node, out, at);
  auto problem = check(out);
  if (!problem) return;
  if (!problem->key.empty()) {
    node.for_each_member([&](std::string_view key, const Node& child) {
      if (key == problem->key) {
        at.push(key);
        child.fail(at, problem->message);
      }
    });
  }
  node.fail(at, problem->message);
}

}  // namespace detail
}  // namespace servokit::optimize

namespace servokit {

/// The objective's rules are checked as it is read, so a config error names its line.
template <>
struct meta<optimize::objective_config> {
  template <class Node>
  static void read(const Node& node, optimize::objective_config& out, json::path& at) {
    optimize::detail::read_checked(node, out, at, optimize::detail::objective_problem);
  }
};

/// A constraint's rules are checked as it is read, so a config error names its line.
template <>
struct meta<optimize::constraint_config> {
  template <class Node>
  static void read(const Node& node, optimize::constraint_config& out, json::path& at) {
    optimize::detail::read_checked(node, out, at, optimize::detail::constraint_problem);
  }
};

/// The section's own rules (`confirm`'s range) are checked as it is read, so an error names its line.
template <>
struct meta<optimize::optimization_config> {
  template <class Node>
  static void read(const Node& node, optimize::optimization_config& out, json::path& at) {
    optimize::detail::read_checked(node, out, at, optimize::detail::optimization_problem);
  }
};

}  // namespace servokit

#pragma once
/// @file
/// The rules of `PROTOCOL.md` section 1: what a valid application descriptor obeys, and which
/// requested values an adjust driver may accept.

#include <cmath>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <servokit/protocol/application.hpp>

namespace servokit {

/// A message or value that breaks the protocol's rules; `what()` lists every problem found.
class protocol_error : public std::runtime_error {
 public:
  /// Joins `problems` into one message, one problem per `; `.
  explicit protocol_error(const std::vector<std::string>& problems)
      : std::runtime_error(join(problems)), problems_(problems) {}

  /// Each problem on its own, in the order found.
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  static std::string join(const std::vector<std::string>& problems) {
    std::string text;
    for (const auto& problem : problems) {
      if (!text.empty()) text += "; ";
      text += problem;
    }
    return text;
  }
  std::vector<std::string> problems_;
};

namespace detail {

/// A scalar as a person reads it in a message: `3`, `0.25`, `"c5.large"`.
inline std::string describe_scalar(const scalar& value) {
  return std::visit(
      [](const auto& held) -> std::string {
        using held_type = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<held_type, std::string>) {
          return "\"" + held + "\"";
        } else if constexpr (std::is_same_v<held_type, double>) {
          return format_number(held);
        } else {
          return std::to_string(held);
        }
      },
      value);
}

/// A number as a person reads it in a message.
inline std::string describe_number(double value) { return describe_scalar(scalar{value}); }

/// The allowed values of an enum setting, for a message: `"a", "b"`.
inline std::string describe_values(const std::vector<scalar>& values) {
  std::string text;
  for (const auto& value : values) {
    if (!text.empty()) text += ", ";
    text += describe_scalar(value);
  }
  return text;
}

/// The most steps a range's grid may have: 2^53, the last count a double holds exactly.
inline constexpr double max_grid_steps = 9007199254740992.0;

/// `(max - min) / step`, the number of steps of a range's grid (infinite or NaN when it overflows).
inline double grid_steps(double min, double max, double step) { return (max - min) / step; }

/// Whether `value` lies on the grid `min + k * step`, allowing for the rounding of decimal steps
/// such as 0.1 that binary floating point cannot hold exactly.
inline bool on_step_grid(double value, double min, double step) {
  if (!(step > 0)) return true;
  const double steps = (value - min) / step;
  return std::abs(steps - std::round(steps)) <= 1e-6 * std::max(1.0, std::abs(steps));
}

/// Checks `value` against a range or enum setting's declaration; appends problems naming `where`.
inline void check_value(const std::string& where, const setting& declared, const scalar& value,
                        std::vector<std::string>& problems) {
  if (declared.is_enum()) {
    const auto& allowed = declared.values ? *declared.values : std::vector<scalar>{};
    bool member = false;
    for (const auto& candidate : allowed) {
      // 2 and 2.0 name the same enum value; a string never equals a number.
      auto candidate_number = numeric_value(candidate);
      auto value_number = numeric_value(value);
      if (candidate == value || (candidate_number && value_number && *candidate_number == *value_number)) {
        member = true;
        break;
      }
    }
    if (!member) {
      problems.push_back(where + ": " + describe_scalar(value) + " is not one of the allowed values (" +
                         describe_values(allowed) + ")");
    }
    return;
  }
  auto number = numeric_value(value);
  if (!number) {
    problems.push_back(where + ": expected a number, got " + describe_scalar(value));
    return;
  }
  if (declared.min && *number < *declared.min) {
    problems.push_back(where + ": " + describe_number(*number) + " is below the minimum " +
                       describe_number(*declared.min));
  }
  if (declared.max && *number > *declared.max) {
    problems.push_back(where + ": " + describe_number(*number) + " is above the maximum " +
                       describe_number(*declared.max));
  }
  if (declared.step && declared.min && !on_step_grid(*number, *declared.min, *declared.step)) {
    problems.push_back(where + ": " + describe_number(*number) + " is not a multiple of the step " +
                       describe_number(*declared.step) + " from the minimum " + describe_number(*declared.min));
  }
}

}  // namespace detail

/// The problems of one setting's declaration (empty when it is valid); `where` names it.
inline std::vector<std::string> setting_problems(const std::string& where, const setting& declared) {
  std::vector<std::string> problems;
  if (declared.type && *declared.type != range_setting && *declared.type != enum_setting) {
    problems.push_back(where + ": type must be \"range\" or \"enum\", got \"" + *declared.type + "\"");
    return problems;
  }
  if (declared.is_enum()) {
    if (!declared.values || declared.values->empty()) {
      problems.push_back(where + ": an enum setting needs a non-empty list of values");
      return problems;
    }
  } else {
    if (!declared.min || !declared.max) {
      problems.push_back(where + ": a range setting needs numeric min and max");
      return problems;
    }
    if (!std::isfinite(*declared.min) || !std::isfinite(*declared.max)) {
      const auto text = [](double bound) {
        return std::isnan(bound) ? std::string("NaN") : std::isinf(bound) ? std::string(bound > 0 ? "infinity" : "-infinity")
                                                                          : detail::describe_number(bound);
      };
      problems.push_back(where + ": min and max must be finite numbers, got " + text(*declared.min) + " and " +
                         text(*declared.max));
      return problems;
    }
    if (!(*declared.min < *declared.max)) {
      problems.push_back(where + ": min " + detail::describe_number(*declared.min) + " must be below max " +
                         detail::describe_number(*declared.max));
    }
    if (declared.step && !(*declared.step > 0)) {
      problems.push_back(where + ": step must be positive, got " + detail::describe_number(*declared.step));
    } else if (declared.step && !(detail::grid_steps(*declared.min, *declared.max, *declared.step) <= detail::max_grid_steps)) {
      // The count of grid points is an integer wherever it is used (the optimizer's space): past
      // 2^53 it is neither exact in a double nor, near 1e19, representable in an int64.
      problems.push_back(where + ": step " + detail::describe_number(*declared.step) + " gives more than 2^53 values from " +
                         detail::describe_number(*declared.min) + " to " + detail::describe_number(*declared.max));
    }
  }
  if (declared.value) detail::check_value(where, declared, *declared.value, problems);
  return problems;
}

/// Throws `protocol_error` listing every rule of `PROTOCOL.md` section 1 that `app` breaks.
inline void validate_descriptor(const application& app) {
  std::vector<std::string> problems;
  for (const auto& [component_name, declared_component] : app.components) {
    for (const auto& [setting_name, declared] : declared_component.settings) {
      auto found = setting_problems(component_name + "." + setting_name, declared);
      problems.insert(problems.end(), found.begin(), found.end());
    }
  }
  if (!problems.empty()) throw protocol_error(problems);
}

/// Throws `protocol_error` unless every setting in `requested` is declared in `declared` and
/// carries an allowed value: a known component and setting, within range bounds and on the step,
/// or a member of the enum. Messages name the setting and what it allows.
inline void validate_adjustment(const application& declared, const application& requested) {
  std::vector<std::string> problems;
  for (const auto& [component_name, wanted_component] : requested.components) {
    auto known_component = declared.components.find(component_name);
    if (known_component == declared.components.end()) {
      std::string known;
      for (const auto& [name, unused] : declared.components) known += (known.empty() ? "" : ", ") + name;
      problems.push_back("unknown component \"" + component_name + "\" (known: " + known + ")");
      continue;
    }
    const auto& settings = known_component->second.settings;
    for (const auto& [setting_name, wanted] : wanted_component.settings) {
      const std::string where = component_name + "." + setting_name;
      auto known_setting = settings.find(setting_name);
      if (known_setting == settings.end()) {
        std::string known;
        for (const auto& [name, unused] : settings) known += (known.empty() ? "" : ", ") + name;
        problems.push_back(where + ": unknown setting (" + component_name + " has: " + known + ")");
        continue;
      }
      if (!wanted.value) {
        problems.push_back(where + ": no value given");
        continue;
      }
      detail::check_value(where, known_setting->second, *wanted.value, problems);
    }
  }
  if (!problems.empty()) throw protocol_error(problems);
}

}  // namespace servokit

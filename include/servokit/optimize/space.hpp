#pragma once
/// @file
/// The search space of a descriptor: each setting that may change becomes one dimension, a range
/// as a position in [0, 1] on its step grid, an enum as the index of a member. Turns positions into
/// values an adjust driver accepts and values (from a study, a replay) back into positions.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include <servokit/optimize/objective.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/validate.hpp>

namespace servokit::optimize {

/// Values for every setting of the descriptor: component -> setting -> value, in descriptor order.
using configuration = ordered_map<ordered_map<scalar>>;

/// One setting as the search sees it.
struct dimension {
  std::string component;
  std::string setting;
  bool is_enum = false;
  bool pinned = false;           ///< never changed: every suggestion carries `current`
  scalar current;                ///< the descriptor's value (the baseline)
  // range settings
  double min = 0;
  double max = 0;
  double step = 0;               ///< 0: continuous
  std::int64_t last_step = 0;    ///< the grid is min + k * step for k in [0, last_step]
  bool integer = false;          ///< values are written as integers (min and step are whole)
  int decimals = -1;             ///< grid values are rounded to this many decimals (-1: not at all)
  // enum settings
  std::vector<scalar> members;

  /// Whether the search can move along this dimension.
  bool searchable() const { return !pinned && (is_enum ? members.size() > 1 : (step == 0 || last_step > 0)); }
};

namespace detail {

/// The number of decimals that writes `value` exactly enough (0.25 -> 2, 3 -> 0), or -1 when
/// there is none short: grid values are rounded to it so that 0.1 * 3 prints as 0.3.
inline int short_decimals(double value) {
  for (int decimals = 0; decimals <= 9; ++decimals) {
    const double scaled = value * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) <= 1e-9 * std::max(1.0, std::abs(scaled))) return decimals;
  }
  return -1;
}

inline bool whole(double value) { return std::floor(value) == value && std::abs(value) < 0x1p53; }

/// 2 and 2.0 are the same enum member; a string never equals a number.
inline bool same_member(const scalar& left, const scalar& right) {
  if (left == right) return true;
  auto left_number = numeric_value(left);
  auto right_number = numeric_value(right);
  return left_number && right_number && *left_number == *right_number;
}

}  // namespace detail

/// The dimensions of a descriptor and the mapping between positions and values.
///
/// A position holds one coordinate per dimension, pinned ones included (they stay at the
/// baseline): a range's coordinate is `k / last_step` for grid point k (or the fraction of the
/// range when continuous), an enum's is the member's index.
class search_space {
 public:
  /// Reads `descriptor`; throws `optimize::error` for a descriptor that breaks the protocol's rules.
  explicit search_space(const application& descriptor) {
    try {
      validate_descriptor(descriptor);
    } catch (const protocol_error& failure) {
      throw error(std::string("invalid application descriptor: ") + failure.what());
    }
    for (const auto& [component_name, declared_component] : descriptor.components) {
      for (const auto& [setting_name, declared] : declared_component.settings) {
        dimension added;
        added.component = component_name;
        added.setting = setting_name;
        added.is_enum = declared.is_enum();
        added.pinned = declared.pinned.value_or(false);
        if (added.is_enum) {
          added.members = *declared.values;
          added.current = declared.value ? *declared.value : added.members.front();
        } else {
          added.min = *declared.min;
          added.max = *declared.max;
          added.step = declared.step.value_or(0);
          if (added.step > 0) {
            // A step that does not divide the range stops at the last grid point below max; the
            // small tolerance keeps max itself when rounding put it a hair beyond.
            added.last_step = static_cast<std::int64_t>(std::floor((added.max - added.min) / added.step + 1e-9));
            added.integer = detail::whole(added.min) && detail::whole(added.step);
            const int min_decimals = detail::short_decimals(added.min);
            const int step_decimals = detail::short_decimals(added.step);
            added.decimals = min_decimals < 0 || step_decimals < 0 ? -1 : std::max(min_decimals, step_decimals);
          }
          if (declared.value) {
            added.current = *declared.value;
            if (added.integer) {
              if (auto number = numeric_value(*declared.value)) added.current = static_cast<std::int64_t>(std::llround(*number));
            }
          } else {
            added.current = range_value(added, 0.5);
          }
        }
        dimensions_.push_back(std::move(added));
      }
    }
  }

  /// Every setting, pinned ones included, in descriptor order.
  const std::vector<dimension>& dimensions() const { return dimensions_; }

  /// The baseline's position: the descriptor's current values.
  std::vector<double> baseline() const {
    std::vector<double> position;
    for (const auto& dim : dimensions_) position.push_back(coordinate(dim, dim.current));
    return position;
  }

  /// The configuration at `position`: range coordinates are rounded to the nearest grid point
  /// within bounds, enum coordinates to a member, pinned settings keep their value.
  configuration values(const std::vector<double>& position) const {
    configuration settings;
    for (std::size_t index = 0; index < dimensions_.size(); ++index) {
      const auto& dim = dimensions_[index];
      scalar value = dim.current;
      if (!dim.pinned) {
        if (dim.is_enum) {
          value = dim.members[member_index(dim, position[index])];
        } else {
          value = range_value(dim, position[index]);
        }
      }
      settings[dim.component].insert_or_assign(dim.setting, std::move(value));
    }
    return settings;
  }

  /// The position of `settings`, which may come from anywhere (a study, another optimizer);
  /// throws `optimize::error` naming a setting that is missing or holds a value the descriptor
  /// does not allow. Pinned settings are not read.
  std::vector<double> position(const configuration& settings) const {
    std::vector<double> result;
    for (const auto& dim : dimensions_) {
      const std::string where = dim.component + "." + dim.setting;
      if (dim.pinned) {
        result.push_back(coordinate(dim, dim.current));
        continue;
      }
      auto component = settings.find(dim.component);
      if (component == settings.end() || !component->second.contains(dim.setting)) {
        throw error("settings: " + where + " is missing");
      }
      const scalar& value = component->second.at(dim.setting);
      if (dim.is_enum) {
        bool member = false;
        for (const auto& candidate : dim.members) member = member || detail::same_member(candidate, value);
        if (!member) throw error("settings: " + where + ": " + servokit::detail::describe_scalar(value) + " is not one of its values");
      } else {
        auto number = numeric_value(value);
        if (!number || !std::isfinite(*number)) {
          throw error("settings: " + where + ": expected a number, got " + servokit::detail::describe_scalar(value));
        }
        // The adjust driver would refuse an out-of-range value; a replay of one is an error too,
        // but a value off the step grid (a hand-set baseline) is measured as it is.
        if (*number < dim.min - 1e-9 * std::abs(dim.min) || *number > dim.max + 1e-9 * std::abs(dim.max)) {
          throw error("settings: " + where + ": " + format_number(*number) + " is outside [" + format_number(dim.min) +
                      ", " + format_number(dim.max) + "]");
        }
      }
      result.push_back(coordinate(dim, value));
    }
    return result;
  }

  /// The grid index of a range coordinate (the member index of an enum one): what makes two
  /// positions the same configuration.
  static std::int64_t cell(const dimension& dim, double coordinate) {
    if (dim.is_enum) return static_cast<std::int64_t>(member_index(dim, coordinate));
    if (dim.step > 0) return std::clamp<std::int64_t>(std::llround(coordinate * static_cast<double>(dim.last_step)), 0, dim.last_step);
    // Continuous ranges: a millionth of the range is the same setting.
    return std::llround(std::clamp(coordinate, 0.0, 1.0) * 1e6);
  }

  /// The identity of the configuration at `position` (one cell per dimension).
  std::vector<std::int64_t> cells(const std::vector<double>& position) const {
    std::vector<std::int64_t> key(dimensions_.size());
    for (std::size_t index = 0; index < dimensions_.size(); ++index) key[index] = cell(dimensions_[index], position[index]);
    return key;
  }

  /// `position` moved onto the grid: what `values(position)` will suggest, as a position.
  std::vector<double> snap(std::vector<double> position) const {
    for (std::size_t index = 0; index < dimensions_.size(); ++index) {
      const auto& dim = dimensions_[index];
      if (dim.pinned) {
        position[index] = coordinate(dim, dim.current);
      } else if (dim.is_enum) {
        position[index] = static_cast<double>(member_index(dim, position[index]));
      } else if (dim.step > 0) {
        position[index] = dim.last_step == 0 ? 0.0 : static_cast<double>(cell(dim, position[index])) / static_cast<double>(dim.last_step);
      } else {
        position[index] = std::clamp(position[index], 0.0, 1.0);
      }
    }
    return position;
  }

 private:
  static std::size_t member_index(const dimension& dim, double coordinate) {
    const auto last = static_cast<double>(dim.members.size() - 1);
    return static_cast<std::size_t>(std::clamp(std::round(coordinate), 0.0, last));
  }

  /// The coordinate of `value` (a member, or a number within the range).
  static double coordinate(const dimension& dim, const scalar& value) {
    if (dim.is_enum) {
      for (std::size_t index = 0; index < dim.members.size(); ++index) {
        if (detail::same_member(dim.members[index], value)) return static_cast<double>(index);
      }
      return 0;
    }
    const double number = numeric_value(value).value_or(dim.min);
    if (dim.step > 0) {
      if (dim.last_step == 0) return 0;
      return (number - dim.min) / (dim.step * static_cast<double>(dim.last_step));
    }
    return (number - dim.min) / (dim.max - dim.min);
  }

  /// The range value at `coordinate`: a grid point within [min, max], written as an integer when
  /// min and step are whole.
  static scalar range_value(const dimension& dim, double coordinate) {
    if (dim.step > 0) {
      std::int64_t k = cell(dim, coordinate);
      if (dim.integer) return static_cast<std::int64_t>(std::llround(dim.min)) + k * static_cast<std::int64_t>(std::llround(dim.step));
      for (;; --k) {
        double value = dim.min + static_cast<double>(k) * dim.step;
        if (dim.decimals >= 0) {
          const double scale = std::pow(10.0, dim.decimals);
          value = std::round(value * scale) / scale;
        }
        if (value <= dim.max || k == 0) return std::min(value, dim.max);
      }
    }
    return std::clamp(dim.min + std::clamp(coordinate, 0.0, 1.0) * (dim.max - dim.min), dim.min, dim.max);
  }

  std::vector<dimension> dimensions_;
};

}  // namespace servokit::optimize

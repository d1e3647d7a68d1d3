#pragma once
/// @file
/// servo-batch's section of config.yaml, in both published dialects (PROTOCOL.md section 7), read
/// into reflected structs and then checked as a whole: every error names the file, line and key.
///
/// The seed's dialect:                       The later dialect:
/// ```
/// batch:                                    batch:
///   command: ./job --cpu {state[applicat…     command: ./job --cpu {web.cpu} --t {_control.duration}
///   default_state:                            expected_duration: 600
///     application:                            application:
///       components:                             annotations: {team: data}
///         web:                                  components:
///           settings:                             web:
///             cpu: {min: 1, max: 4, value: 2}       settings:
///   metrics:                                            cpu: {min: 1, max: 4, default: 2}
///     rps: {output_regex: 'rps: (\d+)'}       metrics: ...
/// ```

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/hana/define_struct.hpp>
#include <re2/re2.h>

#include <servokit/json/decode.hpp>
#include <servokit/protocol/application.hpp>
#include <servokit/protocol/ordered_map.hpp>
#include <servokit/protocol/validate.hpp>
#include <servokit/protocol/values.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/text/shell_quote.hpp>

namespace batch {

using servokit::ordered_map;
using servokit::raw_json;
using servokit::scalar;

/// One setting as the config declares it. `value` (seed dialect) or `default` (later dialect)
/// is the value until the first adjustment.
struct setting_config {
  BOOST_HANA_DEFINE_STRUCT(setting_config,
    (std::optional<std::string>, type),                // range (default) or enum
    (std::optional<scalar>, value),                    // the seed dialect's initial value
    (std::optional<scalar>, initial),                  // the later dialect's `default`
    (std::optional<double>, min),
    (std::optional<double>, max),
    (std::optional<double>, step),
    (std::optional<std::vector<scalar>>, values),
    (std::optional<std::string>, unit),
    (std::optional<bool>, pinned));
};

/// A component: its settings, in the config's order.
struct component_config {
  BOOST_HANA_DEFINE_STRUCT(component_config,
    (ordered_map<setting_config>, settings));
};

/// The application: components, and annotations returned with every measurement.
struct application_config {
  BOOST_HANA_DEFINE_STRUCT(application_config,
    (ordered_map<component_config>, components),
    (std::optional<raw_json>, annotations));
};

/// The seed dialect's `default_state: {application: ...}`.
struct default_state_config {
  BOOST_HANA_DEFINE_STRUCT(default_state_config,
    (application_config, application));
};

/// A metric taken from the job's stdout: the first group of the first line `output_regex` matches.
struct metric_config {
  BOOST_HANA_DEFINE_STRUCT(metric_config,
    (std::string, output_regex),
    (std::optional<std::string>, unit));
};

/// The `batch:` section as written, in either dialect (exactly one of `default_state` and
/// `application`).
struct section_config {
  BOOST_HANA_DEFINE_STRUCT(section_config,
    (std::string, command),
    (std::optional<default_state_config>, default_state),
    (std::optional<application_config>, application),
    (std::optional<ordered_map<metric_config>>, metrics),
    (std::optional<double>, expected_duration));
};

/// Which of the two published config dialects a config is written in; it decides the names a
/// command template sees.
enum class dialect {
  default_state,   ///< the seed's: `{state[application][components][c][settings][s][value]}`, `{control.x}`
  application,     ///< the later one: `{component.setting}`, `{_control.x}`
};

/// A metric with its regex compiled (RE2, with `(?m)` and never matching a newline, so that a
/// match lies within one line).
struct compiled_metric {
  std::string name;
  std::string regex_text;              ///< as written in the config
  std::optional<std::string> unit;
  std::shared_ptr<const re2::RE2> regex;
  /// For a regex that starts with `^`: the same without it. It finds candidate lines with RE2's
  /// literal-prefix acceleration (which a leading `^` turns off); `regex` then checks each one.
  std::shared_ptr<const re2::RE2> candidate;
};

/// The checked config the driver works with: the section as read, plus what was derived from it
/// once (the declared application with its initial values, the parsed command template, the
/// compiled regexes).
struct batch_config {
  section_config section;
  ::batch::dialect form = dialect::application;
  servokit::application declared;                                    ///< initial values in `value`
  std::shared_ptr<const servokit::text::shell_command_template> command;
  std::vector<compiled_metric> metrics;
  double expected_duration_seconds = 3600;                           ///< for progress
  std::optional<raw_json> annotations;
};

/// The name of the metric every measurement reports: the job's wall time in seconds.
inline constexpr std::string_view total_runtime = "total_runtime";

namespace detail {

/// The node at `keys` below `node`, as far as it exists, and the path to it: errors point at the
/// deepest line that is there.
template <class Node>
[[noreturn]] void fail_at(const Node& node, servokit::json::path at, std::initializer_list<std::string_view> keys,
                          const std::string& problem) {
  Node deepest = node;
  for (auto key : keys) {
    at.push(key);
    if (auto child = servokit::json::find_member(deepest, key)) deepest = *child;
  }
  deepest.fail(at, problem);
}

/// The settings as the protocol declares them, with the initial values in `value`; fails at the
/// offending key for a dialect mix-up or a setting the protocol's rules refuse.
template <class Node>
servokit::application declared_application(const Node& section_node, const servokit::json::path& at,
                                           const application_config& written, dialect form) {
  const std::string_view root = form == dialect::default_state ? "default_state" : "application";
  const std::string_view initial_key = form == dialect::default_state ? "value" : "default";
  const std::string_view other_key = form == dialect::default_state ? "default" : "value";
  servokit::application declared;
  declared.annotations = written.annotations;
  for (const auto& [component_name, component] : written.components) {
    auto& declared_component = declared.components[component_name];
    for (const auto& [setting_name, setting] : component.settings) {
      // Points at `key` of this setting (or the setting itself), as deep as the file has it.
      // The structured bindings are captured by name: C++20 allows the implicit capture, but
      // clang before 16 does not.
      const auto fail_setting = [&, &component_name = component_name, &setting_name = setting_name](
                                    std::string_view key, const std::string& problem) {
        std::vector<std::string_view> keys{root};
        if (form == dialect::default_state) keys.push_back("application");
        keys.insert(keys.end(), {"components", component_name, "settings", setting_name});
        if (!key.empty()) keys.push_back(key);
        servokit::json::path path = at;
        Node deepest = section_node;
        for (auto step : keys) {
          path.push(step);
          if (auto child = servokit::json::find_member(deepest, step)) deepest = *child;
        }
        deepest.fail(path, problem);
      };
      const bool has_wrong_key = form == dialect::default_state ? setting.initial.has_value() : setting.value.has_value();
      if (has_wrong_key) {
        fail_setting(other_key, "under " + std::string(root) + ": a setting's initial value is `" +
                                    std::string(initial_key) + "`; `" + std::string(other_key) + "` belongs to the " +
                                    (form == dialect::default_state ? "application:" : "default_state:") + " dialect");
      }
      servokit::setting protocol_setting{};
      protocol_setting.type = setting.type;
      protocol_setting.value = form == dialect::default_state ? setting.value : setting.initial;
      protocol_setting.min = setting.min;
      protocol_setting.max = setting.max;
      protocol_setting.step = setting.step;
      protocol_setting.values = setting.values;
      protocol_setting.unit = setting.unit;
      protocol_setting.pinned = setting.pinned;
      const auto problems = servokit::setting_problems(component_name + "." + setting_name, protocol_setting);
      if (!problems.empty()) {
        std::string joined;
        for (const auto& problem : problems) joined += (joined.empty() ? "" : "; ") + problem;
        fail_setting("", joined);
      }
      declared_component.settings.insert_or_assign(setting_name, std::move(protocol_setting));
    }
  }
  return declared;
}

}  // namespace detail
}  // namespace batch

namespace servokit {

template <>
struct meta<batch::setting_config> {
  /// `default` is a C++ keyword: the member is `initial`.
  static constexpr std::string_view key(std::string_view member) { return member == "initial" ? "default" : member; }
};

/// Reads the `batch:` section and checks it as a whole; every error names the file, line and key.
template <>
struct meta<batch::batch_config> {
  template <class Node>
  static void read(const Node& node, batch::batch_config& out, json::path& at) {
    using batch::detail::fail_at;
    json::decode(node, out.section, at);
    auto& section = out.section;
    if (section.default_state && section.application) {
      fail_at(node, at, {"application"},
              "give the settings either under default_state (with `value`) or under application (with `default`), "
              "not both");
    }
    if (!section.default_state && !section.application) {
      node.fail(at, "missing the settings: add default_state: {application: {components: ...}} or application: "
                    "{components: ...}");
    }
    out.form = section.default_state ? batch::dialect::default_state : batch::dialect::application;
    const auto& written = section.default_state ? section.default_state->application : *section.application;
    out.declared = batch::detail::declared_application(node, at, written, out.form);
    out.annotations = written.annotations;

    if (section.expected_duration) {
      if (!(*section.expected_duration > 0)) fail_at(node, at, {"expected_duration"}, "must be a number of seconds above 0");
      out.expected_duration_seconds = servokit::checked_seconds(*section.expected_duration, "expected_duration");  // 1e300: 10^9
    }

    try {
      out.command = std::make_shared<const text::shell_command_template>(text::shell_command_template::parse(section.command));
    } catch (const text::format_error& failure) {
      fail_at(node, at, {"command"}, std::string("invalid command template: ") + failure.what());
    }

    out.metrics.clear();
    if (section.metrics) {
      for (const auto& [name, metric] : *section.metrics) {
        if (name == batch::total_runtime) {
          fail_at(node, at, {"metrics", name}, "total_runtime is measured by the driver itself; choose another name");
        }
        re2::RE2::Options options;
        options.set_log_errors(false);
        options.set_never_nl(true);   // a match lies within one line: the scan is line by line
        const std::string pattern = "(?m)" + metric.output_regex;
        auto compiled = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
        if (!compiled->ok()) {
          fail_at(node, at, {"metrics", name, "output_regex"},
                  "metric \"" + name + "\": invalid regex \"" + metric.output_regex + "\": " + compiled->error() +
                      " (RE2 syntax: no backreferences or lookaround)");
        }
        std::shared_ptr<const re2::RE2> candidate;
        if (metric.output_regex.starts_with('^')) {
          // Dropping an anchor only allows more: every line the regex matches, this matches too.
          const std::string relaxed = "(?m)" + metric.output_regex.substr(1);
          candidate = std::make_shared<const re2::RE2>(re2::StringPiece(relaxed.data(), relaxed.size()), options);
          if (!candidate->ok()) candidate.reset();
        }
        out.metrics.push_back({name, metric.output_regex, metric.unit, std::move(compiled), std::move(candidate)});
      }
    }
  }
};

}  // namespace servokit

#pragma once
/// @file
/// Arithmetic expressions over metrics (`throughput / cost`), compiled and evaluated by muparser
/// (Debian `libmuparser-dev`), so that servokit carries no expression parser of its own.

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <muParser.h>

#include <servokit/protocol/ordered_map.hpp>

namespace servokit::optimize::detail {

/// Characters a metric name may use inside an expression: muparser's default identifier
/// characters plus `.`, so that `latency.p99` reads as one name.
inline constexpr const char* expression_name_chars = "0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.";

/// A parser for `text` with the servokit name rules; muparser throws `mu::Parser::exception_type`.
inline void prepare_parser(mu::Parser& parser, const std::string& text) {
  parser.DefineNameChars(expression_name_chars);
  parser.SetExpr(text);
}

/// The metric names `text` reads, sorted by name; throws `mu::Parser::exception_type` when
/// the expression does not parse.
inline std::vector<std::string> expression_variables(const std::string& text) {
  mu::Parser parser;
  prepare_parser(parser, text);
  // GetUsedVar parses with undefined names allowed and collects them, which is what we want: the
  // names are metrics that will exist only when a measurement arrives.
  std::vector<std::string> names;
  for (const auto& [name, unused] : parser.GetUsedVar()) names.push_back(name);
  return names;
}

/// Why `text` is not a usable expression (muparser's message and position), or nothing.
inline std::optional<std::string> expression_problem(const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return "the expression is empty";
  try {
    auto names = expression_variables(text);
    if (names.empty()) return "the expression \"" + text + "\" reads no metric";
    return std::nullopt;
  } catch (const mu::Parser::exception_type& failure) {
    return "the expression \"" + text + "\" does not parse: " + failure.GetMsg() + " (at character " +
           std::to_string(failure.GetPos() + 1) + ")";
  }
}

/// The value of `text` with each metric name bound to its value in `values` (every name must be
/// present); a division by zero gives an infinity or NaN, which the caller turns into a reason.
inline double evaluate_expression(const std::string& text, const std::vector<std::string>& names,
                                  const ordered_map<double>& values) {
  // A fresh parser per evaluation: muparser binds variables by address, so a parser kept inside a
  // copyable objective would read another copy's storage. Parsing costs microseconds; a
  // measurement costs minutes.
  mu::Parser parser;
  std::vector<double> storage(names.size());
  prepare_parser(parser, text);
  for (std::size_t index = 0; index < names.size(); ++index) {
    storage[index] = values.at(names[index]);
    parser.DefineVar(names[index], &storage[index]);
  }
  return parser.Eval();
}

}  // namespace servokit::optimize::detail

#pragma once
/// @file
/// The text layer: Python `str.format` templates over JSON-like values (`text::python_format`)
/// and shell quoting that keeps substituted values data (`text::shell_command_template`).

#include <servokit/text/format_value.hpp>
#include <servokit/text/python_format.hpp>
#include <servokit/text/shell_quote.hpp>

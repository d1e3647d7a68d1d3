#pragma once
/// @file
/// The text layer: Python `str.format` templates over JSON-like values (`text::python_format`)
/// and shell quoting that keeps substituted values data (`text::shell_command_template`), and the
/// checked readers of values from outside: seconds (`checked_seconds`) and token files.

#include <servokit/text/format_value.hpp>
#include <servokit/text/seconds.hpp>
#include <servokit/text/token_file.hpp>
#include <servokit/text/python_format.hpp>
#include <servokit/text/shell_quote.hpp>

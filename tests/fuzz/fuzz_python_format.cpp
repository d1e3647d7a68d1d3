// Fuzz target: a Python format template (the first line) rendered with values read from JSON (the
// rest), plainly and as a shell command template.
// Properties: only text::format_error (and json::read_error for the values) escape; for a shell
// template, every substituted value, quoted for the context the template tracker found, reads back
// through an independent POSIX word parser as exactly one word equal to the value, with nothing
// the shell would expand; and the rendered command puts the tracker in the same context at every
// field as the template alone did, so no value moved the quoting state.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <servokit/json.hpp>
#include <servokit/text.hpp>

namespace {

using servokit::text::format_value;
using servokit::text::shell_context;

[[noreturn]] void property_failed(const char* what, std::string_view detail) {
  std::fprintf(stderr, "property failed: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// The words a POSIX shell reads from `command`, or nothing when it holds anything the shell
/// would treat as more than quoted or plain data: an operator, a glob, an expansion, a comment.
std::optional<std::vector<std::string>> shell_words(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t at = 0; at < command.size(); ++at) {
    const char c = command[at];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word), word.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const std::size_t close = command.find('\'', at + 1);
      if (close == std::string_view::npos) return std::nullopt;
      word.append(command.substr(at + 1, close - at - 1));
      at = close;
    } else if (c == '\\') {
      if (++at == command.size()) return std::nullopt;
      if (command[at] != '\n') word += command[at];  // backslash-newline joins lines
    } else if (c == '"') {
      for (++at;; ++at) {
        if (at >= command.size()) return std::nullopt;
        const char inner = command[at];
        if (inner == '"') break;
        if (inner == '$' || inner == '`') return std::nullopt;  // an expansion
        if (inner == '\\' && at + 1 < command.size() &&
            std::string_view("$`\"\\\n").find(command[at + 1]) != std::string_view::npos) {
          if (command[++at] != '\n') word += command[at];
          continue;
        }
        word += inner;
      }
    } else if (std::string_view("|&;<>()$`*?[]#~{}=!%^").find(c) != std::string_view::npos) {
      return std::nullopt;  // special outside quotes
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

/// The tracker's verdict for a value inserted now: the context, or nothing when it refuses.
std::optional<shell_context> verdict(const servokit::text::shell_context_tracker& tracker) {
  try {
    return tracker.context();
  } catch (const servokit::text::format_error&) {
    return std::nullopt;
  }
}

format_value default_arguments() {
  return format_value::make_object({
      {"s", "a b'c\"d$(id)`e`\\f\n;g*"},
      {"n", std::int64_t{-42}},
      {"u", std::uint64_t{18446744073709551615u}},
      {"f", 2.5},
      {"b", true},
      {"z", format_value()},
      {"l", format_value(format_value::list{std::int64_t{1}, "two", 3.0})},
      {"o", format_value::make_object({{"k", "v"}, {"w", std::int64_t{8}}})},
  });
}

void check_shell_template(std::string_view template_text, const format_value& arguments) {
  using servokit::text::format_error;
  std::optional<servokit::text::shell_command_template> command;
  try {
    command = servokit::text::shell_command_template::parse(template_text);
  } catch (const format_error&) {
    return;
  }
  try {
    (void)command->render(arguments);
  } catch (const format_error&) {
  }
  // Each field on its own, and the command re-read with the values in place.
  servokit::text::shell_context_tracker rendered;
  std::size_t index = 0;
  for (const auto& piece : command->format().parts()) {
    if (const auto* literal = std::get_if<std::string>(&piece)) {
      rendered.feed(*literal);
      continue;
    }
    const auto& field = std::get<servokit::text::replacement_field>(piece);
    const shell_context where = command->contexts().at(index++);
    if (verdict(rendered) != where) {
      property_failed("a value before this field changed the shell's quoting state", field.source);
    }
    std::string value;
    std::string quoted;
    try {
      value = servokit::text::python_format_template::format_field(arguments, field);
      quoted = servokit::text::shell_quote_for(value, where);
    } catch (const format_error&) {
      return;  // render refuses this field too; nothing after it is produced
    }
    const std::string as_read = where == shell_context::unquoted        ? quoted
                                : where == shell_context::single_quoted ? "'" + quoted + "'"
                                                                        : "\"" + quoted + "\"";
    const auto words = shell_words(as_read);
    if (!words || words->size() != 1 || words->front() != value) {
      property_failed("a quoted value does not read back as exactly itself", as_read);
    }
    rendered.feed(quoted);
  }
  if (!rendered.unfinished().empty()) property_failed("a rendered command is incomplete", template_text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view template_text = input.substr(0, newline);
  const std::string_view values_text = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  format_value arguments = default_arguments();
  try {
    auto values = servokit::json::read<format_value>(values_text);
    if (values.is_object()) {
      for (const auto& [key, value] : values.as_object()) arguments.set(key, value);
    } else {
      arguments.set("v", std::move(values));
    }
  } catch (const servokit::json::read_error&) {
  }

  try {
    (void)servokit::text::python_format(template_text, arguments);
  } catch (const servokit::text::format_error&) {
  }
  check_shell_template(template_text, arguments);
  return 0;
}

#pragma once
/// @file
/// Putting data into a `/bin/sh -c` command line so that it stays data: `shell_quote` for one
/// word, and `shell_command_template`, a Python format template whose every substituted value is
/// quoted for the place it lands in (bare, inside '...' or inside "..."), so that no value
/// (`;`, `$( )`, backticks, quotes, newlines) can run anything.
///
/// Example:
/// ```
/// auto command = text::shell_command_template::parse("./job --name {job.name} --note \"{job.note}\"");
/// command.render(names);   // ./job --name 'a; rm -rf /' --note "\$(id)"
/// ```

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <servokit/text/format_value.hpp>
#include <servokit/text/python_format.hpp>

namespace servokit::text {

/// `text` as one shell word in single quotes, each `'` written as `'\''`: `it's` -> `'it'\''s'`.
/// Inside single quotes the shell interprets nothing, so any byte but NUL is safe.
inline std::string shell_quote(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '\'';
  for (char c : text) {
    if (c == '\'') quoted += "'\\''";
    else quoted += c;
  }
  quoted += '\'';
  return quoted;
}

/// Where in a shell command a substituted value lands.
enum class shell_context {
  unquoted,        ///< a bare word: the value is wrapped in single quotes
  single_quoted,   ///< inside '...': each `'` of the value is written `'\''`
  double_quoted,   ///< inside "...": `$`, `` ` ``, `"` and `\` of the value are backslashed
};

/// `text` quoted for `where`, so that the shell reads back exactly `text` and runs none of it.
/// Throws `format_error` for a NUL byte, which no shell word can carry.
inline std::string shell_quote_for(std::string_view text, shell_context where) {
  if (text.find('\0') != std::string_view::npos) throw format_error("a value with a NUL byte cannot be passed to a shell");
  switch (where) {
    case shell_context::unquoted: return shell_quote(text);
    case shell_context::single_quoted: {
      std::string quoted;
      for (char c : text) {
        if (c == '\'') quoted += "'\\''";
        else quoted += c;
      }
      return quoted;
    }
    case shell_context::double_quoted: {
      std::string quoted;
      for (char c : text) {
        if (c == '$' || c == '`' || c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      return quoted;
    }
  }
  return shell_quote(text);
}

/// Follows the quoting state of a POSIX shell command written in pieces, so that a value put
/// between two pieces can be quoted for where it lands.
///
/// It knows words, '...', "...", backslash escapes, `$(...)` (nested, with its own quoting) and
/// comments. Places where a quoted value would not stay data, or would not mean what the
/// template's author meant, are refused: inside backticks, `${...}`, `$((...))`, `$'...'` or a comment,
/// right after a backslash or a `$`, and anywhere after a here-document operator `<<`. A `case`
/// pattern's `)` inside `$(...)` is taken for the end of the substitution: write such scripts in
/// a file and call that.
class shell_context_tracker {
 public:
  /// Reads literal command text.
  void feed(std::string_view text) {
    for (std::size_t at = 0; at < text.size(); ++at) {
      const char c = text[at];
      const char next = at + 1 < text.size() ? text[at + 1] : '\0';
      const char after_next = at + 2 < text.size() ? text[at + 2] : '\0';
      after_dollar_ = false;
      frame& top = stack_.back();
      if (escaped_) {
        escaped_ = false;
        word_start_ = false;
        continue;
      }
      switch (top.kind) {
        case frame_kind::top:
        case frame_kind::command_substitution:
          if (c == '\\') {
            escaped_ = true;
          } else if (c == '\'') {
            stack_.push_back({frame_kind::single_quoted});
          } else if (c == '"') {
            stack_.push_back({frame_kind::double_quoted});
          } else if (c == '`') {
            stack_.push_back({frame_kind::backtick});
          } else if (c == '$' && next == '\'') {
            // bash, ksh, zsh, busybox (and POSIX since 2024) read `$'...'` with backslash escapes,
            // where a value's `\'` ends the quote: it is not the single quote it looks like.
            stack_.push_back({frame_kind::dollar_single_quoted});
            ++at;
          } else if (c == '$') {
            at += open_dollar(next, after_next);
          } else if (c == '#' && word_start_) {
            stack_.push_back({frame_kind::comment});
          } else if (c == '(' && top.kind == frame_kind::command_substitution) {
            ++top.depth;
          } else if (c == ')' && top.kind == frame_kind::command_substitution) {
            if (top.depth == 0) stack_.pop_back();
            else --top.depth;
          } else if (c == '<' && next == '<') {
            here_document_ = true;
            ++at;
          }
          word_start_ = std::string_view(" \t\n;&|()<>").find(c) != std::string_view::npos;
          break;
        case frame_kind::double_quoted:
          if (c == '\\') escaped_ = true;
          else if (c == '"') stack_.pop_back();
          else if (c == '`') stack_.push_back({frame_kind::backtick});
          else if (c == '$') at += open_dollar(next, after_next);
          break;
        case frame_kind::single_quoted:
          if (c == '\'') stack_.pop_back();
          break;
        case frame_kind::dollar_single_quoted:
          if (c == '\\') escaped_ = true;
          else if (c == '\'') stack_.pop_back();
          break;
        case frame_kind::backtick:
          if (c == '\\') escaped_ = true;
          else if (c == '`') stack_.pop_back();
          break;
        case frame_kind::parameter:
          if (c == '\\') escaped_ = true;
          else if (c == '{') ++top.depth;
          else if (c == '}' && top.depth-- == 0) stack_.pop_back();
          break;
        case frame_kind::arithmetic:
          if (c == '(') {
            ++top.depth;
          } else if (c == ')') {
            if (top.depth == 0 && next == ')') {
              stack_.pop_back();
              ++at;
            } else if (top.depth > 0) {
              --top.depth;
            }
          }
          break;
        case frame_kind::comment:
          if (c == '\n') {
            stack_.pop_back();
            word_start_ = true;
          }
          break;
      }
    }
  }

  /// The context a value inserted now lands in. Throws `format_error` saying why a value
  /// cannot go here.
  shell_context context() const {
    if (here_document_) throw format_error("it comes after a here-document operator (<<), where quoting cannot protect it");
    if (escaped_) throw format_error("it comes right after a backslash");
    if (after_dollar_) throw format_error("it comes right after a '$'");
    switch (stack_.back().kind) {
      case frame_kind::top:
      case frame_kind::command_substitution: return shell_context::unquoted;
      case frame_kind::single_quoted: return shell_context::single_quoted;
      case frame_kind::double_quoted: return shell_context::double_quoted;
      case frame_kind::backtick: throw format_error("it is inside a `...` command substitution; use $(...) instead");
      case frame_kind::dollar_single_quoted:
        throw format_error("it is inside a $'...' string, where a backslash in the value would be an escape");
      case frame_kind::parameter: throw format_error("it is inside a ${...} expansion");
      case frame_kind::arithmetic: throw format_error("it is inside a $((...)) arithmetic expansion");
      case frame_kind::comment: throw format_error("it is inside a # comment, which a newline in the value would end");
    }
    return shell_context::unquoted;
  }

  /// Records that a value was inserted at the current place: a word is under way.
  void value_inserted() {
    word_start_ = false;
    after_dollar_ = false;
  }

  /// Why the command as fed so far is incomplete (an open quote or substitution), or "".
  std::string unfinished() const {
    switch (stack_.back().kind) {
      case frame_kind::single_quoted: return "a single quote (') is never closed";
      case frame_kind::double_quoted: return "a double quote (\") is never closed";
      case frame_kind::backtick: return "a backtick (`) is never closed";
      case frame_kind::dollar_single_quoted: return "a $' is never closed";
      case frame_kind::command_substitution: return "a $( is never closed";
      case frame_kind::parameter: return "a ${ is never closed";
      case frame_kind::arithmetic: return "a $(( is never closed";
      case frame_kind::top:
      case frame_kind::comment: break;
    }
    return escaped_ ? "the command ends with a backslash" : "";
  }

 private:
  enum class frame_kind {
    top, command_substitution, double_quoted, single_quoted, dollar_single_quoted, backtick, parameter, arithmetic, comment
  };
  /// One level of nesting: what it is, and how many plain parentheses or braces are open in it.
  struct frame {
    frame_kind kind;
    int depth = 0;
  };

  /// Handles a `$` followed by `next` and `after_next`; returns how many more characters it used.
  std::size_t open_dollar(char next, char after_next) {
    if (next == '(' && after_next == '(') {
      stack_.push_back({frame_kind::arithmetic});
      return 2;
    }
    if (next == '(') {
      stack_.push_back({frame_kind::command_substitution});
      return 1;
    }
    if (next == '{') {
      stack_.push_back({frame_kind::parameter});
      return 1;
    }
    after_dollar_ = next == '\0';
    return 0;
  }

  std::vector<frame> stack_{frame{frame_kind::top}};
  bool escaped_ = false;
  bool word_start_ = true;
  bool after_dollar_ = false;
  bool here_document_ = false;
};

/// A shell command template: Python `str.format` syntax (see `python_format.hpp`) whose every
/// field is shell-quoted for the place it lands in. Parsing checks the template once (syntax, and
/// that every field sits where it can be quoted); rendering cannot produce a command in which a
/// value runs.
class shell_command_template {
 public:
  /// Parses `text`. Throws `format_error` naming the field and the reason when a field sits where
  /// no quoting can keep its value data, or when a quote is left open.
  static shell_command_template parse(std::string_view text) {
    shell_command_template parsed;
    parsed.format_ = python_format_template::parse(text);
    shell_context_tracker tracker;
    for (const auto& piece : parsed.format_.parts()) {
      if (const auto* literal = std::get_if<std::string>(&piece)) {
        tracker.feed(*literal);
        continue;
      }
      const auto& field = std::get<replacement_field>(piece);
      try {
        parsed.contexts_.push_back(tracker.context());
      } catch (const format_error& failure) {
        throw format_error("field " + field.source + " (column " + std::to_string(field.offset + 1) +
                           ") cannot be quoted for the shell: " + failure.what());
      }
      tracker.value_inserted();
    }
    if (auto problem = tracker.unfinished(); !problem.empty()) throw format_error("the command is incomplete: " + problem);
    return parsed;
  }

  /// The command with `arguments` substituted, each value quoted. Throws `format_error`.
  std::string render(const format_value& arguments) const {
    std::size_t index = 0;
    return format_.render(arguments, [&](std::string formatted, const replacement_field& field) {
      try {
        return shell_quote_for(formatted, contexts_[index++]);
      } catch (const format_error& failure) {
        throw format_error("field " + field.source + ": " + failure.what());
      }
    });
  }

  /// The underlying format template.
  const python_format_template& format() const { return format_; }
  /// Where each field lands, in order.
  const std::vector<shell_context>& contexts() const { return contexts_; }

 private:
  python_format_template format_;
  std::vector<shell_context> contexts_;
};

}  // namespace servokit::text

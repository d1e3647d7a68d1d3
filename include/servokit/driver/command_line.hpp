#pragma once
/// @file
/// The command line of a driver program, exactly as `PROTOCOL.md` sections 1 and 2 give it:
/// `--version`, `--info [app_id]`, `--query app_id` (alias `--describe`), and `app_id` alone to
/// run an operation with the request on stdin.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <getopt.h>

namespace servokit {

/// What a driver was asked to do.
enum class driver_mode { show_version, show_info, query, operate, help };

/// Which protocol a program speaks in this run; a program that is both picks one per run.
enum class driver_role { adjust, measure };

/// A command line that does not fit the protocol; `what()` says why.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The parsed command line.
struct invocation {
  driver_mode mode = driver_mode::operate;
  std::string app_id;                    ///< empty when not given (allowed only for --info/--version)
  std::optional<driver_role> role;       ///< from `--role`, for programs that are both kinds
  std::string help_text;                 ///< for `--help`
};

/// The role a program's path asks for: its file name when it is `adjust` or `measure` (as a
/// servo directory links them), else its directory when it is `adjust.d` or `measure.d` (a
/// sub-driver of servokit-agg or servokit-magg, run by any name, as the original drivers were),
/// else nothing.
inline std::optional<driver_role> role_from_program_name(std::string_view argv0) {
  while (argv0.size() > 1 && argv0.back() == '/') argv0.remove_suffix(1);
  const auto slash = argv0.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  if (base == "adjust") return driver_role::adjust;
  if (base == "measure") return driver_role::measure;
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view directory = argv0.substr(0, slash);
  while (directory.size() > 1 && directory.back() == '/') directory.remove_suffix(1);
  const auto parent_slash = directory.find_last_of('/');
  const std::string_view parent = parent_slash == std::string_view::npos ? directory : directory.substr(parent_slash + 1);
  if (parent == "adjust.d") return driver_role::adjust;
  if (parent == "measure.d") return driver_role::measure;
  return std::nullopt;
}

namespace detail {

/// The usage text of a driver program.
inline std::string usage_text(std::string_view program_name, bool dual_role) {
  std::string text = "usage: " + std::string(program_name) + " [--version | --info [app_id] | --query app_id | app_id]";
  if (dual_role) text += " [--role adjust|measure]";
  text +=
      "\n\n"
      "  --version            print the driver's version\n"
      "  --info [app_id]      print {\"version\", \"has_cancel\"}\n"
      "  --query app_id       print the descriptor (alias: --describe)\n"
      "  app_id               run the operation; the request is read from stdin\n";
  if (dual_role) text += "  --role adjust|measure  act as this driver (default: from the file name, else from an adjust.d or measure.d directory)\n";
  return text;
}

}  // namespace detail

/// Parses a driver's command line; `dual_role` adds `--role adjust|measure`. Throws `usage_error`.
///
/// The parsing is libc's getopt_long: the same rules every GNU tool follows (`--role=x` and
/// `--role x`, `--` ends the options), with no compile-time cost for a program this small.
inline invocation parse_command_line(int argc, char** argv, std::string_view program_name, bool dual_role) {
  enum : int { option_version = 1000, option_info, option_query, option_role, option_help };
  static const ::option long_options[] = {
      {"version", no_argument, nullptr, option_version},  {"info", no_argument, nullptr, option_info},
      {"query", no_argument, nullptr, option_query},      {"describe", no_argument, nullptr, option_query},
      {"role", required_argument, nullptr, option_role},  {"help", no_argument, nullptr, option_help},
      {nullptr, 0, nullptr, 0}};
  bool version_wanted = false, info = false, query = false, help = false;
  invocation parsed;
  ::opterr = 0;   // errors are ours to report, as one protocol line
  ::optind = 0;   // 0, not 1: makes glibc start over, so parsing can run more than once
  for (;;) {
    // The leading ':' makes a missing value come back as ':' rather than '?'.
    const int option = ::getopt_long(argc, argv, ":h", long_options, nullptr);
    if (option == -1) break;
    switch (option) {
      case option_version: version_wanted = true; break;
      case option_info: info = true; break;
      case option_query: query = true; break;
      case 'h':
      case option_help: help = true; break;
      case option_role: {
        const std::string_view role = ::optarg;
        if (!dual_role) throw usage_error("--role applies only to a program that is both an adjust and a measure driver");
        if (role == "adjust") parsed.role = driver_role::adjust;
        else if (role == "measure") parsed.role = driver_role::measure;
        else throw usage_error("--role must be adjust or measure, not \"" + std::string(role) + "\"");
        break;
      }
      case ':':
        throw usage_error("--role needs a value");   // the only option that takes one
      default:
        if (::optopt > 0 && ::optopt < 256) throw usage_error(std::string("unknown option -") + static_cast<char>(::optopt));
        // For an unknown long option glibc leaves optind just past it.
        throw usage_error("unknown option " + std::string(::optind > 0 && ::optind <= argc ? argv[::optind - 1] : "?"));
    }
  }
  std::vector<std::string> operands(argv + ::optind, argv + argc);
  if (operands.size() > 1) throw usage_error("unexpected argument \"" + operands[1] + "\" (only one app_id)");
  if (!operands.empty()) parsed.app_id = operands.front();
  if (info + query + version_wanted > 1) throw usage_error("--version, --info and --query/--describe exclude each other");
  if (help) {
    parsed.mode = driver_mode::help;
    parsed.help_text = detail::usage_text(program_name, dual_role);
  } else if (version_wanted) {
    parsed.mode = driver_mode::show_version;
  } else if (info) {
    parsed.mode = driver_mode::show_info;
  } else {
    parsed.mode = query ? driver_mode::query : driver_mode::operate;
    if (parsed.app_id.empty()) {
      throw usage_error(query ? "--query needs an app_id" : "an app_id is required (the request is read from stdin)");
    }
  }
  return parsed;
}

}  // namespace servokit

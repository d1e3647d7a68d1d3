#pragma once
/// @file
/// A file the dashboard serves as it is (a page, a script, a style sheet), kept apart from the
/// site so that a program's embedded assets need nothing else.

#include <string_view>

namespace servokit::dashboard {

/// A file the site serves as it is.
struct asset {
  std::string_view path;           ///< where it is served: `/`, `/assets/dashboard.js`, ...
  std::string_view content_type;   ///< `text/html; charset=utf-8`, ...
  std::string_view body;
};

}  // namespace servokit::dashboard

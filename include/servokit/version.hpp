#pragma once
/// @file
/// The version of servokit itself, as one constant users can print or compare.

#include <string_view>

namespace servokit {

/// servokit's version: major.minor.patch, kept equal to the project version in CMakeLists.txt.
inline constexpr std::string_view version = "0.1.0";

}  // namespace servokit

#pragma once
// The dashboard's pages, scripts and style sheet, and Chart.js (Debian's libjs-chart.js), embedded
// in the program at build time (examples/dashboard_assets/CMakeLists.txt): nothing to install
// beside the program, nothing fetched from elsewhere. Link the `servokit-dashboard-assets` target.
#include <span>

#include <servokit/dashboard/asset.hpp>

/// Every embedded file, with the path it is served at.
std::span<const servokit::dashboard::asset> servokit_dashboard_assets();

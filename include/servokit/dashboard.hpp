#pragma once
/// @file
/// The dashboard: a live view of every study in the browser, and its read-only JSON API.
#include <servokit/dashboard/asset.hpp>
#include <servokit/dashboard/model.hpp>
#include <servokit/dashboard/sessions.hpp>
#include <servokit/dashboard/api.hpp>
#include <servokit/dashboard/server.hpp>

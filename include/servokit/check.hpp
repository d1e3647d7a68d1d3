#pragma once
/// @file
/// The check layer: a driver in any language run through the protocol (`PROTOCOL.md`) and each
/// rule checked, with the evidence; what `servokit-check` is made of.

#include <servokit/check/driver_call.hpp>
#include <servokit/check/driver_checks.hpp>
#include <servokit/check/report.hpp>

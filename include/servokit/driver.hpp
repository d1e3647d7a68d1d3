#pragma once
/// @file
/// The driver layer: traits, policies and `servokit::run<D>`.

#include <servokit/driver/command_line.hpp>
#include <servokit/driver/errors.hpp>
#include <servokit/driver/output.hpp>
#include <servokit/driver/policies.hpp>
#include <servokit/driver/progress.hpp>
#include <servokit/driver/run.hpp>
#include <servokit/driver/signal_monitor.hpp>
#include <servokit/driver/traits.hpp>

#pragma once
/// @file
/// The optimize layer: an ask/tell search over a descriptor's settings, the objective and
/// constraints over metrics it optimizes, and the `optimization:` section of config.yaml.

#include <servokit/optimize/config.hpp>
#include <servokit/optimize/design.hpp>
#include <servokit/optimize/expression.hpp>
#include <servokit/optimize/gaussian_process.hpp>
#include <servokit/optimize/objective.hpp>
#include <servokit/optimize/optimizer.hpp>
#include <servokit/optimize/random.hpp>
#include <servokit/optimize/space.hpp>

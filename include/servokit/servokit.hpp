#pragma once
/// @file
/// Everything servokit offers, in one include. Each layer also has its own header
/// (`servokit/protocol.hpp`, `json.hpp`, `config.hpp`, `process.hpp`, `text.hpp`, `driver.hpp`,
/// `http.hpp`, `optimize.hpp`, `transport.hpp`, `servo.hpp`, `backend.hpp`, `dashboard.hpp`, `check.hpp`)
/// for builds that want less.

#include <servokit/version.hpp>
#include <servokit/protocol.hpp>
#include <servokit/json.hpp>
#include <servokit/config.hpp>
#include <servokit/process.hpp>
#include <servokit/text.hpp>
#include <servokit/driver.hpp>
#include <servokit/http.hpp>
#include <servokit/optimize.hpp>
#include <servokit/transport.hpp>
#include <servokit/servo.hpp>
#include <servokit/backend.hpp>
#include <servokit/dashboard.hpp>
#include <servokit/check.hpp>

#pragma once
/// @file
/// The protocol layer: the message model of `PROTOCOL.md` and the rules a descriptor obeys.

#include <servokit/protocol/application.hpp>
#include <servokit/protocol/messages.hpp>
#include <servokit/protocol/metrics.hpp>
#include <servokit/protocol/ordered_map.hpp>
#include <servokit/protocol/requests.hpp>
#include <servokit/protocol/validate.hpp>
#include <servokit/protocol/values.hpp>

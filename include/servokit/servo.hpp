#pragma once
/// @file
/// The servo layer (servokit::servo): the agent loop as a template over its transport,
/// `servo_loop<Transport>` (its state machine), with its conversation with the backend (the retry
/// policy) and its driver runner (not a template), its stop requests, its options (and the
/// environment variables that fill them), and the relay that turns the agent's signals into stop
/// requests.

#include <servokit/servo/conversation.hpp>
#include <servokit/servo/driver_output.hpp>
#include <servokit/servo/driver_runner.hpp>
#include <servokit/servo/loop.hpp>
#include <servokit/servo/options.hpp>
#include <servokit/servo/signal_relay.hpp>
#include <servokit/servo/stop_control.hpp>

#pragma once
/// @file
/// The transport layer (servokit::transport): what the agent loop needs from a backend connection
/// (`transport`), and the connections servokit ships: `scripted_transport` for tests,
/// `local_transport` (the optimization backend in process) and
/// `http_transport` for the Optune endpoint.

#include <servokit/transport/http.hpp>
#include <servokit/transport/local.hpp>
#include <servokit/transport/scripted.hpp>
#include <servokit/transport/transport.hpp>

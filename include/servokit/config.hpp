#pragma once
/// @file
/// The config layer: `config.yaml` mapped onto a driver's declared config struct.

#include <servokit/config/load.hpp>
#include <servokit/config/yaml_node.hpp>

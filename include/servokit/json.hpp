#pragma once
/// @file
/// The JSON layer: read any reflected struct with simdjson, write it as one compact line.

#include <servokit/json/read.hpp>
#include <servokit/json/write.hpp>

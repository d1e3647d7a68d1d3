#pragma once
/// @file
/// The backend layer: the backend side of the servo protocol driven by the optimizer (a session
/// per application), the study store (SQLite, or PostgreSQL for replicas) that survives crashes, and the report for people.

#include <servokit/backend/options.hpp>
#include <servokit/backend/report.hpp>
#include <servokit/backend/session.hpp>
#include <servokit/backend/sqlite.hpp>
#include <servokit/backend/store.hpp>
#include <servokit/backend/study.hpp>

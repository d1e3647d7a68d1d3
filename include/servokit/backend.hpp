#pragma once
/// @file
/// The backend layer: the backend side of the servo protocol driven by the optimizer (a session
/// per application), the study store (SQLite, or PostgreSQL for replicas) that survives crashes, and the report for people.

#include <servokit/backend/confirmation.hpp>
#include <servokit/backend/conversation.hpp>
#include <servokit/backend/envelope.hpp>
#include <servokit/backend/options.hpp>
#include <servokit/backend/plot_worker.hpp>
#include <servokit/backend/report.hpp>
#include <servokit/backend/session.hpp>
#include <servokit/backend/sqlite.hpp>
#include <servokit/backend/store.hpp>
#include <servokit/backend/study.hpp>
#include <servokit/backend/summary.hpp>
#include <servokit/backend/trial_book.hpp>
#include <servokit/backend/trial_scheduler.hpp>
// PostgreSQL studies where libpq's header is installed (libpq-dev; link with -lpq): without it
// these declare only what needs no libpq.
#include <servokit/backend/postgres.hpp>
#include <servokit/backend/postgres_store.hpp>

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
// PostgreSQL studies only where libpq's header is installed (libpq-dev); link them with -lpq.
#if __has_include(<libpq-fe.h>) || __has_include(<postgresql/libpq-fe.h>)
#include <servokit/backend/postgres.hpp>
#include <servokit/backend/postgres_store.hpp>
#endif

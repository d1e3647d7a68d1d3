#!/bin/sh
# The application the demo tunes: SQLite (Debian's sqlite3) taking an insert-heavy load into a
# fresh database. 150 single-row transactions (each one a commit: journal_mode and synchronous
# decide how many fsyncs it costs), then 60,000 rows in one transaction through a secondary index
# (page_size and cache_size decide how much paging that takes).
#
#   workload.sh PAGE_SIZE CACHE_KIB JOURNAL_MODE SYNCHRONOUS LOCKING_MODE
# servokit-batch runs it with the values under trial (each one a quoted argument) and times it.
set -eu
page_size=$1 cache_kib=$2 journal_mode=$3 synchronous=$4 locking_mode=$5
rm -f bench.db bench.db-journal bench.db-wal bench.db-shm
{
  printf 'PRAGMA page_size=%d;\nPRAGMA cache_size=-%d;\n' "$page_size" "$cache_kib"
  printf 'PRAGMA journal_mode=%s;\nPRAGMA synchronous=%s;\nPRAGMA locking_mode=%s;\n' "$journal_mode" "$synchronous" "$locking_mode"
  cat schema.sql single_row_commits.sql bulk_load.sql
} | sqlite3 -batch bench.db > /dev/null
echo "rows: $(sqlite3 -batch bench.db 'SELECT count(*) FROM events')"
rm -f bench.db bench.db-journal bench.db-wal bench.db-shm

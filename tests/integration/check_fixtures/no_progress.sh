#!/bin/sh
# Broken measure driver: works, but never reports progress. servokit-check: "measure" fails.
case "$1" in
  --version) echo 1.0.0; exit 0 ;;
  --info) echo '{"version": "1.0.0", "has_cancel": false}'; exit 0 ;;
  --describe) echo '{"status": "ok", "metrics": {"rps": {"unit": "rps"}}}'; exit 0 ;;
esac
request=$(cat)
case "$request" in
  *'"metrics":["rps"]'*) echo '{"status": "ok", "metrics": {"rps": {"value": 1, "unit": "rps"}}}' ;;
  *) echo '{"status": "bad-request", "reason": "unknown", "message": "bad request"}'; exit 1 ;;
esac

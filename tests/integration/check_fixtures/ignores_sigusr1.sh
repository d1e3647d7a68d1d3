#!/bin/sh
# Broken measure driver: promises cancel (has_cancel true) but ignores SIGUSR1 and measures on.
# servokit-check: "cancel" fails.
trap '' USR1
case "$1" in
  --version) echo 1.0.0; exit 0 ;;
  --info) echo '{"version": "1.0.0", "has_cancel": true}'; exit 0 ;;
  --describe) echo '{"status": "ok", "metrics": {"rps": {"unit": "rps"}}}'; exit 0 ;;
esac
request=$(cat)
case "$request" in
  *'"metrics":["rps"]'*) ;;
  *) echo '{"status": "bad-request", "reason": "unknown", "message": "bad request"}'; exit 1 ;;
esac
echo '{"progress": 0, "message": "measuring"}'
case "$request" in
  *'"duration":1,'*) ;;
  *) i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done ;;  # the long measurement
esac
echo '{"status": "ok", "metrics": {"rps": {"value": 1, "unit": "rps"}}}'

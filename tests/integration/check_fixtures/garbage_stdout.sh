#!/bin/sh
# Broken adjust driver: prints a log line on stdout, where only JSON lines belong.
# servokit-check: "stdout_json_only" fails.
case "$1" in
  --version) echo 1.0.0; exit 0 ;;
  --info) echo '{"version": "1.0.0", "has_cancel": false}'; exit 0 ;;
  --query) echo '{"application": {"components": {"web": {"settings": {"cpu": {"min": 1, "max": 4, "step": 1, "value": 2}}}}}}'; exit 0 ;;
esac
request=$(cat)
case "$request" in
  *'"settings":{"cpu":{"value":2}}'*) ;;
  *) echo '{"status": "bad-request", "reason": "unknown", "message": "bad request"}'; exit 1 ;;
esac
echo "adjusting web.cpu now"
echo '{"progress": 50}'
echo '{"status": "ok", "reason": "success"}'

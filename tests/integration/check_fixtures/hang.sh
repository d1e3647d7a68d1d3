#!/bin/sh
# Broken adjust driver: --query never answers. servokit-check: "query" fails (a hang).
case "$1" in
  --version) echo 1.0.0; exit 0 ;;
  --info) echo '{"version": "1.0.0", "has_cancel": false}'; exit 0 ;;
  --query) exec sleep 1000 ;;
esac
cat >/dev/null
echo '{"status": "bad-request", "reason": "unknown", "message": "no descriptor"}'
exit 1

#!/usr/bin/env python3
# An adjust driver in Python that speaks the protocol by itself (no servo library), for the agg
# tests. It owns component "py", setting "threads". It records each request in
# ./<its file name>.request; $PY_ADJUST_STATUS (failed, rejected) makes it fail that way, and
# $PY_ADJUST_SLEEP makes it work that many seconds, during which SIGUSR1 cancels it.
import json, os, signal, sys, time

me = os.path.basename(sys.argv[0])

def say(obj):
    print(json.dumps(obj), flush=True)

def cancel(signum, frame):
    with open(me + ".signal", "w") as out:
        out.write(signal.Signals(signum).name)
    say({"status": "canceled", "reason": "signal", "message": "canceled by " + signal.Signals(signum).name})
    sys.exit(1)

if "--info" in sys.argv:
    say({"version": "py-1.0", "has_cancel": True})
elif "--query" in sys.argv or "--describe" in sys.argv:
    # the legacy form without the "application" wrapper, as old drivers printed it
    say({"components": {"py": {"settings": {"threads": {"type": "range", "min": 1, "max": 16, "step": 1, "value": 4}}}}})
else:
    signal.signal(signal.SIGUSR1, cancel)
    signal.signal(signal.SIGTERM, cancel)
    request = json.load(sys.stdin)
    with open(me + ".request", "w") as out:
        json.dump(request, out)
    say({"progress": 30, "message": "python working"})
    time.sleep(float(os.environ.get("PY_ADJUST_SLEEP", "0")))
    status = os.environ.get("PY_ADJUST_STATUS", "ok")
    if status != "ok":
        print("python driver: giving up", file=sys.stderr)
        say({"status": status, "reason": "py-reason", "message": "python says " + status})
        sys.exit(1)
    say({"status": "ok", "reason": "success"})

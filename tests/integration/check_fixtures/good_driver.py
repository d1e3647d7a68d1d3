#!/usr/bin/env python3
# A correct driver in Python, both kinds by the name it is called as (adjust or measure): what
# servokit-check must pass, showing it checks a driver in any language. It reports progress,
# answers SIGUSR1 with a "canceled" line and validates every request.
import json
import os
import signal
import sys
import time

kind = os.path.basename(sys.argv[0])
DESCRIPTOR = {"application": {"components": {"web": {"settings": {
    "cpu": {"type": "range", "min": 0.5, "max": 4, "step": 0.5, "value": 1, "unit": "cores"},
    "gc": {"type": "enum", "values": ["g1", "parallel"], "value": "g1"}}}}}}
METRICS = {"rps": {"unit": "rps"}, "latency": {"unit": "ms"}}


def say(message):
    print(json.dumps(message), flush=True)


def fail(status, message, code=1):
    say({"status": status, "reason": "unknown", "message": message})
    sys.exit(code)


def on_cancel(signum, frame):
    fail("canceled", "canceled by SIGUSR1")


args = sys.argv[1:]
if args[:1] == ["--version"]:
    print("1.0.0")
    sys.exit(0)
if args[:1] == ["--info"]:
    say({"version": "1.0.0", "has_cancel": True})
    sys.exit(0)
if args[:1] in (["--query"], ["--describe"]):
    say(DESCRIPTOR if kind == "adjust" else {"status": "ok", "metrics": METRICS})
    sys.exit(0)
if len(args) != 1:
    fail("failed", "usage: %s app_id < request" % kind, 2)

signal.signal(signal.SIGUSR1, on_cancel)
try:
    request = json.load(sys.stdin)
except ValueError as error:
    fail("bad-request", "the request is not JSON: %s" % error)
if kind == "adjust":
    settings = DESCRIPTOR["application"]["components"]
    for name, component in request.get("application", {}).get("components", {}).items():
        for setting in component.get("settings", {}):
            if name not in settings or setting not in settings[name]["settings"]:
                fail("bad-request", "unknown setting %s.%s" % (name, setting))
    for step in range(5):  # long enough for the cancel check to find it at work
        say({"progress": step * 20, "message": "adjusting"})
        time.sleep(0.2)
    say({"status": "ok", "reason": "success"})
else:
    metrics = request.get("metrics", [])
    if not isinstance(metrics, (list, dict)):
        fail("bad-request", "metrics must be a list of names")
    unknown = [metric for metric in metrics if metric not in METRICS]
    if unknown:
        fail("bad-request", "unknown metrics: %s" % ", ".join(unknown))
    duration = float(request.get("control", {}).get("duration", 0))
    started = time.monotonic()
    while True:
        elapsed = time.monotonic() - started
        say({"progress": min(100, int(100 * elapsed / duration)) if duration else 100, "message": "measuring"})
        if elapsed >= duration:
            break
        time.sleep(0.2)
    say({"status": "ok", "metrics": {"rps": {"value": 100.0, "unit": "rps"}, "latency": {"value": 12, "unit": "ms"}},
         "annotations": {}})

#!/usr/bin/env python3
# A measure driver in Python that speaks the protocol by itself (no servo library), for the magg
# tests. It describes "py_latency"; it records each request in ./<its file name>.request and
# returns annotations. It measures for control.duration seconds, during which SIGUSR1 cancels it.
import json, os, signal, sys, time

me = os.path.basename(sys.argv[0])

def say(obj):
    print(json.dumps(obj), flush=True)

def cancel(signum, frame):
    with open(me + ".signal", "w") as out:
        out.write(signal.Signals(signum).name)
    say({"status": "failed", "message": "canceled by " + signal.Signals(signum).name})
    sys.exit(1)

if "--info" in sys.argv:
    say({"version": "py-2.0", "has_cancel": True})
elif "--describe" in sys.argv:
    say({"status": "ok", "metrics": {"py_latency": {"unit": "ms"}}})
else:
    signal.signal(signal.SIGUSR1, cancel)
    request = json.load(sys.stdin)
    with open(me + ".request", "w") as out:
        json.dump(request, out)
    say({"progress": 40, "message": "python measuring"})
    time.sleep(float(request.get("control", {}).get("duration", 0)))
    say({"status": "ok", "metrics": {"py_latency": {"value": 17.5, "unit": "ms"}},
         "annotations": {"py_note": "from python"}})

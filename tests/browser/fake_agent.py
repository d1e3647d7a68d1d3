"""A scripted servo agent for the dashboard's tests and benchmarks: it speaks the servo protocol to
servokit-optimizer over HTTP (HELLO, DESCRIPTION, then ADJUST and MEASURE per trial) with values
the caller chooses, so a test decides exactly when each trial ends and what it holds."""

import http.client
import json
import sys
import threading
import time
import urllib.parse


class Agent:
    """One app's agent. `settings` is {component: {setting: declaration}}."""

    def __init__(self, base_url, app, settings, metrics=("latency",), token=None):
        address = urllib.parse.urlsplit(base_url)
        self.host, self.port = address.hostname, address.port
        self.path = f"/accounts/test/applications/{app}/servo"
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.token = token
        self.connection = None   # kept alive between events, as servokit-servo does
        self.last_settings = None
        self.timings = None      # a list to append each reply time (ms) to, when set

    def post(self, event, param=None, cmd_uid=None):
        body = {"event": event, "param": param}
        if cmd_uid:
            body["cmd_uid"] = cmd_uid
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.connection.request("POST", self.path, body=json.dumps(body), headers=headers)
                reply = self.connection.getresponse()
                text = reply.read()
            except (ConnectionError, http.client.HTTPException):
                # The server closed a kept-alive connection; the event was not taken: send it again.
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
                continue
            if self.timings is not None:
                self.timings.append((time.perf_counter() - started) * 1000)
            if reply.status != 200:
                raise RuntimeError(f"{event}: HTTP {reply.status}: {text[:300]!r}")
            return json.loads(text)

    def start(self):
        """HELLO and the description: the study exists once this returns."""
        self.post("HELLO", {"agent": "fake_agent"})
        command = self.post("WHATS_NEXT")
        assert command["cmd"] == "DESCRIBE", command
        descriptor = {
            "application": {"components": {c: {"settings": s} for c, s in self.settings.items()}},
            "measurement": {"metrics": {m: {"unit": ""} for m in self.metrics}},
        }
        reply = self.post("DESCRIPTION", {"status": "ok", "descriptor": descriptor}, command.get("cmd_uid"))
        assert reply.get("status") == "ok", reply

    def trial(self, measure):
        """Runs one trial: `measure(settings)` gives {metric: value}, or a string: the failure's
        reason. Returns False once the backend has nothing more to run (SLEEP)."""
        command = self.post("WHATS_NEXT")
        if command["cmd"] != "ADJUST":
            return False
        state = command["param"]["state"]["application"]["components"]
        settings = {c: {s: v["value"] for s, v in values["settings"].items()} for c, values in state.items()}
        self.last_settings = settings
        self.post("ADJUSTMENT", {"status": "ok", "state": command["param"]["state"]}, command.get("cmd_uid"))
        command = self.post("WHATS_NEXT")
        if command["cmd"] != "MEASURE":
            return False   # that adjust was the last one, to the best configuration
        result = measure(settings)
        if isinstance(result, str):
            param = {"status": "failed", "reason": result, "message": result}
        else:
            param = {"status": "ok", "metrics": {m: {"value": v} for m, v in result.items()}}
        self.post("MEASUREMENT", param, command.get("cmd_uid"))
        return True


def latency_model(settings):
    """A made-up latency over the settings of `BENCH_SETTINGS`."""
    web = settings["web"]
    return 100 / web["cpu"] + 4 * web["cpu"] + 30 / web["memory"] + web["memory"] + {"serial": 10, "g1": 3, "zgc": 5}[web["gc"]]


BENCH_SETTINGS = {"web": {"cpu": {"min": 1, "max": 8, "step": 1, "value": 2},
                          "memory": {"min": 1, "max": 16, "step": 1, "value": 4},
                          "gc": {"type": "enum", "values": ["serial", "g1", "zgc"], "value": "serial"}}}


def main():
    """fake_agent.py BASE_URL APPS TIMINGS_FILE: APPS agents (app0, app1, ...), one thread each, run
    trials of `latency_model` until their budget is spent; each reply time goes to TIMINGS_FILE."""
    base_url, count, timings_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    timings = []
    failures = []

    def run(app):
        try:
            agent = Agent(base_url, app, BENCH_SETTINGS)
            agent.timings = timings
            agent.start()
            while agent.trial(lambda settings: {"latency": latency_model(settings)}):
                pass
        except Exception as failure:   # reported below: one agent's failure fails the run
            failures.append(f"{app}: {failure}")
    threads = [threading.Thread(target=run, args=(f"app{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(timings_file, "w") as out:
        out.write("\n".join(f"{value:.4f}" for value in timings))
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

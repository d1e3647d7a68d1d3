"""A scripted servo agent for the dashboard's tests and benchmarks: it speaks the servo protocol to
servokit-optimizer over HTTP (HELLO, DESCRIPTION, then ADJUST and MEASURE per trial) with values
the caller chooses, so a test decides exactly when each trial ends and what it holds."""

import json
import urllib.request


class Agent:
    """One app's agent. `settings` is {component: {setting: declaration}}."""

    def __init__(self, base_url, app, settings, metrics=("latency",), token=None):
        self.url = f"{base_url}/accounts/test/applications/{app}/servo"
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.token = token
        self.opener = urllib.request.build_opener()
        self.last_settings = None

    def post(self, event, param=None, cmd_uid=None):
        body = {"event": event, "param": param}
        if cmd_uid:
            body["cmd_uid"] = cmd_uid
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        with self.opener.open(request, timeout=60) as reply:
            return json.loads(reply.read())

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
        assert command["cmd"] == "MEASURE", command
        result = measure(settings)
        if isinstance(result, str):
            param = {"status": "failed", "reason": result, "message": result}
        else:
            param = {"status": "ok", "metrics": {m: {"value": v} for m, v in result.items()}}
        self.post("MEASUREMENT", param, command.get("cmd_uid"))
        return True

"""Headless Chromium driven through the DevTools protocol (Debian's chromium and
python3-websocket; no npm): start the browser, open a page, evaluate JavaScript in it, wait for
conditions, collect console errors and take screenshots."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket


class BrowserError(RuntimeError):
    pass


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """A headless Chromium with a temporary profile, stopped by close()."""

    def __init__(self, width=1400, height=1000):
        executable = find_chromium()
        if not executable:
            raise BrowserError("chromium is not installed (Debian: apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="servokit-chromium-")
        arguments = [executable, "--headless=new", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                     f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "--no-first-run",
                     "--no-default-browser-check", "--disable-gpu", "--disable-extensions", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--hide-scrollbars", "--mute-audio", "about:blank"]
        # Chromium refuses to run as root with its sandbox, and a container without user namespaces
        # cannot give it one; it only ever opens the tests' own loopback pages.
        arguments.insert(1, "--no-sandbox")
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.process = subprocess.Popen(arguments, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if self.process.poll() is not None:
                raise BrowserError(f"chromium exited with {self.process.returncode}: {self._log_tail()}")
            if time.monotonic() > deadline:
                self.close()
                raise BrowserError("chromium did not open its DevTools port within 60 s")
            time.sleep(0.05)
        time.sleep(0.05)
        with open(port_file) as lines:
            self.port = int(lines.readline().strip())

    def _log_tail(self):
        try:
            with open(os.path.join(self.profile, "chromium.log"), "rb") as log:
                return log.read()[-2000:].decode(errors="replace")
        except OSError:
            return ""

    def new_page(self):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=30) as reply:
            target = json.loads(reply.read())
        return Page(target["webSocketDebuggerUrl"])

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab. Console errors, uncaught exceptions and failed loads are collected in `errors`."""

    def __init__(self, websocket_url):
        self.socket = websocket.create_connection(websocket_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.errors = []
        self.events = []
        self.call("Runtime.enable")
        self.call("Log.enable")
        self.call("Page.enable")

    def _record(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console." + params["type"] + ": " +
                               " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
        elif method:
            self.events.append(message)

    def call(self, method, **params):
        self.next_id += 1
        ident = self.next_id
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def navigate(self, url, timeout=60):
        """Opens `url` and waits for its load event."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not load within {timeout} s")
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            self._record(json.loads(self.socket.recv()))
        self.socket.settimeout(60)

    def evaluate(self, expression):
        """The value of a JavaScript expression (awaited when it is a promise)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60, what=None):
        """Waits until `expression` is truthy in the page; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout} s waiting for {what or expression}")
            time.sleep(0.05)

    def screenshot(self, path):
        """A PNG of the whole page."""
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        self.socket.close()

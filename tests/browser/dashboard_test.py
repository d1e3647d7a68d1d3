#!/usr/bin/python3
"""The dashboard in a real browser: headless Chromium (Debian's chromium) driven through the
DevTools protocol, against servokit-optimizer --dashboard fed by a scripted agent.

    dashboard_test.py BIN_DIR [--screenshot FILE.png]

Checks: the pages load with no console error; the chart holds the study's points and the table
every trial; a new trial appears without a reload; a hostile setting name, value and reason show
as text; the API answers, refuses writes, carries the CSP; with a token, /api/ answers 401 without
it and the page asks for it once. Exit 0 when all pass, 1 on a failure, 77 (skipped) without
chromium."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp          # noqa: E402
import fake_agent   # noqa: E402

HOSTILE_SETTING = "<i>x</i>"
HOSTILE_VALUE = "<b>b</b>"
HOSTILE_REASON = "<img src=x onerror=\"document.title='pwned'\"> the load generator crashed"
SETTINGS = {"web": {"cpu": {"min": 1, "max": 8, "step": 1, "value": 2},
                    HOSTILE_SETTING: {"type": "enum", "values": ["a", HOSTILE_VALUE], "value": "a"}}}
CONFIG = """optimization:
  objective: {metric: latency, goal: minimize}
  constraints: [{metric: error_rate, max: 0.05}]
  budget: 60
  seed: 3
  control: {duration: 5}
"""

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


class Optimizer:
    """servokit-optimizer with --dashboard on free loopback ports, in a temporary directory."""

    def __init__(self, bin_dir, token=None):
        self.directory = tempfile.mkdtemp(prefix="servokit-dashboard-test-")
        with open(os.path.join(self.directory, "config.yaml"), "w") as config:
            config.write(CONFIG)
        arguments = [os.path.join(bin_dir, "servokit-optimizer"), "--listen", "127.0.0.1:0", "--dashboard", "127.0.0.1:0",
                     "--config", "config.yaml", "--study", "study.sqlite"]
        self.token = token
        if token:
            with open(os.path.join(self.directory, "token.txt"), "w") as file:
                file.write(token + "\n")
            arguments += ["--auth-token", "token.txt"]
        self.stderr = open(os.path.join(self.directory, "stderr.txt"), "wb")
        self.process = subprocess.Popen(arguments, cwd=self.directory, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.backend_url = self.dashboard_url = None
        for line in self.process.stdout:
            if match := re.search(r"listening on (http://[0-9.:]+)/", line):
                self.backend_url = match.group(1)
            if match := re.search(r"dashboard on (http://[0-9.:]+)/", line):
                self.dashboard_url = match.group(1)
                break
        if not self.backend_url or not self.dashboard_url:
            self.close()
            raise RuntimeError("servokit-optimizer did not print its addresses: " + self.log())

    def log(self):
        with open(os.path.join(self.directory, "stderr.txt"), errors="replace") as log:
            return log.read()[-3000:]

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.stderr.close()
        shutil.rmtree(self.directory, ignore_errors=True)


def get(url, token=None, method="GET", data=None):
    """(status, headers, body) of a request."""
    request = urllib.request.Request(url, method=method, data=data)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.headers, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def measure_with_failures():
    """A measurement function: trial 3 fails with a hostile reason; cpu 1 breaks the constraint."""
    count = {"n": 0}

    def measure(settings):
        count["n"] += 1
        if count["n"] == 3:
            return HOSTILE_REASON
        cpu = settings["web"]["cpu"]
        latency = 100 / cpu + 5 * cpu + (10 if settings["web"][HOSTILE_SETTING] == "a" else 0) + (count["n"] % 5) * 0.7
        return {"latency": latency, "error_rate": 0.2 if count["n"] == 4 else 0.0}
    return measure


def study_checks(bin_dir, browser, screenshot):
    optimizer = Optimizer(bin_dir)
    try:
        # A page opened before the study exists says so, then shows it once it does.
        early = browser.new_page()
        early.navigate(optimizer.dashboard_url + "/studies/web")
        early.wait_for("!document.getElementById('missing').hidden", what="the page to say the study is missing")

        agent = fake_agent.Agent(optimizer.backend_url, "web", SETTINGS, metrics=("latency", "error_rate"))
        agent.start()
        measure = measure_with_failures()
        for _ in range(12):
            agent.trial(measure)
        early.wait_for("document.body.dataset.trialsShown === '12'", what="the early page to show the study")
        check(early.evaluate("document.getElementById('missing').hidden"), "a page opened before the study shows it once it exists")
        check(not [e for e in early.errors if not e.startswith("network:")], f"no script error on it ({early.errors})")
        early.close()

        status, _, body = get(optimizer.dashboard_url + "/api/studies/web/trials")
        trials = json.loads(body)["trials"]
        check(status == 200 and len(trials) == 12, "/api/studies/web/trials holds the 12 trials")
        statuses = [trial["status"] for trial in trials]
        check(statuses.count("failed") == 1 and statuses.count("infeasible") == 1,
              f"the study has one failed and one infeasible trial ({statuses})")
        plotted = [t for t in trials if t["objective"] is not None]

        page = browser.new_page()
        page.navigate(optimizer.dashboard_url + "/studies/web")
        page.wait_for("document.body.dataset.trialsShown === '12'", what="the study page to show 12 trials")
        page.evaluate("window.loadedOnce = 'yes'")   # gone if the page reloads
        check(page.errors == [], f"the study page loads with no console error ({page.errors})")
        chart_points = page.evaluate(
            "(() => { const c = Chart.getChart(document.getElementById('convergence')).data.datasets;"
            " return [c[0].data.length, c[1].data.length, c[0].data.map(p => p.x).concat(c[1].data.map(p => p.x))]; })()")
        check(chart_points[0] + chart_points[1] == len(plotted) and
              sorted(chart_points[2]) == sorted(t["number"] for t in plotted),
              f"the convergence chart holds every trial with an objective ({chart_points[0]} ok, {chart_points[1]} infeasible)")
        check(page.evaluate("Chart.getChart(document.getElementById('convergence')).data.datasets[3].data.length") == 2,
              "the convergence chart draws the baseline")
        rows = page.evaluate("[...document.querySelectorAll('#trials tbody tr')].map(r => r.dataset.trial)")
        check(rows == [str(n) for n in range(1, 13)], f"the table holds every trial, in order ({rows})")
        check(page.evaluate("document.querySelector('#trials tr[data-trial=\"3\"] .status').textContent") == "failed",
              "the failed trial shows as failed")
        check(page.evaluate("document.querySelector('#trials tr[data-trial=\"4\"] .status').textContent") == "infeasible",
              "the infeasible trial shows as infeasible")

        # Hostile names, values and reasons are text, never markup.
        headers = page.evaluate("[...document.querySelectorAll('#trials th')].map(h => h.textContent)")
        check("web." + HOSTILE_SETTING in headers, f"the hostile setting name is a column title, as text ({headers})")
        check(page.evaluate("document.querySelectorAll('main i, main b, main img').length") == 0,
              "no element was made from a setting name, value or reason")
        check(HOSTILE_REASON in page.evaluate("document.querySelector('#trials tr[data-trial=\"3\"] .reason').textContent"),
              "the hostile reason shows as text")
        check(page.evaluate("document.body.innerText.includes('web." + HOSTILE_SETTING + "')"),
              "the hostile setting name is visible on the page")
        check(page.evaluate("document.title") != "pwned", "no script from the data ran")

        # Sorting and filtering.
        page.evaluate("[...document.querySelectorAll('#trials th')].find(h => h.textContent === 'objective').click()")
        sorted_rows = page.evaluate("[...document.querySelectorAll('#trials tbody tr')].map(r => r.dataset.trial)")
        by_objective = [str(t["number"]) for t in sorted(trials, key=lambda t: (t["objective"] is None, t["objective"] or 0, t["number"]))]
        check(sorted_rows == by_objective, "a click on 'objective' sorts the trials by it")
        page.evaluate("document.getElementById('status-filter').value = 'failed';"
                      "document.getElementById('status-filter').dispatchEvent(new Event('change'))")
        check(page.evaluate("document.querySelectorAll('#trials tbody tr').length") == 1, "the status filter shows the failed trial only")
        page.evaluate("document.getElementById('status-filter').value = '';"
                      "document.getElementById('status-filter').dispatchEvent(new Event('change'));"
                      "document.getElementById('filter').value = 'load generator';"
                      "document.getElementById('filter').dispatchEvent(new Event('input'))")
        check(page.evaluate("[...document.querySelectorAll('#trials tbody tr')].map(r => r.dataset.trial)") == ["3"],
              "the text filter finds the trial by its reason")
        page.evaluate("document.getElementById('filter').value = '';"
                      "document.getElementById('filter').dispatchEvent(new Event('input'))")

        # Best against the baseline: the changed settings highlighted.
        best = json.loads(get(optimizer.dashboard_url + "/api/studies/web")[2])
        changed = page.evaluate("[...document.querySelectorAll('#best tr.changed td:first-child')].map(c => c.textContent)")
        expected = [f"web.{name}" for name, value in best["best"]["settings"]["web"].items()
                    if value != best["baseline"]["settings"]["web"][name]]
        check(sorted(changed) == sorted(expected) and expected, f"the settings that changed are highlighted ({changed})")
        check(page.evaluate("document.getElementById('gain').textContent").find("better than the baseline") >= 0,
              "the gain over the baseline is shown")
        check(page.evaluate("document.querySelectorAll('#setting-charts canvas').length") == 2, "one chart per setting")
        check("budget: 60" in page.evaluate("document.getElementById('config').textContent"), "the optimization: config is shown")

        # Live: a new trial appears without a reload.
        agent.trial(measure)
        started = time.monotonic()
        page.wait_for("document.body.dataset.trialsShown === '13'", timeout=60, what="the 13th trial")
        check(page.evaluate("window.loadedOnce") == "yes", "the new trial appeared without a reload "
              f"({time.monotonic() - started:.2f} s after it was recorded)")
        check(page.evaluate("document.querySelectorAll('#trials tbody tr').length") == 13, "the table holds the new trial")

        if screenshot:
            for _ in range(15):
                agent.trial(measure)
            page.wait_for("document.body.dataset.trialsShown === '28'", what="28 trials for the screenshot")
            time.sleep(0.3)
            page.screenshot(screenshot)
            print(f"screenshot: {screenshot}")

        # The list of every study.
        index = browser.new_page()
        index.navigate(optimizer.dashboard_url + "/")
        index.wait_for("document.querySelectorAll('#studies tbody tr').length === 1", what="the study in the list")
        row = index.evaluate("[...document.querySelectorAll('#studies tbody td')].map(c => c.textContent)")
        check(row[0] == "web" and row[1] == "running" and row[2].endswith("/ 60"), f"/ lists the study with its state and trials ({row})")
        check(row[3].endswith("%"), f"/ shows the best gain over the baseline ({row[3]})")
        check(index.errors == [] and page.errors == [], f"no console error on either page ({index.errors + page.errors})")
        index.close()
        page.close()

        # The API: read-only, with the CSP on every answer.
        for path in ("/", "/studies/web", "/api/studies", "/api/studies/web", "/assets/dashboard.js", "/nowhere"):
            status, headers, _ = get(optimizer.dashboard_url + path)
            check("script-src 'self'" in (headers.get("Content-Security-Policy") or ""), f"{path} ({status}) carries the CSP")
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            status, _, _ = get(optimizer.dashboard_url + "/api/studies/web", method=method, data=b"{}")
            check(status == 405, f"{method} /api/studies/web is refused ({status})")
        # cpp-httplib compresses some types at brotli's slowest level on every request: not these.
        for path in ("/api/studies", "/api/studies/web/trials", "/assets/chart.js", "/assets/dashboard.js"):
            request = urllib.request.Request(optimizer.dashboard_url + path, headers={"Accept-Encoding": "gzip, deflate, br"})
            with urllib.request.urlopen(request, timeout=30) as reply:
                check(reply.headers.get("Content-Encoding") is None, f"{path} is sent uncompressed")
        check(get(optimizer.dashboard_url + "/api/studies/nobody")[0] == 404, "an unknown app's study is a 404")
        check(get(optimizer.dashboard_url + "/api/studies/web/trials?after=x")[0] == 400, "a bad ?after= is a 400")
        fresh = json.loads(get(optimizer.dashboard_url + "/api/studies/web/trials?after=12")[2])["trials"]
        check([t["number"] for t in fresh] == list(range(13, len(fresh) + 13)), "?after=12 gives the trials after 12")
    except Exception:
        print(optimizer.log())
        raise
    finally:
        optimizer.close()


def token_checks(bin_dir, browser):
    token = "s3cret-" + os.urandom(6).hex()
    optimizer = Optimizer(bin_dir, token=token)
    try:
        agent = fake_agent.Agent(optimizer.backend_url, "api", SETTINGS, metrics=("latency", "error_rate"), token=token)
        agent.start()
        measure = measure_with_failures()
        agent.trial(measure)
        agent.trial(measure)
        check(get(optimizer.dashboard_url + "/api/studies")[0] == 401, "with a token, /api/ without it is a 401")
        check(get(optimizer.dashboard_url + "/api/studies", token=token + "x")[0] == 401, "a wrong token is a 401")
        check(get(optimizer.dashboard_url + "/api/studies", token=token)[0] == 200, "the right token is let in")
        check(get(optimizer.dashboard_url + "/")[0] == 200, "the page itself (no data) needs no token")

        page = browser.new_page()
        page.navigate(optimizer.dashboard_url + "/")
        page.wait_for("document.getElementById('token-form') && !document.getElementById('token-form').hidden", what="the page to ask for the token")
        page.evaluate(f"document.getElementById('token-input').value = {json.dumps(token)};"
                      "document.getElementById('token-form').requestSubmit()")
        page.wait_for("document.querySelectorAll('#studies tbody tr').length === 1", what="the studies after the token")
        page.navigate(optimizer.dashboard_url + "/studies/api")
        page.wait_for("document.body.dataset.trialsShown === '2'", what="the study page with the token kept")
        check(page.evaluate("document.getElementById('token-form') === null"), "the page asked for the token once")
        check(token not in page.evaluate("document.body.innerText"), "the token is not shown")
        page.close()
        stderr = optimizer.log()
        check(token not in stderr, "the token is not logged")
    finally:
        optimizer.close()


LOCAL_CONFIG = """batch:
  command: ./job.sh {web.cpu}
  expected_duration: 1
  application:
    components:
      web:
        settings:
          cpu: {min: 1, max: 8, step: 1, default: 2}
  metrics:
    latency: {output_regex: '^latency: (\\d+)$', unit: ms}
optimization:
  objective: {metric: latency, goal: minimize}
  budget: 8
  seed: 1
"""


def local_checks(bin_dir, browser):
    """servokit-servo --local --dashboard: the same pages for a local run, live while it runs."""
    directory = tempfile.mkdtemp(prefix="servokit-dashboard-local-")
    try:
        with open(os.path.join(directory, "config.yaml"), "w") as config:
            config.write(LOCAL_CONFIG)
        with open(os.path.join(directory, "job.sh"), "w") as job:
            # Slow enough for the page to watch the run (0.4 s a trial); the latency is made up.
            job.write('#!/bin/sh\nsleep 0.4\necho "latency: $((100 / $1 + 5 * $1))"\n')
        os.chmod(os.path.join(directory, "job.sh"), 0o755)
        for role in ("adjust", "measure"):
            os.symlink(os.path.join(bin_dir, "servokit-batch"), os.path.join(directory, role))
        servo = os.path.join(bin_dir, "servokit-servo")

        refused = subprocess.run([servo, "--dashboard", "127.0.0.1:0", "--no-auth", "app"], cwd=directory,
                                 capture_output=True, text=True, timeout=60)
        check(refused.returncode == 2 and "--dashboard needs --local" in refused.stderr,
              f"--dashboard without --local is refused ({refused.returncode}: {refused.stderr.strip()})")
        bad = subprocess.run([servo, "--local", "--dashboard", "127.0.0.1:99999", "app"], cwd=directory,
                             capture_output=True, text=True, timeout=60)
        check(bad.returncode == 2 and "--dashboard 127.0.0.1:99999" in bad.stderr,
              f"a bad --dashboard address is refused ({bad.returncode}: {bad.stderr.strip()})")

        optimizer_refused = subprocess.run([os.path.join(bin_dir, "servokit-optimizer"), "--config", "config.yaml",
                                            "--listen", "127.0.0.1:0", "--dashboard", "localhost:http"],
                                           cwd=directory, capture_output=True, text=True, timeout=60)
        check(optimizer_refused.returncode == 2 and "--dashboard \"localhost:http\"" in optimizer_refused.stderr,
              f"servokit-optimizer refuses a bad --dashboard address ({optimizer_refused.returncode}: "
              f"{optimizer_refused.stderr.strip()})")

        # stderr to a file: the run's lines must never wait for this test to read them.
        stderr_path = os.path.join(directory, "stderr.txt")
        with open(stderr_path, "w") as stderr:
            process = subprocess.Popen([servo, "--local", "--dashboard", "127.0.0.1:0", "local-app"], cwd=directory,
                                       stdout=subprocess.PIPE, stderr=stderr, text=True)
        url = None
        deadline = time.monotonic() + 60
        while url is None and process.poll() is None and time.monotonic() < deadline:
            with open(stderr_path) as lines:
                if match := re.search(r"dashboard on (http://[0-9.:]+)/", lines.read()):
                    url = match.group(1)
            time.sleep(0.02)
        check(url is not None, "servokit-servo --local --dashboard prints the dashboard's address")
        if url:
            page = browser.new_page()
            page.navigate(url + "/studies/local-app")
            page.wait_for("Number(document.body.dataset.trialsShown || 0) >= 1", what="the local study's first trial")
            shown = int(page.evaluate("document.body.dataset.trialsShown"))
            page.wait_for(f"Number(document.body.dataset.trialsShown) > {shown}", what="a later trial of the local run")
            later = int(page.evaluate("document.body.dataset.trialsShown"))
            check(later > shown and page.evaluate("window.performance.getEntriesByType('navigation').length") == 1,
                  f"the local run's trials appear live on its dashboard ({shown}, then {later} trials, one page load)")
            check(not page.errors, f"no console error on the local run's page ({page.errors})")
            page.close()
        summary = process.stdout.read()
        code = process.wait(timeout=300)
        with open(stderr_path) as lines:
            remaining = lines.read()
        first_line = summary.splitlines()[0] if summary else remaining[-300:]
        check(code == 0 and "8 of 8 trials" in summary, f"the local run ends as usual ({code}: {first_line})")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    bin_dir = os.path.abspath(sys.argv[1])
    screenshot = sys.argv[sys.argv.index("--screenshot") + 1] if "--screenshot" in sys.argv else None
    if not cdp.find_chromium():
        print("SKIPPED: chromium is not installed (./tools/install-deps.sh installs it)")
        return 77
    browser = cdp.Browser()
    try:
        study_checks(bin_dir, browser, screenshot)
        token_checks(bin_dir, browser)
        local_checks(bin_dir, browser)
    finally:
        browser.close()
    if failures:
        print(f"{len(failures)} check(s) failed:\n  " + "\n  ".join(failures))
        return 1
    print("all dashboard browser checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

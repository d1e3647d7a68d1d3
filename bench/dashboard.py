#!/usr/bin/python3
"""The dashboard's speed, each figure beside a floor measured in the same run (bench/dashboard.sh
builds the programs and runs this):

    dashboard.py BIN_DIR [--quick]

1. page: the study page of a 500-trial study, in headless Chromium with the cache disabled, from
   navigation start to the whole study drawn (chart, table, per-setting charts). Floor: the same
   page for a 1-trial study (the fixed cost: HTML, Chart.js, the script, one poll).
2. api: /api/ reply times (p50, p99) while 64 apps run trials against the same servokit-optimizer.
   Floor: a static asset from the same server, asked in between (the HTTP round trip itself).
3. servo: the servo endpoint's reply times seen by 8 agents running trials, with the optimizer
   (a) without --dashboard, (b) with it and nobody looking, (c) with it and Chromium polling the
   study page and the list. Runs alternate a, b, c to spread the machine's drift.
"""

import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "browser"))
import cdp          # noqa: E402
import fake_agent   # noqa: E402

SETTINGS = fake_agent.BENCH_SETTINGS
latency = fake_agent.latency_model
AGENTS = os.path.join(os.path.dirname(os.path.abspath(fake_agent.__file__)), "fake_agent.py")


def config_text(budget):
    return ("optimization:\n  objective: {metric: latency, goal: minimize}\n"
            f"  budget: {budget}\n  seed: 1\n  control: {{duration: 1}}\n")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Optimizer:
    def __init__(self, bin_dir, directory, dashboard=True, budget=30, study="study.sqlite"):
        with open(os.path.join(directory, "config.yaml"), "w") as config:
            config.write(config_text(budget))
        arguments = [os.path.join(bin_dir, "servokit-optimizer"), "--listen", "127.0.0.1:0", "--config", "config.yaml",
                     "--study", study]
        if dashboard:
            arguments += ["--dashboard", "127.0.0.1:0"]
        self.log = open(os.path.join(directory, "optimizer.log"), "wb")
        self.process = subprocess.Popen(arguments, cwd=directory, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.backend = self.dashboard = None
        for line in self.process.stdout:
            if match := re.search(r"listening on http://([0-9.:]+)/", line):
                self.backend = match.group(1)
                if not dashboard:
                    break
            if match := re.search(r"dashboard on http://([0-9.:]+)/", line):
                self.dashboard = match.group(1)
                break

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def write_study(path, app, trials):
    """A study of `trials` trials, written into a store servokit-optimizer created."""
    database = sqlite3.connect(path)
    database.execute("INSERT INTO studies (app, descriptor, objective, seed, created, budget, config, state, last_activity) "
                     "VALUES (?, ?, 'minimize latency', 1, ?, ?, ?, 'running', ?)",
                     (app, json.dumps({"application": {"components": {c: {"settings": s} for c, s in SETTINGS.items()}}}),
                      time.time() - trials, trials + 10,
                      json.dumps({"objective": {"metric": "latency", "goal": "minimize"}, "budget": trials + 10}), time.time()))
    import random
    generator = random.Random(1)
    for number in range(1, trials + 1):
        settings = {"web": {"cpu": generator.randint(1, 8), "memory": generator.randint(1, 16),
                            "gc": generator.choice(["serial", "g1", "zgc"])}}
        if number == 1:
            settings = {"web": {"cpu": 2, "memory": 4, "gc": "serial"}}
        status = "failed" if number % 37 == 0 else "ok"
        objective = None if status == "failed" else latency(settings) + generator.gauss(0, 1)
        metrics = {} if objective is None else {"latency": objective}
        started = time.time() - trials + number
        database.execute("INSERT INTO trials (app, number, settings, metrics, objective, status, reason, started, finished) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (app, number, json.dumps(settings, separators=(",", ":")), json.dumps(metrics), objective, status,
                          "measure failed: timeout" if status == "failed" else "", started, started + 0.5))
    database.commit()
    database.close()


def bench_page(bin_dir, work, browser, runs):
    directory = os.path.join(work, "page")
    os.makedirs(directory)
    # servokit-optimizer creates the store's schema; the studies are then written into it.
    optimizer = Optimizer(bin_dir, directory)
    optimizer.close()
    write_study(os.path.join(directory, "study.sqlite"), "big", 500)
    write_study(os.path.join(directory, "study.sqlite"), "small", 1)
    optimizer = Optimizer(bin_dir, directory)
    results = {}
    drawing = {}
    try:
        page = browser.new_page()
        page.call("Network.enable")
        page.call("Network.setCacheDisabled", cacheDisabled=True)
        for _ in range(runs):
            for app, trials in (("small", 1), ("big", 500)):
                page.navigate("about:blank")
                page.navigate(f"http://{optimizer.dashboard}/studies/{app}")
                page.wait_for(f"document.body.dataset.trialsShown === '{trials}'", timeout=120)
                results.setdefault(app, []).append(float(page.evaluate("document.body.dataset.firstDrawnMs")))
                drawing.setdefault(app, []).append(float(page.evaluate("document.body.dataset.firstDrawingMs")))
        rows = page.evaluate("document.querySelectorAll('#trials tbody tr').length")
        points = page.evaluate("Chart.getChart(document.getElementById('convergence')).data.datasets[0].data.length")
        assert rows == 500, rows
        errors = list(page.errors)
        page.close()
    finally:
        optimizer.close()
    big, small = results["big"], results["small"]
    print(f"page: 500-trial study page drawn in median {statistics.median(big):.0f} ms, max {max(big):.0f} ms "
          f"(floor, a 1-trial study: median {statistics.median(small):.0f} ms, max {max(small):.0f} ms); "
          f"{runs} cold loads each; {rows} rows, {points} ok points; console errors: {len(errors)}")
    print(f"  of which drawing the study (chart, table, per-setting charts): median {statistics.median(drawing['big']):.0f} ms "
          f"for 500 trials, {statistics.median(drawing['small']):.0f} ms for 1")
    return {"page_500_median_ms": statistics.median(big), "page_500_max_ms": max(big),
            "drawing_500_median_ms": statistics.median(drawing["big"]), "drawing_1_median_ms": statistics.median(drawing["small"]),
            "page_floor_median_ms": statistics.median(small), "page_floor_max_ms": max(small)}


class Timer:
    """GET requests on one kept-alive connection, timed."""

    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def get(self, path):
        started = time.perf_counter()
        self.connection.request("GET", path)
        reply = self.connection.getresponse()
        body = reply.read()
        elapsed = (time.perf_counter() - started) * 1000
        assert reply.status == 200, (path, reply.status, body[:200])
        return elapsed


class Agents:
    """`count` agents (app0, app1, ...) in a process of their own (Python's lock would otherwise
    delay this process's own timings), running trials until their budgets are spent."""

    def __init__(self, backend, count, directory):
        self.timings_file = os.path.join(directory, "agent-timings.txt")
        self.log = open(os.path.join(directory, "agents.log"), "wb")
        self.process = subprocess.Popen([sys.executable, AGENTS, "http://" + backend, str(count), self.timings_file],
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def running(self):
        return self.process.poll() is None

    def finish(self, timeout=900):
        """Waits for every agent to finish; returns their reply times (ms)."""
        code = self.process.wait(timeout=timeout)
        self.log.close()
        if code != 0:
            with open(self.log.name, errors="replace") as log:
                raise RuntimeError("the agents failed: " + log.read()[-2000:])
        with open(self.timings_file) as lines:
            return [float(line) for line in lines if line.strip()]

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


def bench_api(bin_dir, work, requests):
    directory = os.path.join(work, "api")
    os.makedirs(directory)
    optimizer = Optimizer(bin_dir, directory, budget=40)
    agents = None
    try:
        apps = [f"app{i}" for i in range(64)]
        agents = Agents(optimizer.backend, 64, directory)
        timer = Timer(optimizer.dashboard)
        deadline = time.monotonic() + 120
        while len(json.loads(_get_json(optimizer.dashboard, "/api/studies"))["studies"]) < 64:
            if time.monotonic() > deadline:
                raise RuntimeError("the 64 apps did not all start within 120 s")
            time.sleep(0.1)
        series = {"floor": [], "/api/studies": [], "/api/studies/<app>": [], "/api/studies/<app>/trials?after=N": []}
        for index in range(requests):
            app = apps[index % 64]
            series["floor"].append(timer.get("/assets/dashboard.css"))
            series["/api/studies"].append(timer.get("/api/studies"))
            series["/api/studies/<app>"].append(timer.get(f"/api/studies/{app}"))
            series["/api/studies/<app>/trials?after=N"].append(timer.get(f"/api/studies/{app}/trials?after=5"))
        running = agents.running()
        studies = json.loads(_get_json(optimizer.dashboard, "/api/studies"))["studies"]
        trials = sum(study["trials"] for study in studies)
        active = sum(1 for study in studies if study["state"] == "running")
    finally:
        if agents:
            agents.stop()
        optimizer.close()
    figures = {}
    print(f"api: {requests} requests per path while 64 apps ran trials (agents {'still running' if running else 'done'} "
          f"at the end: {active} studies running, {trials} trials recorded)")
    for name, values in series.items():
        print(f"  {name:40s} p50 {statistics.median(values):6.2f} ms   p99 {percentile(values, 0.99):6.2f} ms   "
              f"max {max(values):6.2f} ms")
        figures[name] = {"p50": statistics.median(values), "p99": percentile(values, 0.99)}
    return figures


def _get_json(address, path):
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request("GET", path)
    return connection.getresponse().read()


def bench_servo(bin_dir, work, browser, rounds, budget):
    figures = {"a: no dashboard": [], "b: dashboard, nobody looking": [], "c: dashboard, Chromium polling": []}
    by_round = {}
    for round_number in range(rounds):
        for name in figures:
            directory = os.path.join(work, f"servo-{round_number}-{name[0]}")
            os.makedirs(directory)
            optimizer = Optimizer(bin_dir, directory, dashboard=not name.startswith("a"), budget=budget)
            pages = []
            try:
                if name.startswith("c"):
                    for path in ("/studies/app0", "/studies/app3", "/"):   # they wait for the studies to appear
                        page = browser.new_page()
                        page.navigate(f"http://{optimizer.dashboard}{path}")
                        pages.append(page)
                timings = Agents(optimizer.backend, 8, directory).finish()
                if pages:   # the polling page keeps up (it may lag a little on a busy machine)
                    pages[0].wait_for(f"document.body.dataset.trialsShown === '{budget}'", timeout=120,
                                      what=f"the polling page to show the {budget} trials")
                figures[name].extend(timings)
                by_round.setdefault(name, []).append(statistics.median(timings))
            finally:
                for page in pages:
                    page.close()
                optimizer.close()
    print(f"servo: the servo endpoint's reply times, 8 agents x {budget} trials, {rounds} rounds of a, b, c")
    result = {}
    for name, values in figures.items():
        print(f"  {name:32s} {len(values):6d} replies   p50 {statistics.median(values):6.2f} ms   "
              f"p90 {percentile(values, 0.9):6.2f} ms   p99 {percentile(values, 0.99):6.2f} ms   "
              f"p50 by round: {' '.join(f'{v:.2f}' for v in by_round[name])}")
        result[name] = {"p50": statistics.median(values), "p90": percentile(values, 0.9), "p99": percentile(values, 0.99)}
    return result


def main():
    bin_dir = os.path.abspath(sys.argv[1])
    quick = "--quick" in sys.argv
    work = tempfile.mkdtemp(prefix="servokit-bench-dashboard-")
    browser = cdp.Browser()
    figures = {}
    try:
        figures["page"] = bench_page(bin_dir, work, browser, runs=5 if quick else 10)
        figures["api"] = bench_api(bin_dir, work, requests=100 if quick else 300)
        figures["servo"] = bench_servo(bin_dir, work, browser, rounds=1 if quick else 3, budget=20 if quick else 30)
    finally:
        browser.close()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

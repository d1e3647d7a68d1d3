#!/usr/bin/env python3
"""A hostile-input run against servokit-optimizer, on loopback only, bounded in count and time.

While a real study runs (servokit-servo --url with servokit-batch in a servo directory, to the end
of its budget), hostile clients send REQUESTS requests across APPS app ids: bodies that are not
JSON, truncated JSON, envelopes with wrong types, events out of order and with stale or foreign
cmd_uids, huge bodies (up to 16 MiB) with and without the token, requests cut in the middle, and
slowloris connections that trickle their headers. Then it checks that:
  - the server still serves (a fresh request is answered 200),
  - the real study completed with every trial of its budget, each once, and its report is whole,
  - the server's memory stayed bounded (VmRSS and VmHWM from /proc, before and after),
  - no request got a 5xx other than the 503s of a full queue, and nothing was answered "ok" that
    should not have been (an out-of-order result is never "ok").
Prints one summary line per figure and exits 1 when a check fails.

  bench/hostile_server.py --bin-dir build/bin [--requests 20000] [--apps 300] [--max-apps 150]
"""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

TOKEN = "hostile-run-token-0123456789"


def vm_status(pid):
    """VmRSS and VmHWM of `pid`, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                values[key] = int(value.split()[0])
    return values


class Tally:
    """Counts by outcome, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.problems = []

    def add(self, kind, outcome):
        with self.lock:
            self.counts[(kind, outcome)] = self.counts.get((kind, outcome), 0) + 1

    def problem(self, text):
        with self.lock:
            if len(self.problems) < 20:
                self.problems.append(text)

    def total(self):
        with self.lock:
            return sum(self.counts.values())


def raw_exchange(port, data, read=True, timeout=20.0):
    """Sends bytes on a fresh connection; returns the status line's code (0: none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
        except OSError:
            pass   # the server may refuse before the body is sent: that is the point
        if not read:
            return 0
        try:
            head = connection.recv(64)
        except OSError:
            return 0
    try:
        return int(head.split(b" ")[1])
    except (IndexError, ValueError):
        return 0


def request_bytes(app, body, token=TOKEN, length=None):
    headers = [f"POST /accounts/hostile/applications/{app}/servo HTTP/1.1", "Host: 127.0.0.1",
               "Content-Type: application/json", f"Content-Length: {len(body) if length is None else length}",
               "Connection: close"]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def hostile_worker(port, apps, count, seed, tally, stop):
    """`count` hostile requests of every kind, on keep-alive and fresh connections."""
    rng = random.Random(seed)
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    events = ["HELLO", "WHATS_NEXT", "DESCRIPTION", "ADJUSTMENT", "MEASUREMENT", "GOODBYE"]

    def post(app, body, token=TOKEN):
        nonlocal client
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in range(2):
            try:
                client.request("POST", f"/accounts/hostile/applications/{app}/servo", body=body, headers=headers)
                response = client.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                client.close()
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                if attempt == 1:
                    return 0, b""
        return 0, b""

    for _ in range(count):
        if stop.is_set():
            break
        app = rng.choice(apps)
        kind = rng.choices(
            ["not_json", "truncated_json", "wrong_types", "out_of_order", "stale_uid", "no_token", "huge",
             "cut_request", "bad_app_id", "valid_hello"],
            weights=[15, 15, 15, 20, 10, 8, 1, 6, 5, 5])[0]
        try:
            if kind == "not_json":
                status, _ = post(app, bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200))))
                tally.add(kind, status)
                if status != 400:
                    tally.problem(f"not JSON answered {status}")
            elif kind == "truncated_json":
                whole = json.dumps({"event": rng.choice(events), "param": {"metrics": {"x": {"value": 1}}}})
                status, _ = post(app, whole[: rng.randint(0, len(whole) - 1)].encode())
                tally.add(kind, status)
                if status != 400:
                    tally.problem(f"truncated JSON answered {status}")
            elif kind == "wrong_types":
                body = rng.choice([
                    {"event": "HELLO"}, {"event": 7, "param": {}}, {"event": "HELLO", "param": {}, "cmd_uid": [1]},
                    {"event": "WHATS_NEXT", "param": None, "servo_uid": {"x": 1}}, {"event": ["HELLO"], "param": None},
                    {"event": "MEASUREMENT", "param": {"cmd_uid": 5}}, [1, 2, 3], "HELLO", None,
                ])
                status, _ = post(app, json.dumps(body).encode())
                tally.add(kind, status)
                if status != 400:
                    tally.problem(f"wrong types {body} answered {status}")
            elif kind in ("out_of_order", "stale_uid"):
                event = rng.choice(["DESCRIPTION", "ADJUSTMENT", "MEASUREMENT"])
                param = rng.choice([{"metrics": {"cost": {"value": rng.random()}}}, {"state": {}},
                                    {"status": "ok", "metrics": {"cost": 5}}, {"descriptor": 3}, {"progress": 50}])
                body = {"event": event, "param": param}
                if kind == "stale_uid":
                    body["cmd_uid"] = f"{rng.getrandbits(32):08x}-{rng.randint(1, 50)}"
                status, reply = post(app, json.dumps(body).encode())
                tally.add(kind, status)
                if status not in (200, 403, 503):
                    tally.problem(f"{kind} answered {status}")
            elif kind == "no_token":
                status, _ = post(app, json.dumps({"event": "HELLO", "param": {}}).encode(),
                                 token=rng.choice(["", "wrong", TOKEN + "x"]))
                tally.add(kind, status)
                if status != 401:
                    tally.problem(f"no token answered {status}")
            elif kind == "huge":
                size = rng.choice([1 << 20, 8 << 20, (16 << 20) + 10])
                with_token = rng.random() < 0.5
                status = raw_exchange(port, request_bytes(app, b" " * size, TOKEN if with_token else ""))
                tally.add(kind, status)
                expected = (400, 413) if with_token else (401,)
                if status not in expected and status != 0:
                    tally.problem(f"huge body ({size}, token {with_token}) answered {status}")
            elif kind == "cut_request":
                whole = request_bytes(app, json.dumps({"event": "HELLO", "param": {}}).encode())
                raw_exchange(port, whole[: rng.randint(1, len(whole) - 2)], read=False)
                tally.add(kind, "sent")
            elif kind == "bad_app_id":
                bad = rng.choice(["..", ".hidden", "a" * 200, "a%2Fb", "x%00y", "%2E%2E"])
                status, _ = post(bad, json.dumps({"event": "HELLO", "param": {}}).encode())
                tally.add(kind, status)
                if status not in (400, 404):
                    tally.problem(f"app id {bad!r} answered {status}")
            else:
                status, _ = post(app, json.dumps({"event": "HELLO", "param": {"agent": "hostile"}}).encode())
                tally.add(kind, status)
                if status not in (200, 403, 503):
                    tally.problem(f"a valid HELLO answered {status}")
        except OSError as error:
            tally.add(kind, f"error {type(error).__name__}")
    client.close()


def slowloris(port, connections, seconds, tally, stop):
    """Connections that trickle their headers, a byte every half second, for `seconds`."""
    opened = []
    for _ in range(connections):
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(b"POST /accounts/hostile/applications/slow/servo HTTP/1.1\r\nHost: x\r\n")
            opened.append(connection)
        except OSError:
            tally.add("slowloris", "connect refused")
    end = time.monotonic() + seconds
    cut = 0
    while time.monotonic() < end and not stop.is_set() and opened:
        for connection in list(opened):
            try:
                connection.sendall(b"X")
            except OSError:
                opened.remove(connection)
                cut += 1
        time.sleep(0.5)
    for connection in opened:
        connection.close()
    tally.add("slowloris", f"cut by the server: {cut} of {connections}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--apps", type=int, default=300)
    parser.add_argument("--max-apps", type=int, default=150)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--slowloris", type=int, default=40)
    parser.add_argument("--budget", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2,
                        help="floods in a row; the memory after each shows whether it keeps growing")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds for the whole run")
    parser.add_argument("--max-rss-mib", type=float, default=512, help="the bound VmHWM must stay under")
    arguments = parser.parse_args()
    bin_dir = os.path.abspath(arguments.bin_dir)
    work = tempfile.mkdtemp(prefix="servokit-hostile-")
    server = agent = None
    failures = []
    try:
        with open(os.path.join(work, "config.yaml"), "w") as config:
            config.write("optimization:\n  objective: {metric: cost, goal: minimize}\n"
                         f"  budget: {arguments.budget}\n  seed: 2\n  control: {{duration: 0}}\n")
        with open(os.path.join(work, "token"), "w") as token:
            token.write(TOKEN + "\n")
        server = subprocess.Popen(
            [os.path.join(bin_dir, "servokit-optimizer"), "--listen", "127.0.0.1:0", "--config", "config.yaml",
             "--study", "study.sqlite", "--report", "reports", "--auth-token", "token",
             "--max-apps", str(arguments.max_apps), "--request-deadline", "5"],
            cwd=work, stdout=subprocess.PIPE, stderr=open(os.path.join(work, "server.log"), "w"), text=True)
        port = int(server.stdout.readline().split("http://127.0.0.1:")[1].split("/")[0])

        # The real study, alongside.
        servo = os.path.join(work, "servo")
        os.mkdir(servo)
        for driver in ("adjust", "measure"):
            os.symlink(os.path.join(bin_dir, "servokit-batch"), os.path.join(servo, driver))
        with open(os.path.join(servo, "config.yaml"), "w") as config:
            config.write("batch:\n  command: ./job.sh {web.cpu}\n"
                         "  application:\n    components:\n      web:\n        settings:\n"
                         "          cpu: {min: 1, max: 6, step: 1, default: 6}\n"
                         "  metrics:\n    cost: {output_regex: '^cost: (\\S+)$'}\n")
        with open(os.path.join(servo, "job.sh"), "w") as job:
            job.write("#!/bin/sh\nawk -v c=\"$1\" 'BEGIN { print \"cost: \" (c - 3) * (c - 3) + 2 }'\n")
        os.chmod(os.path.join(servo, "job.sh"), 0o755)
        shutil.copy(os.path.join(work, "token"), os.path.join(servo, "token"))
        environment = dict(os.environ, SERVO_RETRY_DELAY_SEC="1")
        agent = subprocess.Popen(
            [os.path.join(bin_dir, "servokit-servo"), "--url",
             f"http://127.0.0.1:{port}/accounts/acme/applications/real-study/servo", "--auth-token", "token",
             "--servo-uid", "real-servo", "real-study"],
            cwd=servo, stdout=open(os.path.join(work, "agent.out"), "w"),
            stderr=open(os.path.join(work, "agent.err"), "w"), env=environment)

        time.sleep(0.5)
        before = vm_status(server.pid)
        apps = [f"app-{i:04d}" for i in range(arguments.apps)]
        tally = Tally()
        stop = threading.Event()
        started = time.monotonic()
        deadline = started + arguments.time_limit
        per_thread = arguments.requests // arguments.threads // arguments.rounds
        after_rounds = []
        for round_number in range(arguments.rounds):
            workers = [threading.Thread(target=hostile_worker,
                                        args=(port, apps, per_thread, round_number * 1000 + seed, tally, stop))
                       for seed in range(arguments.threads)]
            workers.append(threading.Thread(target=slowloris, args=(port, arguments.slowloris, 8, tally, stop)))
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(max(0.0, deadline - time.monotonic()))
            if any(worker.is_alive() for worker in workers):
                stop.set()
                failures.append("the hostile clients did not finish within the time limit")
                for worker in workers:
                    worker.join()
                break
            after_rounds.append(vm_status(server.pid))
        elapsed = time.monotonic() - started

        # The real study must finish: its agent sleeps once the budget is spent.
        study_done = False
        end = time.monotonic() + max(60.0, deadline - time.monotonic())
        while time.monotonic() < end:
            with open(os.path.join(work, "server.log")) as log:
                if 'optimization of "real-study"' in log.read():
                    study_done = True
                    break
            time.sleep(0.2)
        # The server still serves: the real servo (by its servo_uid) is told to sleep.
        still = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        still.request("POST", "/accounts/acme/applications/real-study/servo",
                      body=json.dumps({"event": "WHATS_NEXT", "param": None, "servo_uid": "real-servo"}),
                      headers={"Authorization": f"Bearer {TOKEN}"})
        final = still.getresponse()
        final_body = final.read().decode()
        after = vm_status(server.pid)

        database = sqlite3.connect(os.path.join(work, "study.sqlite"))
        numbers = [row[0] for row in database.execute("SELECT number FROM trials WHERE app = 'real-study' ORDER BY number")]
        sessions = database.execute("SELECT COUNT(*) FROM studies").fetchone()[0]
        database.close()
        report_lines = 0
        jsonl = os.path.join(work, "reports", "real-study", "trials.jsonl")
        if os.path.exists(jsonl):
            with open(jsonl) as lines:
                report_lines = sum(1 for _ in lines)
        report_dirs = len(os.listdir(os.path.join(work, "reports")))

        counts = {}
        for (kind, outcome), number in tally.counts.items():
            counts.setdefault(kind, {})[str(outcome)] = number
        print(f"hostile requests: {tally.total()} in {elapsed:.1f} s across {arguments.apps} app ids "
              f"(--max-apps {arguments.max_apps}), {arguments.threads} threads, {arguments.slowloris} slowloris connections")
        for kind in sorted(counts):
            print(f"  {kind:15s} {json.dumps(counts[kind], sort_keys=True)}")
        rounds_text = "; ".join(f"after flood {i + 1} VmRSS {m['VmRSS']} VmHWM {m['VmHWM']}"
                                for i, m in enumerate(after_rounds))
        print(f"server memory (KiB): before VmRSS {before['VmRSS']} VmHWM {before['VmHWM']}; {rounds_text}; "
              f"at the end VmRSS {after['VmRSS']} VmHWM {after['VmHWM']}")
        print(f"real study: {len(numbers)} of {arguments.budget} trials, numbers {numbers}, report lines {report_lines}, "
              f"finished {study_done}; final WHATS_NEXT {final.status} {final_body[:80]}")
        print(f"studies created: {sessions}; report directories: {report_dirs} (cap {arguments.max_apps})")
        if tally.problems:
            print("unexpected answers (first 20):")
            for problem in tally.problems:
                print("  " + problem)

        if final.status != 200 or '"cmd":"SLEEP"' not in final_body:
            failures.append("the server does not serve after the run")
        if not study_done or numbers != list(range(1, arguments.budget + 1)) or report_lines != arguments.budget:
            failures.append("the real study is not intact")
        if report_dirs > arguments.max_apps:
            failures.append("more report directories than --max-apps")
        if after["VmHWM"] > arguments.max_rss_mib * 1024:
            failures.append(f"VmHWM {after['VmHWM']} KiB above the bound {arguments.max_rss_mib} MiB")
        if tally.problems:
            failures.append(f"{len(tally.problems)} unexpected answers")
        if server.poll() is not None:
            failures.append(f"the server exited with {server.returncode}")
        # Its own account of the connections, written when it stops.
        server.terminate()
        server.wait(30)
        with open(os.path.join(work, "server.log")) as log:
            pool_lines = [line.strip() for line in log if "connections: " in line]
        print("server: " + (pool_lines[-1] if pool_lines else "no account of its connections"))
        if not pool_lines or " 0 not identified" not in pool_lines[-1]:
            failures.append("connections the pool could not identify (they have no deadline)")
    finally:
        for process in (agent, server):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if failures:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print("FAILED: " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

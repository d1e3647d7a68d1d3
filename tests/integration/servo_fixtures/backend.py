#!/usr/bin/env python3
"""A small Optune backend for the agent's tests, on 127.0.0.1 and a free port.

usage: backend.py --log FILE [--plan FILE] [--token TOKEN]
Prints the port on the first line of stdout and serves until its stdin is closed.

Every POST is recorded as one JSON line appended to the log file (flushed at once):
  {"path": ..., "authorization": header or null, "event": ..., "param": ..., "servo_uid": ...,
   "time": seconds since the epoch, "body": raw body}
The plan (a JSON list) says how to answer, step by step: the first step whose "event" is the
event received (or that names no event) is used up and answered as it says:
  {"event": "WHATS_NEXT", "reply": {...}}     answer 200 with this JSON
  {"status": 500}                             answer this status (body "backend trouble")
  {"raw": "<html>"}                           answer 200 with this body, not JSON
  {"drop": true}                              close the connection without answering
  {"delay_ms": 1500, ...}                     wait first
  {"headers": {"Retry-After": "2"}, ...}      send these header fields too
  {"retry_after_date_s": 1, ...}              send Retry-After as the HTTP date 1 s from now
Without a matching step: WHATS_NEXT gets {"cmd": "SLEEP", "param": {"duration": 3600}}, the
rest {"status": "ok"}. With --token, a request without "Authorization: Bearer TOKEN" gets 401.
"""
import argparse
import email.utils
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

arguments = argparse.ArgumentParser()
arguments.add_argument("--log", required=True)
arguments.add_argument("--plan")
arguments.add_argument("--token")
options = arguments.parse_args()

lock = threading.Lock()
plan = json.load(open(options.plan)) if options.plan else []
log = open(options.log, "a")


def take_step(event):
    with lock:
        for index, step in enumerate(plan):
            if step.get("event") in (None, event):
                return plan.pop(index)
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json", headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
            event, param, servo_uid = body.get("event"), body.get("param"), body.get("servo_uid")
        except (ValueError, AttributeError):
            event, param, servo_uid = None, None, None
        authorization = self.headers.get("Authorization")
        with lock:
            log.write(json.dumps({"path": self.path, "authorization": authorization, "event": event,
                                  "param": param, "servo_uid": servo_uid,
                                  "time": time.time(), "body": raw}) + "\n")
            log.flush()
        if options.token and authorization != "Bearer " + options.token:
            return self.answer(401, json.dumps({"message": "unauthorized"}))
        step = take_step(event) or {}
        time.sleep(step.get("delay_ms", 0) / 1000)
        if step.get("drop"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        headers = list(step.get("headers", {}).items())
        if "retry_after_date_s" in step:
            headers.append(("Retry-After", email.utils.formatdate(time.time() + step["retry_after_date_s"], usegmt=True)))
        if "status" in step:
            return self.answer(step["status"], "backend trouble", "text/plain", headers)
        if "raw" in step:
            return self.answer(200, step["raw"], "text/html")
        if "reply" in step:
            return self.answer(200, json.dumps(step["reply"]))
        if event == "WHATS_NEXT":
            return self.answer(200, json.dumps({"cmd": "SLEEP", "param": {"duration": 3600}}))
        return self.answer(200, json.dumps({"status": "ok"}))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()   # until the test closes our stdin (or dies)
server.shutdown()

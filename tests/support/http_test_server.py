#!/usr/bin/env python3
"""A small HTTP server for servokit's tests, on 127.0.0.1 and a free port.

usage: http_test_server.py [--tls CERT KEY]
Prints the port on the first line of stdout, serves until its stdin is closed (so it never
outlives the test that started it), then exits.

Routes (any method; the request body is read and kept):
  /status/N                 answers status N, body "status N"
  /echo                     JSON {"method", "path", "headers" (lower-case names), "body"}
  /hang                     never answers
  /slow?ms=M                answers 200 after M milliseconds
  /trickle?count=N&every_ms=M   200 with N bytes, one every M ms
  /big?bytes=N[&chunked=1]  200 with N bytes ("x"), with Content-Length or chunked
  /flaky/KEY?failures=N     500 for the first N requests to KEY, then 200 "ok after N"
  /hits/KEY                 how many requests /flaky/KEY and /record/KEY received
  /record/KEY               200, remembers the body; /records/KEY gives them as a JSON list
  /redirect?to=URL          302 to URL
  /connections              how many TCP connections the server has accepted
  http://host/...           (a proxy request: absolute URI) 200 "proxied http://host/..."
"""
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Lock()
hits = {}
records = {}
connections = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, so connection reuse can be observed

    def setup(self):
        super().setup()
        with lock:
            connections[0] += 1

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="text/plain", extra=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("http://") or self.path.startswith("https://"):
            return self.reply(200, "proxied " + self.path)
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        route = parts[0]
        key = parts[1] if len(parts) > 1 else ""
        if route == "status":
            return self.reply(int(key), "status " + key)
        if route == "echo":
            return self.reply(200, json.dumps({
                "method": self.command, "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace")}), "application/json")
        if route == "hang":
            time.sleep(3600)
            return None
        if route == "slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            return self.reply(200, "slow")
        if route == "trickle":
            count, every = int(query.get("count", "5")), int(query.get("every_ms", "100"))
            self.send_response(200)
            self.send_header("Content-Length", str(count))
            self.end_headers()
            self.wfile.flush()
            for _ in range(count):
                time.sleep(every / 1000)
                self.wfile.write(b"t")
                self.wfile.flush()
            return None
        if route == "big":
            size = int(query.get("bytes", "0"))
            if query.get("chunked") == "1":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                block = b"x" * 65536
                left = size
                while left > 0:
                    piece = block[:min(left, len(block))]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    left -= len(piece)
                self.wfile.write(b"0\r\n\r\n")
                return None
            return self.reply(200, b"x" * size)
        if route == "flaky":
            failures = int(query.get("failures", "1"))
            with lock:
                hits[key] = hits.get(key, 0) + 1
                count = hits[key]
            if count <= failures:
                return self.reply(500, "failure %d of %d" % (count, failures))
            return self.reply(200, "ok after %d" % failures)
        if route == "record":
            with lock:
                hits[key] = hits.get(key, 0) + 1
                records.setdefault(key, []).append(body.decode("utf-8", "replace"))
            return self.reply(200, "recorded")
        if route == "records":
            with lock:
                return self.reply(200, json.dumps(records.get(key, [])), "application/json")
        if route == "hits":
            with lock:
                return self.reply(200, str(hits.get(key, 0)))
        if route == "redirect":
            return self.reply(302, "", extra=[("Location", query.get("to", "/"))])
        if route == "connections":
            with lock:
                return self.reply(200, str(connections[0]))
        return self.reply(404, "no route " + url.path)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gives up mid-response (a cancel, a size cap) is what the tests do on
        # purpose; anything else is worth a traceback.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    server = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()          # the test closed our stdin (or ended): stop
    os._exit(0)


if __name__ == "__main__":
    main()

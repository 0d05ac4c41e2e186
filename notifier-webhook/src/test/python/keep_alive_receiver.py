#!/usr/bin/env python3
"""A small real webhook receiver that keeps connections alive, for KeepAliveSoakTest.

ThreadingHTTPServer with protocol_version = "HTTP/1.1": a thread per connection, which it keeps open, and
"200" with "Content-Length: 2" at once (status line and headers in one write, the body in another).

    keep_alive_receiver.py PORT LOG [--no-read-body] [--idle-close SECONDS]

--no-read-body   answer without reading the request body (on a kept connection the next request then starts
                 with the unread body: Python answers it 400 and closes the connection)
--idle-close S   close a kept connection idle for S seconds, as many servers do

LOG gets a line per request: monotonic time, client port (one per connection), webhook-id, status, handler ms.
"""
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
LOG = open(sys.argv[2], "a", buffering=1)
READ_BODY = "--no-read-body" not in sys.argv
IDLE = float(sys.argv[sys.argv.index("--idle-close") + 1]) if "--idle-close" in sys.argv else None
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE

    def do_POST(self):
        started = time.monotonic()
        if READ_BODY:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        with lock:
            LOG.write("%.6f %d %s 200 %.1f\n" % (started, self.client_address[1], self.headers.get("webhook-id"),
                                                  (time.monotonic() - started) * 1000))

    def log_message(self, fmt, *args):
        with lock:
            LOG.write("# %d %s\n" % (self.client_address[1], fmt % args))


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()

"""A webhook receiver for the tests: checks the HMAC-SHA256 signature of each
POST against the key in a file and logs one line per request. The very first
request is answered 503, so that the sender's retry is seen.

    /usr/bin/python3 webhook.py PORT KEY_FILE LOG_FILE

Listens on 127.0.0.1 only; stops on SIGTERM."""
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT, KEY_FILE, LOG_FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(KEY_FILE, "rb") as f:
    KEY = f.read().split(b"\n")[0]
SEEN = {"requests": 0}


def log(line):
    with open(LOG_FILE, "a", encoding="utf-8") as f:
        f.write(line + "\n")


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        SEEN["requests"] += 1
        if SEEN["requests"] == 1:
            log("503 first request")
            self.send_response(503)
            self.end_headers()
            return
        want = "sha256=" + hmac.new(KEY, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Mutualize-Signature", "")
        if not hmac.compare_digest(want, got):
            log("bad signature")
            self.send_response(401)
            self.end_headers()
            return
        change = json.loads(body)["change"]
        log("ok %s %s %s" % (change["op"], change.get("why", "-"), change["dn"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()

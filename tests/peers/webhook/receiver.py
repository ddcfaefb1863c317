#!/usr/bin/env python3
"""A webhook receiver as an agency's developer would write it from Heraut's webhook README:
it checks the signature and the timestamp, keeps each delivery once per Idempotency-Key, and
answers with the id it stored. The connector tests start it; `GET /deliveries` shows what
arrived. Usage: receiver.py --port N --secret S [--fail-first K]"""

import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_AGE_SECONDS = 300


def verify(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """The recipe of plugins/connectors/webhook/README.md."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - sent_at) > MAX_AGE_SECONDS:
        return False
    expected = "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    lock = threading.Lock()
    state = {"deliveries": [], "by_key": {}, "rejected": 0, "failures_left": args.fail_first}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def answer(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with lock:
                self.answer(200, {"deliveries": state["deliveries"], "rejected": state["rejected"]})

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            signature = self.headers.get("x-heraut-signature", "")
            timestamp = self.headers.get("x-heraut-timestamp", "")
            with lock:
                if state["failures_left"] > 0:
                    state["failures_left"] -= 1
                    self.answer(503, {"error": "try again"})
                    return
                if not verify(args.secret.encode(), timestamp, body, signature):
                    state["rejected"] += 1
                    self.answer(401, {"error": "bad signature"})
                    return
                payload = json.loads(body)
                key = self.headers.get("idempotency-key") or payload.get("idempotency_key")
                if key in state["by_key"]:
                    self.answer(200, state["by_key"][key])
                    return
                receipt = {"id": f"d{len(state['deliveries']) + 1}", "url": f"http://receiver.test/{key}"}
                state["deliveries"].append({"payload": payload, "key": key, "receipt": receipt})
                state["by_key"][key] = receipt
                self.answer(200, receipt)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

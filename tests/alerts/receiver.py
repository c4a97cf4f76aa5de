"""A webhook receiver on loopback: a tiny HTTP server in a thread that records every request
and answers with the statuses it is given, then 200."""

import hashlib
import hmac
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def signed_by(self, secret: str) -> bool:
        """The check a receiver makes (docs/alerts.md)."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers["X-Truthmap-Signature"])


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    extra_headers: dict = field(default_factory=dict)


@contextmanager
def receiver(*answers: int, extra_headers: dict | None = None):
    """Yields a Receiver whose URL is http://127.0.0.1:<port>/hook."""
    state = Receiver(url="", answers=list(answers), extra_headers=extra_headers or {})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Received(self.path, dict(self.headers), body))
            self.send_response(state.answers.pop(0) if state.answers else 200)
            for name, value in state.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()

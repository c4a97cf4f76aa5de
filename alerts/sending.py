"""One webhook call: a POST to an address checked by alerts.addresses, within a time limit for
the whole exchange, never following a redirect (http.client follows none)."""

import http.client
import socket
import ssl
import threading
import time
from contextlib import suppress
from dataclasses import dataclass

from alerts.addresses import RefusedURL, addresses, port_of


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def connect_to(candidates: list[str], port: int, timeout: float) -> socket.socket:
    """A connection to the first of the checked addresses that answers; never a new lookup."""
    error: OSError | None = None
    for address in candidates:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as failed:
            error = failed
    raise error or OSError("no address")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked addresses, with the URL's host in the Host header."""

    def __init__(self, host: str, port: int, *, candidates: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.candidates = candidates

    def connect(self) -> None:
        self.sock = connect_to(self.candidates, self.port, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked addresses; the certificate is verified for the URL's host."""

    def __init__(self, host: str, port: int, *, candidates: list[str], timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.candidates = candidates

    def connect(self) -> None:
        sock = connect_to(self.candidates, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def cut(connection: http.client.HTTPConnection) -> None:
    """Ends an exchange at its deadline: socket timeouts bound each read, not their sum."""
    if connection.sock is not None:
        with suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    started = time.monotonic()

    def elapsed_ms() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        parts, candidates = addresses(url)
    except RefusedURL as refusal:
        return Answer(None, str(refusal), elapsed_ms())
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    kind = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    connection = kind(parts.hostname, port_of(parts), candidates=candidates, timeout=timeout)
    deadline = threading.Timer(timeout, cut, [connection])
    deadline.start()
    try:
        connection.request("POST", target, body=body, headers=headers)
        status = connection.getresponse().status
        return Answer(status, "", elapsed_ms())
    except (OSError, http.client.HTTPException) as error:
        if time.monotonic() - started >= timeout:
            return Answer(None, f"Timed out after {timeout:g} s.", elapsed_ms())
        return Answer(None, f"{type(error).__name__}: {error}"[:500], elapsed_ms())
    finally:
        deadline.cancel()
        connection.close()

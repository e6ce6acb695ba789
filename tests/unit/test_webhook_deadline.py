"""``[webhooks] timeout_seconds`` bounds a whole attempt: a receiver that sends its answer
a byte at a time no longer holds a delivery (``schedule run-due``, the server's scheduler
thread, an alert's notice) for as long as it likes.

httpx's timeouts apply to each read, and each byte started the wait again: the audit's
receiver (1,000 bytes, one every 2 s, ``timeout_seconds = 5``) kept ``run-due`` blocked
past 90 s. Here a byte comes every 50 ms, the limit is 0.3 s, and a delivery that is
still going after 3 s fails the test (it would have taken 50 s).
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest

from omnikpi.delivery import DeliveryError
from omnikpi.delivery.webhook import post
from tests.threads import run_within

GAP = 0.05


class Dribbler(socketserver.BaseRequestHandler):
    """Reads the request, sends ``head`` at once, then ``rest`` a byte every ``GAP``
    seconds (until the client goes away or the test ends)."""

    head: ClassVar[bytes] = b""
    rest: ClassVar[bytes] = b""
    requests: ClassVar[list[float]] = []
    stop: ClassVar[threading.Event] = threading.Event()

    def handle(self) -> None:
        sock: socket.socket = self.request
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                return
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            body += sock.recv(65536)
        type(self).requests.append(time.monotonic())
        try:
            sock.sendall(self.head)
            for byte in self.rest:
                if self.stop.wait(GAP):
                    return
                sock.sendall(bytes([byte]))
        except OSError:  # the client shut the connection: what the test wants
            return


@pytest.fixture()
def receiver() -> Iterator[str]:
    Dribbler.requests = []
    Dribbler.stop = threading.Event()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Dribbler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    Dribbler.stop.set()
    server.shutdown()
    server.server_close()


def _post_within(seconds: float, url: str, attempts: int = 1,
                 limit: float = 0.3) -> tuple[float, object]:
    """Post in a thread; (how long it took, what it returned or raised)."""
    return run_within(seconds, lambda: post(
        url, b"{}", secret="s", allowed_hosts=["127.0.0.1"], attempts=attempts,
        first_retry_seconds=0, timeout_seconds=limit), doing="the post")


def test_an_answer_dribbled_byte_by_byte_fails_at_the_time_limit(receiver: str) -> None:
    """The status line at once, then the headers a byte at a time: each attempt ends at
    0.3 s, and the run says it timed out (then it is tried again, as any timeout is)."""
    Dribbler.head = b"HTTP/1.1 200 OK\r\n"
    Dribbler.rest = b"X-Slow: " + b"a" * 1000 + b"\r\nContent-Length: 0\r\n\r\n"
    took, outcome = _post_within(3, receiver, attempts=2)
    assert isinstance(outcome, DeliveryError)
    assert "after 2 attempts: timed out: no answer within 0.3 s" in str(outcome)
    assert len(Dribbler.requests) == 2
    assert took < 2


def test_only_the_status_of_the_answer_is_waited_for(receiver: str) -> None:
    """The audit's receiver: ``200`` and its headers at once, then a body of 1,000 bytes
    a byte at a time. The status says the receiver has the file; its body is not read
    (waiting for it, the attempt would end at the 2-s limit as a failure)."""
    Dribbler.head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
    Dribbler.rest = b"x" * 1000
    _, outcome = _post_within(3, receiver, limit=2)
    assert outcome == 1
    assert len(Dribbler.requests) == 1

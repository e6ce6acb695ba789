"""One delivery attempt's time limit over all its reads and writes.

Socket timeouts (httpx's, smtplib's) apply to each read or write: a receiver that sends
a byte every few seconds resets them with each byte and holds a scheduled run — and the
server's scheduler thread — for as long as it likes. A :class:`Deadline` shuts the
attempt's sockets down when its time is up, which wakes a read or a write blocked on
them (a TLS handshake's too); the blocked call then fails as any broken connection does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from types import TracebackType
from typing import Self


class Deadline:
    """``with Deadline(seconds) as deadline:`` — sockets given to :meth:`hold` are shut
    down ``seconds`` after entering; :attr:`passed` says whether that happened.

    Sockets are held as duplicates of their descriptor: shutting a duplicate down stops
    the socket itself (a TLS socket's too, which cannot be ``dup()``-ed), and a duplicate
    keeps the number from being given to another socket of this process before the
    attempt ends."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def hold(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the time is up (at once if it already is)."""
        held = socket.socket(fileno=os.dup(sock.fileno()))
        with self._lock:
            self._sockets.append(held)
            if self.passed:  # connected just as the time ran out
                self._shut(held)

    @staticmethod
    def _shut(held: socket.socket) -> None:
        with contextlib.suppress(OSError):  # already closed by the other side
            held.shutdown(socket.SHUT_RDWR)

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            for held in self._sockets:
                self._shut(held)

    def __enter__(self) -> Self:
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._timer.cancel()
        with self._lock:
            for held in self._sockets:
                held.close()
            self._sockets.clear()

"""uvicorn's HTTP/1.1 protocol (h11), with the verify service's answers for what never reaches it.

- A request uvicorn cannot parse gets the service's JSON error (``{"error", "message"}``), not
  uvicorn's text, like every other answer of the service.
- A client that opens a connection and then sends its request line and headers too slowly is cut
  off after ``SATCHEL_VERIFIER_HEADER_TIMEOUT`` seconds (uvicorn bounds only the idle time between
  keep-alive requests; the body is bounded by the ASGI adapter).

The timeout comes through the environment on purpose: uvicorn builds this protocol itself, in
each worker process, from a class name, so nothing can be handed to it; :func:`verifier.asgi.serve`
sets ``SATCHEL_VERIFIER_HEADER_TIMEOUT`` before uvicorn starts and the workers inherit it.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_ENV = "SATCHEL_VERIFIER_HEADER_TIMEOUT"
_BAD_REQUEST = json.dumps({"error": "bad-request", "message": "The request could not be read."}).encode()


class VerifierH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = float(os.environ.get(HEADER_TIMEOUT_ENV) or 30.0)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer = self.loop.call_later(self._header_timeout, self._too_slow)

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self._header_timer is not None:  # the request line and headers came
            self._header_timer.cancel()
            self._header_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        headers = [(b"content-type", b"application/json"), (b"x-content-type-options", b"nosniff"),
                   (b"cache-control", b"no-store"), (b"connection", b"close")]
        try:
            self.transport.write(self.conn.send(h11.Response(status_code=400, headers=headers, reason=b"Bad Request")))
            self.transport.write(self.conn.send(h11.Data(data=_BAD_REQUEST)))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
        except h11.LocalProtocolError:
            pass
        self.transport.close()

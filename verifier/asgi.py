"""``satchel-verifier serve`` over ASGI: Starlette's request and response types on uvicorn.

The adapter is thin: it reads the body within the limits (``Content-Length`` only, at most
``max_body``, within ``io_timeout``), hands a :class:`verifier.api.Request` to
:func:`verifier.api.handle` on a worker thread (verification is CPU-bound), and sends the answer.
With ``workers > 1`` uvicorn runs that many processes on one listening socket, so verification
uses every core instead of one GIL. Every process builds its own service from the configuration
in ``SATCHEL_VERIFIER_CONFIG`` (uvicorn starts workers by import string).

The environment is the hand-over between processes here, on purpose: uvicorn starts each worker
by import string with no way to pass it objects, and a worker inherits the parent's environment.
:func:`serve` writes the configuration (``SATCHEL_VERIFIER_CONFIG``, the bound address
``SATCHEL_VERIFIER_BOUND`` and the header timeout for :mod:`verifier._protocol`) just before
uvicorn starts, and each worker reads it once, when it builds its service. Nothing else in the
verifier reads the environment; the app's settings come in through ``verifier.app.settings``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.types import Receive, Scope, Send

from ._protocol import HEADER_TIMEOUT_ENV, VerifierH11Protocol
from .api import (
    HttpError,
    Request,
    Response,
    ServiceConfig,
    VerifierService,
    error_response,
    expected_length,
    response_headers,
)
from .api import handle as handle_request
from .store import open_store

CONFIG_ENV = "SATCHEL_VERIFIER_CONFIG"
BOUND_ENV = "SATCHEL_VERIFIER_BOUND"


class VerifierApp:
    """The ASGI application: one :class:`VerifierService` per process."""

    def __init__(self, service: VerifierService) -> None:
        self.service = service
        self._in_flight = 0  # requests being answered by this process (one event loop: no lock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if self._in_flight >= self.service.config.max_connections:
            # The service's own answer (uvicorn's limit, set above this one, is only a backstop).
            busy = HttpError(503, "busy", "Too many requests at once; try again shortly.", {"Retry-After": "1"})
            await _starlette(error_response(busy), close=True)(scope, receive, send)
            return
        self._in_flight += 1
        try:
            await self._answer(scope, receive, send)
        finally:
            self._in_flight -= 1

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = StarletteRequest(scope, receive)
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            body = await self._body(request, headers)
        except HttpError as exc:
            await _starlette(error_response(exc), close=True)(scope, receive, send)
            return
        except ClientDisconnect:
            return
        answer = await run_in_threadpool(handle_request, self.service,
                                         Request(request.method, request.url.path, headers, body,
                                                 request.url.query))
        await _starlette(answer, close=answer.status >= 500)(scope, receive, send)

    async def _body(self, request: StarletteRequest, headers: dict[str, str]) -> bytes:
        config = self.service.config
        length = expected_length(headers, config.max_body)
        if length == 0:
            return b""
        chunks: list[bytes] = []
        got = 0
        with anyio.move_on_after(config.io_timeout) as scope:
            async for chunk in request.stream():
                got += len(chunk)
                if got > length:
                    raise HttpError(400, "bad-request", "The body is longer than its Content-Length.")
                chunks.append(chunk)
        if scope.cancelled_caught:
            raise HttpError(408, "timeout", "The body arrived too slowly.")
        if got < length:
            raise HttpError(400, "bad-request", "The body ended early.")
        return b"".join(chunks)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await run_in_threadpool(self.service.close)
                await send({"type": "lifespan.shutdown.complete"})
                return


def _starlette(resp: Response, close: bool = False) -> StarletteResponse:
    out = StarletteResponse(resp.body, status_code=resp.status)
    out.headers.update(dict(response_headers(resp)))
    out.headers["content-type"] = resp.content_type
    if close:
        out.headers["connection"] = "close"
    return out


def config_to_env(config: ServiceConfig) -> str:
    fields = dataclasses.asdict(config)
    fields["data_dir"] = str(config.data_dir)
    return json.dumps(fields)


def config_from_env() -> ServiceConfig:
    fields: dict[str, Any] = json.loads(os.environ[CONFIG_ENV])
    fields["data_dir"] = Path(fields["data_dir"])
    return ServiceConfig(**fields)


def app_from_env() -> VerifierApp:
    """uvicorn's factory in every worker process."""
    service = VerifierService(config_from_env())
    service.bind(os.environ.get(BOUND_ENV, ""))
    return VerifierApp(service)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)  # connections wait here while the workers start
    sock.set_inheritable(True)
    return sock


def serve(config: ServiceConfig, ready: Callable[[str], None] | None = None) -> None:
    """Bind, migrate the store once, announce the address, then run uvicorn (1 or N workers)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    sock = _listen(config.host, config.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in str(host) else str(host)
    bound = f"http://{shown}:{port}"
    open_store(config.database, config.data_dir).close()  # creates or migrates it: fail here, not in every worker
    os.environ[CONFIG_ENV] = config_to_env(config)
    os.environ[BOUND_ENV] = bound
    os.environ[HEADER_TIMEOUT_ENV] = str(config.io_timeout)
    uv = uvicorn.Config(
        "verifier.asgi:app_from_env", factory=True, workers=max(1, config.workers), lifespan="on",
        http=VerifierH11Protocol,
        log_level="warning", access_log=False,  # no access log: paths carry relay and exchange ids
        server_header=False, limit_concurrency=2 * config.max_connections + 16,
        timeout_keep_alive=int(config.io_timeout),
        timeout_graceful_shutdown=5, h11_max_incomplete_event_size=64 * 1024,
    )
    (ready or (lambda url: print(f"satchel-verifier: serving on {url}", flush=True)))(bound)
    server = uvicorn.Server(uv)
    try:
        if uv.workers > 1:
            Multiprocess(uv, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    finally:
        sock.close()


__all__ = ["VerifierApp", "app_from_env", "serve"]

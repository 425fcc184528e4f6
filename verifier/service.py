"""A small standard-library HTTP adapter for the verify service, for embedding it in a process
(tests, the apps). ``satchel-verifier serve`` uses the ASGI adapter (:mod:`verifier.asgi`); the
endpoints themselves, and their contract, are in :mod:`verifier.api`.
"""

from __future__ import annotations

import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .api import (
    HttpError,
    Request,
    Response,
    ServiceConfig,
    VerifierService,
    error_response,
    expected_length,
    handle,
    response_headers,
)


class VerifierServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], service: VerifierService) -> None:
        self.service = service
        self._slots = threading.BoundedSemaphore(service.config.max_connections)
        super().__init__(address, VerifierHandler)
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        service.bind(f"http://{shown}:{port}")

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a DNS lookup that can stall start-up offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        # A bounded number of connections, each on its own thread; the rest get a quick 503.
        if not self._slots.acquire(blocking=False):
            try:
                body = b'{"error": "busy", "message": "Too many connections; try again shortly."}'
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                                b"Connection: close\r\nRetry-After: 1\r\nContent-Length: "
                                + str(len(body)).encode() + b"\r\n\r\n" + body)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class VerifierHandler(BaseHTTPRequestHandler):
    server: VerifierServer
    protocol_version = "HTTP/1.1"
    server_version = "SatchelVerifier/0.1"
    sys_version = ""
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add ~40 ms per answer.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.service.config.io_timeout)  # bounds every read

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # no access log: paths carry relay and exchange ids

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The stdlib answers malformed requests with an HTML page, headerless for a request line it
        # could not parse (taken as HTTP/0.9); keep every answer a full HTTP/1.1 JSON response.
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        self._send(error_response(HttpError(code, "bad-request" if code < 500 else "unsupported",
                                            message or "The request could not be read.")))

    def _send(self, resp: Response) -> None:
        try:
            self.send_response(resp.status)
            self.send_header("Content-Length", str(len(resp.body)))
            for name, value in response_headers(resp):
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and resp.body:
                self.wfile.write(resp.body)
        except OSError:
            self.close_connection = True

    def _read_body(self) -> bytes:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            length = expected_length(headers, self.server.service.config.max_body)
        except HttpError:
            self.close_connection = True  # the unread body must not be parsed as the next request
            raise
        deadline = time.monotonic() + self.server.service.config.io_timeout
        chunks, got = [], 0
        while got < length:
            if time.monotonic() > deadline:
                self.close_connection = True
                raise HttpError(408, "timeout", "The body arrived too slowly.")
            try:
                chunk = self.rfile.read1(min(65536, length - got))
            except OSError:  # socket timeout: a client that stalls mid-body
                self.close_connection = True
                raise HttpError(408, "timeout", "The body arrived too slowly.") from None
            if not chunk:
                self.close_connection = True
                raise HttpError(400, "bad-request", "The body ended early.")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _handle(self) -> None:
        try:
            body = self._read_body()
        except HttpError as exc:
            self._send(error_response(exc))
            return
        url = urlsplit(self.path)
        request = Request(self.command, url.path, {k.lower(): v for k, v in self.headers.items()}, body, url.query)
        resp = handle(self.server.service, request)
        if resp.status >= 500:
            self.close_connection = True
        self._send(resp)

    do_GET = do_POST = do_DELETE = _handle


__all__ = ["ServiceConfig", "VerifierServer", "VerifierService"]

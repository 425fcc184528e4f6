"""The issuer stub as a real process on a free loopback port, for end-to-end tests.

``running_stub`` is a generator for a module fixture; :class:`Overlay` is the real loopback
network through :class:`~credentials._net.GuardedTransport`, with chosen URLs answered or rewritten
by the test (a tampered list, a 404, a document an attacker hosts) — everything else reaches the
stub for real.
"""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from credentials._net import Fetcher, GuardedTransport, LocalDocuments, make_client
from credentials._report import VerificationReport
from credentials._verify import verify

BIN = Path(sys.executable).parent


class Stub:
    """``satchel-issuer serve`` on 127.0.0.1; ``base`` is its URL, ``did`` its did:web."""

    def __init__(self, state: Path, port: int | None = 0) -> None:
        args = [str(BIN / "satchel-issuer"), "--state", str(state), "serve"]
        if port is not None:
            args += ["--port", str(port)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert "listening on" in line, (line, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.base = line.split("listening on ", 1)[1].split()[0]
        self.did = line.rsplit(" as ", 1)[1].strip()
        self.http = httpx.Client(base_url=self.base, timeout=10)

    def issue(self, form: str, achievement: str = "wound-care-basics", **extra: Any) -> dict[str, Any]:
        resp = self.http.post("/api/issue", json={"achievement": achievement, "form": form, **extra})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    def act(self, credential_id: str, action: str) -> None:
        resp = self.http.post(f"/api/credentials/{credential_id}/{action}")
        assert resp.status_code == 200, resp.text

    def stop(self) -> int:
        self.http.close()
        if self.proc.poll() is not None:
            return int(self.proc.returncode)
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


def running_stub(state: Path) -> Iterator[Stub]:
    stub = Stub(state)
    try:
        yield stub
    finally:
        stub.stop()


def payload_of(issued: dict[str, Any]) -> bytes | str | dict[str, Any]:
    """What a learner would import: the JSON credential, the JWT / JWS text, or the image bytes."""
    if "contentBase64" in issued:
        return base64.b64decode(issued["contentBase64"])
    return issued["credential"]  # type: ignore[no-any-return]


Rewrite = Callable[[bytes], bytes]


class Overlay(httpx.BaseTransport):
    """The live loopback network (GuardedTransport, loopback allowed) with test-chosen answers.

    ``answer(url, status, body)`` answers ``url`` without any connection; ``rewrite(url, fn)``
    fetches ``url`` from the stub for real and hands ``fn`` its body to change (tampering in
    transit, as a compromised host or a man in the middle would). ``seen`` lists every URL asked.
    """

    def __init__(self) -> None:
        self.inner = GuardedTransport(allow_loopback=True)
        self.answers: dict[str, tuple[int, bytes, str]] = {}
        self.rewrites: dict[str, Rewrite] = {}
        self.seen: list[str] = []

    def answer(self, url: str, status: int, body: bytes | dict[str, Any] = b"",
               media_type: str = "application/json") -> None:
        raw = json.dumps(body).encode() if isinstance(body, dict) else body
        self.answers[url.split("#", 1)[0]] = (status, raw, media_type)

    def rewrite(self, url: str, fn: Rewrite) -> None:
        self.rewrites[url.split("#", 1)[0]] = fn

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url).split("#", 1)[0]
        self.seen.append(url)
        if url in self.answers:
            status, body, media_type = self.answers[url]
            return httpx.Response(status, content=body, headers={"content-type": media_type}, request=request)
        resp = self.inner.handle_request(request)
        fn = self.rewrites.get(url)
        if fn is None:
            return resp
        try:
            body = resp.read()
        finally:
            resp.close()
        return httpx.Response(resp.status_code, content=fn(body),
                              headers={"content-type": resp.headers.get("content-type", "application/json")},
                              request=request)

    def close(self) -> None:
        """Kept open: one overlay serves several verifications (each client closes its transport)."""

    def shutdown(self) -> None:
        self.inner.close()


def json_rewrite(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Rewrite:
    return lambda body: json.dumps(fn(json.loads(body))).encode()


def verify_live(data: Any, transport: httpx.BaseTransport | None = None,
                documents: LocalDocuments | None = None, refresh: bool = True) -> VerificationReport:
    """Verify over real HTTP with a fresh fetcher (nothing memoised from an earlier call)."""
    with make_client(transport or GuardedTransport(allow_loopback=True)) as client:
        return verify(data, fetcher=Fetcher(client, documents=documents), refresh=refresh)


def check_statuses(report: VerificationReport) -> dict[str, str]:
    return {c.id: str(c.status) for c in report.checks}

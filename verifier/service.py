"""``satchel-verifier serve``: the HTTP verify service, the request (challenge) flow, the share relay
and the web page for share links. Standard-library ``ThreadingHTTPServer``; loopback by default.

Verify (W3C CCG VC-API, https://w3c-ccg.github.io/vc-api/):

    POST /credentials/verify     {"verifiableCredential": <object | VC-JWT>, "options": {}}
    POST /presentations/verify   {"verifiablePresentation": <object | VP-JWT>,
                                  "options": {"challenge": "...", "domain": "..."}}
    POST /challenges             -> {"challenge": "..."}   (VC-API "Create a challenge")

  ``options.checks`` (VC-API) names the checks asked for; integrity checks always run and count,
  while status (``credentialStatus``), dates (``expirationDate``, ``validFrom``, ...), schema
  (``credentialSchema``) and subject binding (``holderBinding``) count only when named: left out,
  their findings are warnings. Without ``checks`` everything counts.

  The answer is the engine report (``verdict``, ``problems``, ``warnings``, ``checks``, ``format``,
  ``at``, nested ``credentials``, as ``satchel-verify --json`` prints) plus VC-API's
  ``verified`` (bool) and ``errors`` (``[{problem, check, message}]``). HTTP 200 when verified;
  400 otherwise (VC-API answers a failed verification "400 Invalid input"; the body still holds
  the full report). A challenge this service issued is single use wherever it is presented.

Request flow (issue 6; VC-API exchanges with a single implicit workflow, so
``/workflows/{w}/exchanges`` is shortened to ``/exchanges``):

    POST /exchanges              {"query"?: QueryByExample | [..], "ttl"?: seconds}
                                 -> 201 {exchangeId, url, state, expires, pollToken,
                                         verifiablePresentationRequest: {query, challenge, domain}}
    POST /exchanges/{id}         {} -> the verifiablePresentationRequest (VC-API: start an exchange)
                                 {"verifiablePresentation": vp} -> the verification answer
    GET  /exchanges/{id}         -> {exchangeId, state, expires}; with
                                 ``Authorization: Bearer <pollToken>`` also ``result`` (the answer
                                 and the presentation) so the verifier's screen can poll.

  The query is VC-API / VP Request Spec "QueryByExample" (https://w3c-ccg.github.io/vp-request-spec/).
  ``url`` is what the request QR holds. An exchange takes exactly one presentation: a second one,
  or one after ``expires``, is refused with problem ``challenge-mismatch``.

Share relay (issue 6 "Links"; blob and link format in :mod:`verifier.links`):

    POST   /relay       {"ciphertext": base64url, "unshareHash": base64url(SHA-256(secret)),
                         "ttl"?: seconds | "expires"?: ISO 8601}  -> 201 {id, url, expires}
    GET    /relay/{id}  -> the blob (application/octet-stream); 410 once expired or unshared
    DELETE /relay/{id}  ``Authorization: Bearer <secret>`` -> 204; 401 without, 403 wrong secret

Web verifier: ``GET /s`` (alias ``/verify``; + ``/s.js``, ``/s.css``) reads ``#vp=`` / ``#vc=`` / ``#r=&k=``
links and POSTs what it finds to this origin's verify endpoints (served at the origin root).

Errors are ``{"error": token, "message": text}`` with 400 / 404 / 405 / 411 / 413 / 415 / 503;
never a stack trace. State (challenges, relay) lives in :mod:`verifier.store`; everything else is
per request, so instances sharing one store can sit behind a load balancer.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import signal
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from credentials.checks.dates import parse_datetime
from credentials.errors import MalformedError
from credentials.net import DocumentMapTransport, Fetcher, GuardedTransport, RefusingTransport, make_client
from credentials.report import CheckResult, Status, Verdict, VerificationReport, failed, warning
from credentials.verify import verify

from . import _page
from .links import b64url_decode, unshare_hash
from .store import Claim, Exchange, ExchangeState, RelayEntry, SqliteStore

MiB = 1024 * 1024
VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DEFAULT_QUERY: list[dict[str, Any]] = [{
    "type": "QueryByExample",
    "credentialQuery": [{
        "reason": "Please present your Open Badges.",
        "example": {"@context": [VC2, OB3], "type": ["VerifiableCredential", "OpenBadgeCredential"]},
    }],
}]
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_JWS_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class ServiceConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8400
    offline: bool = False
    documents: str | None = None
    public_url: str | None = None  # the address wallets and browsers see (behind a proxy)
    domain: str | None = None  # the Data Integrity "domain" requests ask for; default: public host
    max_body: int = 2 * MiB
    io_timeout: float = 30.0  # whole request read, and idle keep-alive
    verify_timeout: float = 20.0  # one verification, fetches included
    verify_workers: int = 8
    max_connections: int = 64
    exchange_ttl: float = 600.0
    max_exchange_ttl: float = 3600.0
    relay_max_blob: int = 1 * MiB
    relay_default_ttl: float = 7 * 86400.0
    relay_max_ttl: float = 30 * 86400.0


class HttpError(Exception):
    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
        self.headers = headers or {}


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = field(default=())


def json_response(status: int, doc: Any, *headers: tuple[str, str]) -> Response:
    return Response(status, json.dumps(doc, ensure_ascii=False).encode("utf-8"), "application/json", headers)


def error_response(exc: HttpError) -> Response:
    return json_response(exc.status, {"error": exc.error, "message": exc.message}, *exc.headers.items())


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def token_hash(token: str) -> str:
    return unshare_hash(token)


def bearer(headers: Any) -> str | None:
    value = headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def errors_of(report: VerificationReport, prefix: str = "") -> list[dict[str, str]]:
    out = [{"problem": c.problem, "check": prefix + c.id, "message": c.message}
           for c in report.checks if c.problem and c.status != "passed"]
    for n, sub in enumerate(report.nested):
        out.extend(errors_of(sub, f"{prefix}credentials[{n}]."))
    return out


def answer_of(report: VerificationReport) -> dict[str, Any]:
    out = report.to_json()
    out["verified"] = report.verdict == Verdict.VALID
    out["errors"] = errors_of(report)
    return out


# VC-API ``options.checks``: the checks the caller asks for. Integrity (format, contexts, safe
# mode, proofs, keys, challenge) is never optional; these may be left out, and a problem they find
# is then shown as a warning (the report still lists every check).
OPTIONAL_CHECKS: dict[str, tuple[str, ...]] = {
    "credentialStatus": ("status",), "status": ("status",),
    "expirationDate": ("validity",), "validUntil": ("validity",), "validFrom": ("validity",),
    "issuanceDate": ("validity",), "validity": ("validity",),
    "credentialSchema": ("schema",), "schema": ("schema",),
    "holderBinding": ("presentation.holder",), "subjectBinding": ("presentation.holder",),
}
SUBJECT_BINDING = frozenset({"holderBinding", "subjectBinding"})
_OPTIONAL_PREFIXES = ("status", "validity", "schema", "presentation.holder")


def honour_checks(report: VerificationReport, checks: list[str] | None) -> VerificationReport:
    if checks is None:
        return report
    asked = {prefix for name in checks for prefix in OPTIONAL_CHECKS.get(name, ())}

    def left_out(check: CheckResult) -> bool:
        group = next((p for p in _OPTIONAL_PREFIXES if check.id == p or check.id.startswith(p + ".")), None)
        return group is not None and group not in asked

    def relabel(sub: VerificationReport) -> VerificationReport:
        kept = tuple(
            CheckResult(c.id, Status.WARNING, f"(not asked for) {c.message}", warning=c.problem)
            if c.problem and c.status != Status.PASSED and left_out(c) else c
            for c in sub.checks)
        return replace(sub, checks=kept, nested=tuple(relabel(n) for n in sub.nested))

    return relabel(report)


def with_check(report: VerificationReport, check: CheckResult) -> VerificationReport:
    return replace(report, checks=(*report.checks, check))


def _types(doc: Any) -> list[Any]:
    t = doc.get("type", []) if isinstance(doc, dict) else []
    return t if isinstance(t, list) else [t]


class VerifierService:
    """The endpoints as plain methods (request in, :class:`Response` out); HTTP is the handler's job."""

    def __init__(self, config: ServiceConfig, store: SqliteStore | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = store or SqliteStore(config.data_dir / "verifier.sqlite3")
        self.clock = clock
        fallback: httpx.BaseTransport = RefusingTransport() if config.offline else GuardedTransport()
        transport = DocumentMapTransport.from_file(config.documents, fallback) if config.documents else fallback
        # One pooled client shared by all requests; a fresh Fetcher per request, because the
        # engine's Fetcher memoises answers forever and a status list must not go stale.
        self._client = make_client(transport)
        self._pool = ThreadPoolExecutor(max_workers=config.verify_workers, thread_name_prefix="verify")
        self.base_url = config.public_url.rstrip("/") if config.public_url else ""
        self.domain = config.domain or ""

    def bind(self, base_url: str) -> None:
        """Known once the socket is bound (``--port 0``)."""
        if not self.base_url:
            self.base_url = base_url
        if not self.domain:
            self.domain = urlsplit(self.base_url).hostname or "localhost"

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()
        self.store.close()

    # -- verification ---------------------------------------------------------------------------
    def _verify(self, data: Any, challenge: str | None, domain: str | None,
                checks: list[str] | None = None) -> VerificationReport:
        fetcher = Fetcher(self._client)
        binding = checks is None or bool(SUBJECT_BINDING & set(checks))
        future = self._pool.submit(verify, data, fetcher=fetcher, challenge=challenge, domain=domain,
                                   subject_binding=binding)
        try:
            return honour_checks(future.result(timeout=self.config.verify_timeout), checks)
        except FutureTimeout:
            future.cancel()
            raise HttpError(503, "timeout", f"The verification took longer than {self.config.verify_timeout:g} s "
                            "(an issuer's server may be slow); try again.") from None

    @staticmethod
    def _input(body: dict[str, Any], name: str) -> Any:
        if name not in body:
            raise HttpError(400, "bad-request", f"The body has no {name!r}.")
        item = body[name]
        if isinstance(item, str):
            # A JWT only: a URL here would make the service fetch on a caller's behalf.
            if not _JWS_RE.match(item.strip()):
                raise HttpError(400, "bad-request", f"{name} is a JSON object or a compact JWT.")
            return item.strip()
        if not isinstance(item, dict):
            raise HttpError(400, "bad-request", f"{name} is a JSON object or a compact JWT.")
        # VCDM 2.0 §4.13.1 enveloped form: the JWT travels in a data: URL.
        env_id = item.get("id")
        if "EnvelopedVerifiableCredential" in _types(item) or "EnvelopedVerifiablePresentation" in _types(item):
            jwt = env_id.split(",", 1)[1].strip() if isinstance(env_id, str) and env_id.startswith("data:") \
                and "," in env_id else ""
            if _JWS_RE.match(jwt):
                return jwt
            raise HttpError(400, "bad-request", "An enveloped credential's id is a data: URL holding a compact JWT.")
        return item

    @staticmethod
    def _options(body: dict[str, Any]) -> dict[str, Any]:
        options = body.get("options", {})
        if options is None:
            return {}
        if not isinstance(options, dict):
            raise HttpError(400, "bad-request", "options is a JSON object.")
        for key in ("challenge", "domain"):
            if key in options and not isinstance(options[key], str):
                raise HttpError(400, "bad-request", f"options.{key} is a string.")
        checks = options.get("checks")
        if checks is not None and not (isinstance(checks, list) and all(isinstance(c, str) for c in checks)
                                       and len(checks) <= 32):
            raise HttpError(400, "bad-request", "options.checks is a list of check names.")
        return options

    @staticmethod
    def _verified(report: VerificationReport, *headers: tuple[str, str]) -> Response:
        return json_response(200 if report.verdict == Verdict.VALID else 400, answer_of(report), *headers)

    def verify_credential(self, body: dict[str, Any]) -> Response:
        data = self._input(body, "verifiableCredential")
        options = self._options(body)
        if isinstance(data, dict) and "VerifiablePresentation" in _types(data):
            raise HttpError(400, "wrong-endpoint", "This is a presentation; POST it to /presentations/verify.")
        report = self._verify(data, None, None, options.get("checks"))
        if report.format.startswith("vp"):
            raise HttpError(400, "wrong-endpoint", "This is a presentation; POST it to /presentations/verify.")
        return self._verified(report)

    def verify_presentation(self, body: dict[str, Any]) -> Response:
        data = self._input(body, "verifiablePresentation")
        options = self._options(body)
        challenge, domain = options.get("challenge"), options.get("domain")
        if challenge is not None:
            issued = self.store.find_challenge(challenge)
            if issued is not None:  # ours: single use, whichever endpoint it arrives at
                return self._answer_exchange(issued, data, domain or issued.domain)
        report = self._check_presentation(data, challenge, domain, options.get("checks"))
        if challenge is None:
            report = with_check(report, warning(
                "request.challenge", "no-challenge",
                "No challenge was asked for, so this could be a copy of an earlier presentation."))
        return self._verified(report)

    def _check_presentation(self, data: Any, challenge: str | None, domain: str | None,
                            checks: list[str] | None = None) -> VerificationReport:
        if isinstance(data, dict) and "VerifiablePresentation" not in _types(data):
            raise HttpError(400, "wrong-endpoint", "This is not a presentation; POST credentials to "
                            "/credentials/verify.")
        report = self._verify(data, challenge, domain, checks)
        if not report.format.startswith("vp") and report.format != "unknown":
            raise HttpError(400, "wrong-endpoint", "This is a credential; POST it to /credentials/verify.")
        return report

    # -- request flow ---------------------------------------------------------------------------
    def _new_exchange(self, query: Any, ttl: float) -> tuple[Exchange, str]:
        now = self.clock()
        self.store.purge(now)
        poll_token = secrets.token_urlsafe(24)
        exchange = Exchange(id=secrets.token_urlsafe(16), challenge=secrets.token_urlsafe(24), domain=self.domain,
                            query=query, created=now, expires=now + ttl, poll_hash=token_hash(poll_token))
        self.store.add_exchange(exchange)
        return exchange, poll_token

    def _ttl(self, body: dict[str, Any], default: float, cap: float) -> float:
        ttl = body.get("ttl", default)
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not 1 <= ttl <= cap:
            raise HttpError(400, "bad-request", f"ttl is a number of seconds from 1 to {cap:g}.")
        return float(ttl)

    def create_challenge(self, body: dict[str, Any]) -> Response:
        exchange, _ = self._new_exchange(None, self._ttl(body, self.config.exchange_ttl,
                                                         self.config.max_exchange_ttl))
        return json_response(201, {"challenge": exchange.challenge, "domain": exchange.domain,
                                   "expires": iso(exchange.expires)})

    @staticmethod
    def _query(body: dict[str, Any]) -> list[dict[str, Any]]:
        query = body.get("query", DEFAULT_QUERY)
        items = query if isinstance(query, list) else [query]
        if not items or not all(isinstance(q, dict) and q.get("type") == "QueryByExample"
                                and isinstance(q.get("credentialQuery"), dict | list) for q in items):
            raise HttpError(400, "bad-request", 'query is a VC-API Query By Example: {"type": "QueryByExample", '
                            '"credentialQuery": {...}} (or a list of them).')
        return items

    def _request(self, exchange: Exchange) -> dict[str, Any]:
        """VP Request Spec §2: what the wallet signs for (challenge, domain) and what it is asked."""
        return {"query": exchange.query, "challenge": exchange.challenge, "domain": exchange.domain}

    def _exchange_url(self, exchange: Exchange) -> str:
        return f"{self.base_url}/exchanges/{exchange.id}"

    def create_exchange(self, body: dict[str, Any]) -> Response:
        query = self._query(body)
        exchange, poll_token = self._new_exchange(query, self._ttl(body, self.config.exchange_ttl,
                                                                   self.config.max_exchange_ttl))
        return json_response(201, {
            "exchangeId": exchange.id, "url": self._exchange_url(exchange), "state": str(exchange.state),
            "expires": iso(exchange.expires), "pollToken": poll_token,
            "verifiablePresentationRequest": self._request(exchange)},
            ("Location", self._exchange_url(exchange)))

    def _exchange(self, exchange_id: str) -> Exchange:
        exchange = self.store.get_exchange(exchange_id) if _ID_RE.match(exchange_id) else None
        if exchange is None:
            raise HttpError(404, "not-found", "No such request (it may be long finished).")
        return exchange

    def exchange_status(self, exchange_id: str, headers: Any) -> Response:
        exchange = self._exchange(exchange_id)
        state = str(exchange.state)
        if exchange.state == ExchangeState.PENDING and exchange.expires <= self.clock():
            state = "expired"
        out: dict[str, Any] = {"exchangeId": exchange.id, "state": state, "expires": iso(exchange.expires)}
        token = bearer(headers)
        if token is not None:
            if not hmac.compare_digest(token_hash(token), exchange.poll_hash):
                raise HttpError(403, "forbidden", "That poll token is not this request's.")
            out["verifiablePresentationRequest"] = self._request(exchange)
            if exchange.result is not None:
                out["result"] = exchange.result
        return json_response(200, out, ("Cache-Control", "no-store"))

    def participate(self, exchange_id: str, body: dict[str, Any]) -> Response:
        exchange = self._exchange(exchange_id)
        if "verifiablePresentation" not in body:
            if exchange.state != ExchangeState.PENDING or exchange.expires <= self.clock():
                raise HttpError(410, "gone", "This request was already answered or has expired; ask for a new one.")
            return json_response(200, {"verifiablePresentationRequest": self._request(exchange)})
        return self._answer_exchange(exchange, self._input(body, "verifiablePresentation"), exchange.domain)

    def _answer_exchange(self, exchange: Exchange, data: Any, domain: str) -> Response:
        claim = self.store.claim(exchange.id, self.clock())
        try:
            report = self._check_presentation(data, exchange.challenge, domain)
        except HttpError as exc:
            if claim == Claim.CLAIMED:
                self.store.finish(exchange.id, {"verified": False, "error": exc.error, "message": exc.message})
            raise
        if claim == Claim.USED:
            report = with_check(report, failed("request.challenge", "challenge-mismatch",
                                               "This request was already answered, and a challenge is used once: "
                                               "this may be a replay of someone else's presentation."))
        elif claim in (Claim.EXPIRED, Claim.UNKNOWN):
            report = with_check(report, failed("request.challenge", "challenge-mismatch",
                                               f"This request expired at {iso(exchange.expires)}; "
                                               "ask for a new one."))
        answer = answer_of(report)
        if claim == Claim.CLAIMED:
            presented = data if isinstance(data, dict) else {"jwt": data}
            self.store.finish(exchange.id, {**answer, "verifiablePresentation": presented})
        return json_response(200 if report.verdict == Verdict.VALID else 400, answer)

    # -- relay ----------------------------------------------------------------------------------
    def relay_put(self, body: dict[str, Any]) -> Response:
        now = self.clock()
        ciphertext, digest = body.get("ciphertext"), body.get("unshareHash")
        try:
            blob = b64url_decode(ciphertext) if isinstance(ciphertext, str) else b""
            hash_ok = isinstance(digest, str) and len(b64url_decode(digest)) == 32
        except ValueError:
            raise HttpError(400, "bad-request", "ciphertext and unshareHash are base64url.") from None
        if not 28 <= len(blob) <= self.config.relay_max_blob:
            raise HttpError(400 if len(blob) < 28 else 413, "bad-blob" if len(blob) < 28 else "too-large",
                            f"ciphertext is nonce || AES-GCM output, 28 bytes to {self.config.relay_max_blob} bytes.")
        if not hash_ok:
            raise HttpError(400, "bad-request", "unshareHash is base64url(SHA-256(secret)), 32 bytes.")
        if "expires" in body:
            try:
                if not isinstance(body["expires"], str):
                    raise MalformedError("not a string")
                ttl = parse_datetime(body["expires"], "expires").timestamp() - now
            except MalformedError:
                raise HttpError(400, "bad-request", "expires is an ISO 8601 time with a zone.") from None
            if not 1 <= ttl <= self.config.relay_max_ttl:
                raise HttpError(400, "bad-request", f"expires is between now and {self.config.relay_max_ttl / 86400:g}"
                                " days from now.")
        else:
            ttl = self._ttl(body, self.config.relay_default_ttl, self.config.relay_max_ttl)
        self.store.purge(now)
        entry = RelayEntry(secrets.token_urlsafe(16), blob, now, now + ttl, str(digest))
        self.store.put_blob(entry)
        url = f"{self.base_url}/relay/{entry.id}"
        return json_response(201, {"id": entry.id, "url": url, "expires": iso(entry.expires)}, ("Location", url))

    def _relay_entry(self, relay_id: str) -> RelayEntry:
        entry = self.store.get_blob(relay_id) if _ID_RE.match(relay_id) else None
        if entry is None:
            raise HttpError(404, "not-found", "No such shared link.")
        return entry

    def relay_get(self, relay_id: str) -> Response:
        entry = self._relay_entry(relay_id)
        if entry.unshared:
            raise HttpError(410, "unshared", "Its owner has stopped sharing this badge.")
        if entry.expires <= self.clock() or entry.blob is None:
            raise HttpError(410, "expired", f"This share link expired at {iso(entry.expires)}.")
        return Response(200, entry.blob, "application/octet-stream",
                        (("Cache-Control", "no-store"), ("Expires", "0")))

    def relay_delete(self, relay_id: str, headers: Any) -> Response:
        entry = self._relay_entry(relay_id)
        secret = bearer(headers)
        if secret is None:
            raise HttpError(401, "unauthorized", "Unsharing needs Authorization: Bearer <unshare secret>.",
                            {"WWW-Authenticate": 'Bearer realm="satchel-relay"'})
        if not hmac.compare_digest(unshare_hash(secret), entry.unshare_hash):
            raise HttpError(403, "forbidden", "That is not this link's unshare secret.")
        self.store.unshare(relay_id)
        return Response(204, b"", "application/json")

    # -- routing --------------------------------------------------------------------------------
    def index(self) -> Response:
        return json_response(200, {"service": "satchel-verifier", "domain": self.domain, "endpoints": [
            "POST /credentials/verify", "POST /presentations/verify", "POST /challenges", "POST /exchanges",
            "GET|POST /exchanges/{id}", "POST /relay", "GET|DELETE /relay/{id}", "GET /s"]})


PAGE_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
     "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-cache"),
)
PAGES = {
    "/s": Response(200, _page.HTML.encode(), "text/html; charset=utf-8", PAGE_HEADERS),
    "/verify": Response(200, _page.HTML.encode(), "text/html; charset=utf-8", PAGE_HEADERS),
    "/s.js": Response(200, _page.JS.encode(), "text/javascript; charset=utf-8", PAGE_HEADERS),
    "/s.css": Response(200, _page.CSS.encode(), "text/css; charset=utf-8", PAGE_HEADERS),
}
# path pattern -> allowed methods; bodies are JSON where a method takes one.
ROUTES: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"^/$"), frozenset({"GET"})),
    (re.compile(r"^/(s|verify|s\.js|s\.css)$"), frozenset({"GET"})),
    (re.compile(r"^/(credentials|presentations)/verify$"), frozenset({"POST"})),
    (re.compile(r"^/challenges$"), frozenset({"POST"})),
    (re.compile(r"^/exchanges$"), frozenset({"POST"})),
    (re.compile(r"^/exchanges/([^/]+)$"), frozenset({"GET", "POST"})),
    (re.compile(r"^/relay$"), frozenset({"POST"})),
    (re.compile(r"^/relay/([^/]+)$"), frozenset({"GET", "DELETE"})),
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
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            names = {name.lower() for name, _ in resp.headers}
            if "cache-control" not in names:
                self.send_header("Cache-Control", "no-store")
            for name, value in resp.headers:
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and resp.body:
                self.wfile.write(resp.body)
        except OSError:
            self.close_connection = True

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise HttpError(411, "length-required", "Send the body with a Content-Length (no chunked encoding).")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise HttpError(400, "bad-request", "Content-Length is not a number.")
        limit = self.server.service.config.max_body
        if length > limit:
            self.close_connection = True  # the unread body must not be parsed as the next request
            raise HttpError(413, "too-large", f"The body is larger than {limit // MiB} MB.")
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

    def _json_body(self, required: bool) -> dict[str, Any]:
        raw = self._read_body()
        if not raw.strip():
            if required:
                raise HttpError(400, "bad-request", "The body is empty; send a JSON object.")
            return {}
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json" and not (ctype.startswith("application/") and ctype.endswith("+json")):
            raise HttpError(415, "unsupported-media-type", "Send the body as application/json.")
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise HttpError(400, "bad-json", "The body is not valid UTF-8 JSON.") from None
        if not isinstance(doc, dict):
            raise HttpError(400, "bad-request", "The body is a JSON object.")
        return doc

    def _dispatch(self) -> Response:
        path = urlsplit(self.path).path
        for pattern, methods in ROUTES:
            m = pattern.match(path)
            if m is None:
                continue
            if self.command not in methods:
                if self.command == "POST" or self.headers.get("Content-Length"):
                    self.close_connection = True  # body left unread
                raise HttpError(405, "method-not-allowed", f"{path} takes {', '.join(sorted(methods))}.",
                                {"Allow": ", ".join(sorted(methods))})
            return self._route(path, m.groups())
        if self.headers.get("Content-Length"):
            self.close_connection = True
        raise HttpError(404, "not-found", f"Nothing at {path}.")

    def _route(self, path: str, groups: tuple[str | Any, ...]) -> Response:
        svc = self.server.service
        if path == "/":
            return svc.index()
        if path in PAGES:
            return PAGES[path]
        if path == "/credentials/verify":
            return svc.verify_credential(self._json_body(True))
        if path == "/presentations/verify":
            return svc.verify_presentation(self._json_body(True))
        if path == "/challenges":
            return svc.create_challenge(self._json_body(False))
        if path == "/exchanges":
            return svc.create_exchange(self._json_body(False))
        if path.startswith("/exchanges/"):
            if self.command == "GET":
                return svc.exchange_status(groups[0], self.headers)
            return svc.participate(groups[0], self._json_body(False))
        if path == "/relay":
            return svc.relay_put(self._json_body(True))
        if self.command == "GET":
            return svc.relay_get(groups[0])
        return svc.relay_delete(groups[0], self.headers)

    def _handle(self) -> None:
        try:
            resp = self._dispatch()
        except HttpError as exc:
            resp = error_response(exc)
        except Exception:  # a bug: log it here, tell the client only that it happened
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            resp = error_response(HttpError(500, "internal", "The verifier hit an internal error."))
        self._send(resp)

    do_GET = do_POST = do_DELETE = _handle


def serve(config: ServiceConfig, ready: Callable[[str], None] | None = None) -> None:
    service = VerifierService(config)
    server = VerifierServer((config.host, config.port), service)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    (ready or (lambda url: print(f"satchel-verifier: serving on {url}", flush=True)))(service.base_url)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.close()


__all__ = ["HttpError", "Response", "ServiceConfig", "VerifierServer", "VerifierService", "serve"]

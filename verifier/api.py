"""The verify service's endpoints, framework-free: a :class:`Request` in, a :class:`Response` out.

``satchel-verifier serve`` carries them over HTTP with an ASGI server (:mod:`verifier.asgi`:
Starlette on uvicorn, one or several worker processes); :mod:`verifier.service` is a small
standard-library adapter for embedding the service in a process (tests, the apps). Loopback by
default.

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

OpenID4VP 1.0 (issue 15; https://openid.net/specs/openid-4-verifiable-presentations-1_0.html, with DCQL):

    POST /openid4vp/requests     {"dcql_query"?: DCQL, "vct"?: [..], "client_id_prefix"?: "decentralized_identifier"
                                  | "x509_san_dns" | "redirect_uri", "response_mode"?: "direct_post.jwt" |
                                  "direct_post", "ttl"?: seconds, "redirect_uri"?: same-device return page}
                                 -> 201 {exchangeId, url: "openid4vp://?client_id=…&request_uri=…", requestUri,
                                         clientId, state, expires, pollToken, authorizationRequest}
    GET  /openid4vp/requests/{id}   -> the signed Request Object (application/oauth-authz-req+jwt, RFC 9101)
    POST /openid4vp/responses/{id}  form: vp_token + state, or response (a JWE, §8.3); or error + state (§8.5)
                                 -> 200 {} (§8.2), or {redirect_uri: page#response_code=…} when the
                                    request named a redirect_uri; 400 {error, error_description, problems} when a
                                    presentation fails; 400 {error, message} when the answer cannot be read
                                    (unknown-state, bad-response, challenge-mismatch for a replay or expiry)

  Kept as an exchange (nonce = challenge, client_id = domain), so it is answered once and
  ``GET /exchanges/{id}`` with the poll token reports it (``result`` as for an exchange, plus
  ``presentations``: one answer per presentation). A same-device request (``redirect_uri`` given)
  releases its ``result`` only with the response_code its redirect carried:
  ``GET /exchanges/{id}?response_code=…`` (without it: ``resultNeeds: "response_code"``), so one who
  relays the request to someone else cannot read their answer (OpenID4VP 1.0 "Session Fixation").
  The protocol's own parts live in :mod:`verifier.openid4vp`.

Share relay (issue 6 "Links"; blob and link format in the engine: ``credentials.encrypt_for_relay``, ``decode_link``):

    POST   /relay       {"ciphertext": base64url, "unshareHash": base64url(SHA-256(secret)),
                         "ttl"?: seconds | "expires"?: ISO 8601}  -> 201 {id, url, expires}
    GET    /relay/{id}  -> the blob (application/octet-stream); 410 once expired or unshared
    DELETE /relay/{id}  ``Authorization: Bearer <secret>`` -> 204; 401 without, 403 wrong secret

Web verifier: ``GET /s`` (alias ``/verify``; + ``/s.js``, ``/s.css``) reads ``#vp=`` / ``#vc=`` / ``#r=&k=``
links and POSTs what it finds to this origin's verify endpoints (served at the origin root).

Errors are ``{"error": token, "message": text}`` with 400 / 404 / 405 / 411 / 413 / 415 / 503;
never a stack trace. State (challenges, relay) lives in :mod:`verifier.store` (SQLite by default,
PostgreSQL with ``--database postgresql://…``); everything else is per request, so instances
sharing one PostgreSQL database can sit behind a load balancer (``docs/deployment.md``).

One module on purpose: it is the service's HTTP contract (the paths, bodies, status codes and
error tokens above) next to the code that keeps it, with no other job. The jobs around it live
elsewhere: carrying requests (:mod:`verifier.asgi`, :mod:`verifier.service`), keeping state
(:mod:`verifier.store`), the share page (:mod:`verifier._page`), verifying (``credentials``).
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from credentials import (
    CheckId,
    CheckResult,
    DcqlCandidate,
    DocumentMapTransport,
    Fetcher,
    GuardedTransport,
    MalformedError,
    RefusingTransport,
    Status,
    Verdict,
    VerificationReport,
    b64url_decode,
    enveloped_jwt,
    failed,
    make_client,
    parse_datetime,
    unshare_hash,
    verify,
    warning,
)

from . import _page
from . import openid4vp as vp
from .store import Claim, Exchange, ExchangeState, RelayEntry, Store, open_store

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
# An SD-JWT (RFC 9901 §4): a JWT, then ~-separated disclosures and perhaps a key binding JWT.
_SD_JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~[A-Za-z0-9_.~-]*$")


@dataclass(frozen=True)
class ServiceConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8400
    offline: bool = False
    documents: str | None = None
    public_url: str | None = None  # the address wallets and browsers see (behind a proxy)
    domain: str | None = None  # the Data Integrity "domain" requests ask for; default: public host
    name: str | None = None  # the organisation a wallet shows as asking (OpenID4VP 1.0 §5.1 client_name)
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
    database: str | None = None  # postgresql://… for several instances; default SQLite in data_dir
    allow_loopback: bool = False  # development: fetch from issuers on this machine (the demo stub)
    workers: int = 1  # worker processes (serve); verification is CPU-bound and each has its own GIL
    vp_cert: str | None = None  # OpenID4VP x509_san_dns: a PEM certificate chain for the public host ...
    vp_key: str | None = None  # ... and its P-256 key (PEM); default: self-signed, kept in data_dir
    vp_keys: str | None = None  # the OpenID4VP signing keys' folder, shared by instances; default data_dir/openid4vp


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
    value = headers.get("authorization") or headers.get("Authorization") or ""
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

    def __init__(self, config: ServiceConfig, store: Store | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.store = store or open_store(config.database, config.data_dir)
        self.clock = clock
        fallback: httpx.BaseTransport = RefusingTransport() if config.offline else GuardedTransport(
            allow_loopback=config.allow_loopback)
        transport = DocumentMapTransport.from_file(config.documents, fallback) if config.documents else fallback
        # One pooled client shared by all requests; a fresh Fetcher per request, because the
        # engine's Fetcher memoises answers forever and a status list must not go stale.
        self._client = make_client(transport)
        self._pool = ThreadPoolExecutor(max_workers=config.verify_workers, thread_name_prefix="verify")
        self.base_url = config.public_url.rstrip("/") if config.public_url else ""
        self.domain = config.domain or ""
        self.vp_keys = vp.VerifierKeys(Path(config.vp_keys) if config.vp_keys else config.data_dir / "openid4vp",
                                       config.vp_cert, config.vp_key)

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
            if not (_JWS_RE.match(item.strip()) or _SD_JWT_RE.match(item.strip())):
                raise HttpError(400, "bad-request", f"{name} is a JSON object, a compact JWT or an SD-JWT.")
            return item.strip()
        if not isinstance(item, dict):
            raise HttpError(400, "bad-request", f"{name} is a JSON object or a compact JWT.")
        # VCDM 2.0 §4.13.1 enveloped form: the JWT travels in a data: URL.
        try:
            jwt = enveloped_jwt(item)
        except MalformedError:
            jwt = ""
        if jwt is None:
            return item
        if _JWS_RE.match(jwt):
            return jwt
        raise HttpError(400, "bad-request", "An enveloped credential's id is a data: URL holding a compact JWT.")

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
            if issued is not None and _vp_stored(issued) is not None:
                raise HttpError(400, "wrong-endpoint", "This answers an OpenID4VP request: post it to that request's "
                                "response_uri (its query is checked there).")
            if issued is not None:  # ours: single use, whichever endpoint it arrives at
                return self._answer_exchange(issued, data, domain or issued.domain)
        report = self._check_presentation(data, challenge, domain, options.get("checks"))
        if challenge is None:
            report = with_check(report, warning(
                CheckId.REQUEST_CHALLENGE, "no-challenge",
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
        """VP Request Spec §2: what the wallet signs for (challenge, domain) and what it is asked; with
        the verifier's name as OpenID4VP 1.0 §5.1 ``client_metadata`` carries it (RFC 7591 §2
        ``client_name``), which a wallet shows as confirmed when it fetched the request from here."""
        if _vp_stored(exchange) is not None:
            return self._vp_request(exchange).params()
        request: dict[str, Any] = {"query": exchange.query, "challenge": exchange.challenge,
                                   "domain": exchange.domain}
        if self.config.name:
            request["client_metadata"] = {"client_name": self.config.name}
        return request

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

    def exchange_status(self, exchange_id: str, headers: Any, response_code: str | None = None) -> Response:
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
                out.update(_released_result(exchange.result, response_code))
        return json_response(200, out, ("Cache-Control", "no-store"))

    def participate(self, exchange_id: str, body: dict[str, Any]) -> Response:
        exchange = self._exchange(exchange_id)
        if _vp_stored(exchange) is not None:
            raise HttpError(400, "wrong-endpoint", "This is an OpenID4VP request: a wallet reads it at its request_uri "
                            "and answers at its response_uri.")
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
            report = with_check(report, failed(CheckId.REQUEST_CHALLENGE, "challenge-mismatch",
                                               "This request was already answered, and a challenge is used once: "
                                               "this may be a replay of someone else's presentation."))
        elif claim in (Claim.EXPIRED, Claim.UNKNOWN):
            report = with_check(report, failed(CheckId.REQUEST_CHALLENGE, "challenge-mismatch",
                                               f"This request expired at {iso(exchange.expires)}; "
                                               "ask for a new one."))
        answer = answer_of(report)
        if claim == Claim.CLAIMED:
            presented = data if isinstance(data, dict) else {"jwt": data}
            self.store.finish(exchange.id, {**answer, "verifiablePresentation": presented})
        return json_response(200 if report.verdict == Verdict.VALID else 400, answer)

    # -- OpenID4VP 1.0 ---------------------------------------------------------------------------
    def create_vp_request(self, body: dict[str, Any]) -> Response:
        """An OpenID4VP Authorization Request (§5) kept as an exchange: its nonce is the challenge,
        its client_id the domain, so one presentation answers it once, and the app polls it the same way."""
        prefix = body.get("client_id_prefix", vp.DEFAULT_PREFIX)
        mode = body.get("response_mode", "direct_post.jwt")
        if prefix not in vp.PREFIXES:
            raise HttpError(400, "bad-request", f"client_id_prefix is one of {', '.join(vp.PREFIXES)}.")
        if mode not in vp.RESPONSE_MODES:
            raise HttpError(400, "bad-request", f"response_mode is one of {', '.join(vp.RESPONSE_MODES)}.")
        vct = body.get("vct")
        if vct is not None and not (isinstance(vct, list) and 1 <= len(vct) <= 16
                                    and all(isinstance(v, str) and v for v in vct)):
            raise HttpError(400, "bad-request", "vct is a list of SD-JWT VC types (vct values).")
        query = body.get("dcql_query", vp.default_dcql_query(vct))
        try:
            vp.check_dcql_query(query)
            redirect = None if body.get("redirect_uri") is None else vp.check_redirect_target(body["redirect_uri"])
        except vp.OpenId4VpError as exc:
            raise HttpError(400, exc.error, exc.message) from None
        ttl = self._ttl(body, self.config.exchange_ttl, self.config.max_exchange_ttl)
        now = self.clock()
        self.store.purge(now)
        exchange_id, poll_token = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
        response_uri = f"{self.base_url}/openid4vp/responses/{exchange_id}"
        signer = self._vp_signer(prefix, response_uri)
        private_jwk = vp.new_response_key()[0] if mode == "direct_post.jwt" else None
        stored = {"openid4vp": {"dcql_query": query, "state": secrets.token_urlsafe(16), "response_mode": mode,
                                "prefix": prefix, "response_key": private_jwk, "redirect_uri": redirect}}
        client_id = signer.client_id if signer else f"redirect_uri:{response_uri}"
        exchange = Exchange(id=exchange_id, challenge=secrets.token_urlsafe(24), domain=client_id, query=stored,
                            created=now, expires=now + ttl, poll_hash=token_hash(poll_token))
        self.store.add_exchange(exchange)
        request = self._vp_request(exchange)
        request_uri = f"{self.base_url}/openid4vp/requests/{exchange_id}" if signer else None
        return json_response(201, {
            "exchangeId": exchange_id, "url": vp.request_link(client_id, request_uri, request),
            "requestUri": request_uri, "clientId": client_id, "state": str(exchange.state),
            "expires": iso(exchange.expires), "pollToken": poll_token, "authorizationRequest": request.params()},
            ("Location", f"{self.base_url}/exchanges/{exchange_id}"))

    def _vp_signer(self, prefix: str, response_uri: str) -> vp.Signer | None:
        try:
            return self.vp_keys.signer(prefix, response_uri)
        except vp.OpenId4VpError as exc:  # the operator's keys or certificate (checked at start-up too)
            raise HttpError(503, exc.error, exc.message) from None
        except (OSError, ValueError) as exc:
            raise HttpError(503, "bad-config", f"The OpenID4VP keys cannot be used: {exc}") from None

    def _vp_request(self, exchange: Exchange) -> vp.AuthorizationRequest:
        stored = _vp_stored(exchange)
        assert stored is not None
        private = stored.get("response_key")
        public = {k: v for k, v in private.items() if k != "d"} if isinstance(private, dict) else None
        return vp.AuthorizationRequest(
            client_id=exchange.domain, response_mode=stored["response_mode"],
            response_uri=f"{self.base_url}/openid4vp/responses/{exchange.id}", nonce=exchange.challenge,
            state=stored["state"], dcql_query=stored["dcql_query"], client_name=self.config.name,
            response_jwk=public, expires=exchange.expires)

    def _vp_exchange(self, exchange_id: str) -> tuple[Exchange, dict[str, Any]]:
        exchange = self._exchange(exchange_id)
        stored = _vp_stored(exchange)
        if stored is None:
            raise HttpError(404, "not-found", "No such OpenID4VP request.")
        return exchange, stored

    def vp_request_object(self, exchange_id: str) -> Response:
        """§5.10 / RFC 9101 §5.2: the signed Request Object the request_uri names."""
        exchange, stored = self._vp_exchange(exchange_id)
        if exchange.state != ExchangeState.PENDING or exchange.expires <= self.clock():
            raise HttpError(410, "gone", "This request was already answered or has expired; ask for a new one.")
        request = self._vp_request(exchange)
        signer = self._vp_signer(stored["prefix"], request.response_uri)
        if signer is None:
            raise HttpError(404, "not-found", "This request is passed by value (client_id prefix redirect_uri).")
        if signer.client_id != exchange.domain:  # made by an instance holding other keys
            raise HttpError(503, "key-mismatch", "This request was made by a verifier instance with other OpenID4VP "
                            "keys; give every instance the same --openid4vp-keys folder.")
        jwt = vp.sign_request_object(request, signer, self.clock())
        return Response(200, jwt.encode(), "application/oauth-authz-req+jwt", (("Cache-Control", "no-store"),))

    def vp_response(self, exchange_id: str, request: Request) -> Response:
        """§8.2: the wallet's answer, read, claimed once, every presentation verified with this
        request's nonce and client_id, and compared with what the DCQL query asked (§6.4)."""
        exchange, stored = self._vp_exchange(exchange_id)
        ctype = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise HttpError(415, "unsupported-media-type", "Post the answer as application/x-www-form-urlencoded.")
        try:
            form = vp.read_form(request.body)
            if "error" in form and not {"vp_token", "response"} & set(form):
                return self._vp_declined(exchange, stored, form)
            answer = vp.read_response(form, stored["response_mode"], stored.get("response_key"))
        except vp.OpenId4VpError as exc:
            raise HttpError(400, exc.error, exc.message) from None
        if answer.state != stored["state"]:
            raise HttpError(400, "unknown-state", "The answer's state is not this request's (§8.2): it answers "
                            "another request, or none.")
        claim = self.store.claim(exchange.id, self.clock())
        if claim == Claim.USED:
            raise HttpError(400, "challenge-mismatch", "This request was already answered, and a vp_token is "
                            "accepted once: this may be a replay of someone else's presentation.")
        if claim != Claim.CLAIMED:
            raise HttpError(400, "challenge-mismatch", f"This request expired at {iso(exchange.expires)}; "
                            "ask for a new one.")
        try:
            result = self._vp_result(exchange, stored, answer.vp_token)
        except HttpError as exc:
            self.store.finish(exchange.id, {"verified": False, "error": exc.error, "message": exc.message})
            raise
        result, reply = _with_redirect(result, stored)
        self.store.finish(exchange.id, result)
        if not result["verified"]:
            return json_response(400, {"error": "invalid_request", "error_description": result["message"],
                                       "problems": result["problems"], **reply})
        # §8.2: without a redirect_uri (cross-device) the wallet's flow ends here; with one, the learner's
        # browser goes back to the verifier's page, which fetches the result with the response_code.
        return json_response(200, reply)

    def _vp_declined(self, exchange: Exchange, stored: dict[str, Any], form: dict[str, str]) -> Response:
        """§8.5: the wallet answered with an error (the learner declined, or it holds nothing that fits)."""
        if form.get("state") != stored["state"]:
            raise HttpError(400, "unknown-state", "The answer's state is not this request's (§8.2).")
        if self.store.claim(exchange.id, self.clock()) != Claim.CLAIMED:
            return json_response(200, {})
        reason = form.get("error_description") or form["error"]
        result, reply = _with_redirect({"verified": False, "error": "declined",
                                        "message": f"The wallet did not present anything ({reason[:200]})."}, stored)
        self.store.finish(exchange.id, result)
        return json_response(200, reply)

    def _vp_result(self, exchange: Exchange, stored: dict[str, Any],
                   vp_token: dict[str, list[str | dict[str, Any]]]) -> dict[str, Any]:
        query = vp.check_dcql_query(stored["dcql_query"])
        formats = {cq.id: cq for cq in query.credentials}
        strangers = [q for q in vp_token if q not in formats]
        if strangers:
            raise HttpError(400, "bad-response", f"vp_token answers Credential Queries this request did not make: "
                            f"{', '.join(strangers)[:200]}.")
        reports: list[tuple[str, VerificationReport]] = []
        candidates: dict[str, list[DcqlCandidate]] = {}
        for query_id, items in vp_token.items():
            cq = formats[query_id]
            if len(items) > 1 and not cq.multiple:
                raise HttpError(400, "bad-response", f"vp_token[{query_id!r}] holds {len(items)} presentations; "
                                "the query asked for one (multiple is false, §6.1).")
            for item in items:
                name = f"vp_token[{query_id!r}]"
                report = self._check_presentation(self._input({name: item}, name), exchange.challenge,
                                                  exchange.domain)
                if report.format != vp.FORMATS[cq.format]:
                    report = with_check(report, failed(CheckId.REQUEST_QUERY, "challenge-mismatch",
                                                       f"The query {query_id!r} asked for {cq.format}; this is "
                                                       f"another kind of presentation ({report.format})."))
                reports.append((query_id, report))
                candidates.setdefault(query_id, []).extend(vp.presented_candidates(query_id, cq.format, report))
        return _vp_answer(reports, vp.query_gaps(query, candidates), vp_token)

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
            "GET|POST /exchanges/{id}", "POST /openid4vp/requests", "GET /openid4vp/requests/{id}",
            "POST /openid4vp/responses/{id}", "POST /relay", "GET|DELETE /relay/{id}", "GET /s"]})


def _vp_stored(exchange: Exchange) -> dict[str, Any] | None:
    """An OpenID4VP request's own parameters, kept in its exchange's query."""
    query = exchange.query
    stored = query.get("openid4vp") if isinstance(query, dict) else None
    return stored if isinstance(stored, dict) else None


def _vp_answer(reports: list[tuple[str, VerificationReport]], gaps: vp.QueryGaps,
               vp_token: dict[str, list[str | dict[str, Any]]]) -> dict[str, Any]:
    """The result the app's screen and history read: the worst presentation's answer first (all
    of them under ``presentations``), with the DCQL check (request.query) added to it."""
    order = {Verdict.INVALID: 0, Verdict.UNVERIFIABLE: 1, Verdict.VALID: 2}
    reports = sorted(reports, key=lambda qr: order.get(qr[1].verdict, 0))
    query_id, main = reports[0]
    if gaps:
        main = with_check(main, failed(CheckId.REQUEST_QUERY, "challenge-mismatch", gaps.sentence()))
    else:
        main = with_check(main, CheckResult(CheckId.REQUEST_QUERY, Status.PASSED,
                                            f"It answers what was asked ({', '.join(q for q, _ in reports)})."))
    answer = answer_of(main)
    verified = answer["verified"] and all(r.verdict == Verdict.VALID for _, r in reports)
    problems = [p for _, r in reports for p in r.problems] + (["challenge-mismatch"] if gaps else [])
    message = "; ".join(e["message"] for e in answer["errors"]) or "; ".join(
        f"{q}: {', '.join(r.problems)}" for q, r in reports if r.problems)
    answer.update(verified=verified, message=message, problems=list(dict.fromkeys(problems)),
                  query=query_id, presentations=[{"query": q, **answer_of(r)} for q, r in reports],
                  verifiablePresentation=_presented(main, vp_token[query_id][0]))
    return answer


def _presented(report: VerificationReport, item: str | dict[str, Any]) -> dict[str, Any]:
    """What the app keeps of a presentation: a JSON one as sent, a VP-JWT as ``{"jwt": ...}``, an
    SD-JWT as the claims its holder disclosed (the SD-JWT itself would show only digests)."""
    if isinstance(item, dict):
        return item
    if report.format == "vp-sd-jwt":
        docs = [sub.credential for sub in report.nested if isinstance(sub.credential, dict)]
        return {"type": ["VerifiablePresentation"], "verifiableCredential": docs}
    return {"jwt": item}


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
@dataclass(frozen=True)
class Request:
    """What an HTTP adapter hands over: method, path, headers (lower-case names), the body read, and
    the query string (without its ``?``)."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""
    query: str = ""


def expected_length(headers: Mapping[str, str], limit: int) -> int:
    """The body length a request announces, checked before reading it (411, 400, 413)."""
    if headers.get("transfer-encoding"):
        raise HttpError(411, "length-required", "Send the body with a Content-Length (no chunked encoding).")
    try:
        length = int(headers.get("content-length") or 0)
    except ValueError:
        length = -1
    if length < 0:
        raise HttpError(400, "bad-request", "Content-Length is not a number.")
    if length > limit:
        raise HttpError(413, "too-large", f"The body is larger than {limit // MiB} MB.")
    return length


def _json_body(request: Request, required: bool) -> dict[str, Any]:
    raw = request.body
    if not raw.strip():
        if required:
            raise HttpError(400, "bad-request", "The body is empty; send a JSON object.")
        return {}
    ctype = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if ctype != "application/json" and not (ctype.startswith("application/") and ctype.endswith("+json")):
        raise HttpError(415, "unsupported-media-type", "Send the body as application/json.")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise HttpError(400, "bad-json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(doc, dict):
        raise HttpError(400, "bad-request", "The body is a JSON object.")
    return doc


def _with_redirect(result: dict[str, Any], stored: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the result to keep, the §8.2 reply): for a same-device request, the redirect_uri with a fresh
    response_code, whose hash the result keeps so only that browser's page can read it."""
    target = stored.get("redirect_uri")
    if not isinstance(target, str):
        return result, {}
    redirect, code = vp.redirect_with_code(target)
    return {**result, "responseCodeHash": token_hash(code)}, {"redirect_uri": redirect}


def _released_result(result: dict[str, Any], response_code: str | None) -> dict[str, Any]:
    """``result`` for the poll token's holder; a same-device one only with its response_code (the
    spec's "Session Fixation" section: whoever started the request cannot read someone else's answer)."""
    kept = result.get("responseCodeHash")
    if not isinstance(kept, str):
        return {"result": result}
    if response_code is None or not hmac.compare_digest(token_hash(response_code), kept):
        return {"resultNeeds": "response_code"}
    return {"result": {k: v for k, v in result.items() if k != "responseCodeHash"}}


Endpoint = Callable[["VerifierService", Request, tuple[str, ...]], Response]  # (service, request, path groups)


def _exchange(svc: VerifierService, request: Request, groups: tuple[str, ...]) -> Response:
    if request.method in ("GET", "HEAD"):
        codes = parse_qs(request.query).get("response_code", [])
        return svc.exchange_status(groups[0], request.headers, codes[0] if len(codes) == 1 else None)
    return svc.participate(groups[0], _json_body(request, False))


def _relay_item(svc: VerifierService, request: Request, groups: tuple[str, ...]) -> Response:
    if request.method in ("GET", "HEAD"):
        return svc.relay_get(groups[0])
    return svc.relay_delete(groups[0], request.headers)


# path pattern -> allowed methods and the endpoint; bodies are JSON where a method takes one.
ROUTES: tuple[tuple[re.Pattern[str], frozenset[str], Endpoint], ...] = (
    (re.compile(r"^/$"), frozenset({"GET"}), lambda svc, _r, _g: svc.index()),
    (re.compile(r"^/(s|verify|s\.js|s\.css)$"), frozenset({"GET"}), lambda _s, r, _g: PAGES[r.path]),
    (re.compile(r"^/credentials/verify$"), frozenset({"POST"}),
     lambda svc, r, _g: svc.verify_credential(_json_body(r, True))),
    (re.compile(r"^/presentations/verify$"), frozenset({"POST"}),
     lambda svc, r, _g: svc.verify_presentation(_json_body(r, True))),
    (re.compile(r"^/challenges$"), frozenset({"POST"}), lambda svc, r, _g: svc.create_challenge(_json_body(r, False))),
    (re.compile(r"^/exchanges$"), frozenset({"POST"}), lambda svc, r, _g: svc.create_exchange(_json_body(r, False))),
    (re.compile(r"^/exchanges/([^/]+)$"), frozenset({"GET", "POST"}), _exchange),
    (re.compile(r"^/openid4vp/requests$"), frozenset({"POST"}),
     lambda svc, r, _g: svc.create_vp_request(_json_body(r, False))),
    (re.compile(r"^/openid4vp/requests/([^/]+)$"), frozenset({"GET"}), lambda svc, _r, g: svc.vp_request_object(g[0])),
    (re.compile(r"^/openid4vp/responses/([^/]+)$"), frozenset({"POST"}), lambda svc, r, g: svc.vp_response(g[0], r)),
    (re.compile(r"^/relay$"), frozenset({"POST"}), lambda svc, r, _g: svc.relay_put(_json_body(r, True))),
    (re.compile(r"^/relay/([^/]+)$"), frozenset({"GET", "DELETE"}), _relay_item),
)


def route(service: VerifierService, request: Request) -> Response:
    """The endpoint a request names, or the 404 / 405 that says why there is none."""
    path, method = request.path, request.method
    if method not in ("GET", "HEAD", "POST", "DELETE"):
        raise HttpError(501, "unsupported", f"Unsupported method ({method!r})")
    for pattern, methods, endpoint in ROUTES:
        m = pattern.match(path)
        if m is None:
            continue
        if method not in methods and not (method == "HEAD" and "GET" in methods):
            raise HttpError(405, "method-not-allowed", f"{path} takes {', '.join(sorted(methods))}.",
                            {"Allow": ", ".join(sorted(methods))})
        return endpoint(service, request, m.groups())
    raise HttpError(404, "not-found", f"Nothing at {path}.")


def handle(service: VerifierService, request: Request) -> Response:
    """Answer one request; never raises, never shows a stack trace (a bug is logged on stderr)."""
    try:
        return route(service, request)
    except HttpError as exc:
        return error_response(exc)
    except Exception:  # a bug: log it here, tell the client only that it happened
        traceback.print_exc(file=sys.stderr)
        return error_response(HttpError(500, "internal", "The verifier hit an internal error."))


def response_headers(resp: Response) -> list[tuple[str, str]]:
    """The headers every answer carries, whichever adapter sends it."""
    out = [("Content-Type", resp.content_type), ("X-Content-Type-Options", "nosniff")]
    if "cache-control" not in {name.lower() for name, _ in resp.headers}:
        out.append(("Cache-Control", "no-store"))
    return [*out, *resp.headers]


__all__ = [
    "HttpError", "Request", "Response", "ServiceConfig", "VerifierService", "expected_length", "handle",
    "response_headers", "route",
]

"""Answering a verifier's request: read it, show the learner what would be shared with whom,
then answer online (POST to the exchange) or offline (a QR code the verifier scans).

Standard: the W3C CCG Verifiable Presentation Request spec ("VPR",
https://w3c-ccg.github.io/vp-request-spec/) with its **Query By Example** query, carried by a
VC-API exchange (https://w3c-ccg.github.io/vc-api/ "Exchanges"): the verifier's QR holds the
exchange URL; ``POST <url> {}`` returns ``{"verifiablePresentationRequest": {query, challenge,
domain}}`` and ``POST <url> {"verifiablePresentation": vp}`` answers it. The request JSON itself
(a VPR, or the verifier's create-exchange answer that holds one) is read too.

Query By Example (VPR §"Query By Example"): each ``credentialQuery`` has an ``example`` whose
``@context`` and ``type`` values must all appear in a matching credential, and whose other
properties must appear with the same values (objects matched recursively, every listed array
item present); ``trustedIssuer`` entries with ``required: true`` restrict the issuer; ``reason``
is shown to the learner.

The domain the learner is shown is the one the presentation is signed for (VC Data Integrity
§2.1 "domain"). When the request came from a URL whose host differs from that domain the
preview warns: a request can name any domain, only the URL's host is where the answer goes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from credentials import describe_http_error
from wallet.store import CredentialRecord, Store

from .errors import RequestError, RequestGoneError
from .links import record_shares
from .presentation import PresentationFormat, enveloped, holder_profile, present
from .qrcodec import MAX_QR_VERSION, QrDecodeError, QrResult, decode_qr_image, encode_qr

__all__ = ["CredentialQuery", "Disclosure", "DisclosedCredential", "PresentationRequest", "QueryMatch",
           "RequestAnswer", "RequestPreview", "answer_request", "matches_example", "parse_request",
           "preview_request", "verifier_name_of"]

MAX_REQUEST_BYTES = 256 * 1024
MAX_NAME = 80
UNNAMED_VERIFIER = "a verifier that gave no name"  # a share's recipient when the request names none


@dataclass(frozen=True)
class CredentialQuery:
    example: Mapping[str, Any]
    reason: str | None = None
    required: bool = True
    trusted_issuers: tuple[str, ...] = ()  # only the entries marked required (VPR §trustedIssuer)


@dataclass(frozen=True)
class PresentationRequest:
    challenge: str
    domain: str
    queries: tuple[CredentialQuery, ...]
    exchange_url: str | None = None  # where an online answer goes; None for a request read as JSON only
    raw: Mapping[str, Any] = field(default_factory=dict)  # the verifiablePresentationRequest as received


def verifier_name_of(request: PresentationRequest) -> str:
    """The organisation name the verifier's request gives, "" when none: OpenID4VP 1.0 §5.1
    ``client_metadata``, whose ``client_name`` is RFC 7591 §2's name of the client "intended to be
    displayed to the end-user". Kept short and on one line (it is the verifier's own text)."""
    meta = request.raw.get("client_metadata")
    name = meta.get("client_name") if isinstance(meta, Mapping) else None
    return " ".join(name.split())[:MAX_NAME] if isinstance(name, str) else ""


@dataclass(frozen=True)
class Disclosure:
    path: str  # e.g. "credentialSubject.achievement.name"
    value: str  # the value as the verifier will see it (JSON for non-strings)


@dataclass(frozen=True)
class DisclosedCredential:
    credential_id: str
    name: str
    issuer: str
    fields: tuple[Disclosure, ...]  # everything in it: a signed credential is shared whole


@dataclass(frozen=True)
class QueryMatch:
    query: CredentialQuery
    credential_ids: tuple[str, ...]  # stored credentials that match, newest first


@dataclass(frozen=True)
class RequestPreview:
    verifier: str  # the domain the presentation will be signed for
    origin: str | None  # host the answer is sent to (None offline)
    holder: str  # the DID the learner presents as
    matches: tuple[QueryMatch, ...]
    selected: tuple[str, ...]  # what would be shared
    disclosed: tuple[DisclosedCredential, ...]
    warnings: tuple[str, ...] = ()

    @property
    def satisfied(self) -> bool:
        return all(not m.query.required or set(m.credential_ids) & set(self.selected) for m in self.matches)


@dataclass(frozen=True)
class RequestAnswer:
    presentation: dict[str, Any] | str
    share_id: str
    mode: Literal["online", "offline"]
    verified: bool | None = None  # the verifier's answer (online)
    result: Mapping[str, Any] | None = None  # its body: verdict, problems, errors, checks…
    qr: QrResult | None = None  # offline: the code to show


# -- reading a request ---------------------------------------------------------------------------

def _queries(query: Any) -> tuple[CredentialQuery, ...]:
    items = query if isinstance(query, list) else [query]
    out: list[CredentialQuery] = []
    for q in items:
        if not isinstance(q, dict) or q.get("type") != "QueryByExample":
            raise RequestError("The request asks with a query Satchel does not read (only QueryByExample).")
        cqs = q.get("credentialQuery")
        for cq in cqs if isinstance(cqs, list) else [cqs]:
            if not isinstance(cq, dict) or not isinstance(cq.get("example", {}), dict):
                raise RequestError("The request's credentialQuery is not an object with an example.")
            trusted = tuple(str(t.get("issuer")) for t in cq.get("trustedIssuer", []) or []
                            if isinstance(t, dict) and t.get("required") and t.get("issuer"))
            reason = cq.get("reason")
            out.append(CredentialQuery(dict(cq.get("example", {})), reason if isinstance(reason, str) else None,
                                       cq.get("required", True) is not False, trusted))
    return tuple(out)


def _from_json(doc: Mapping[str, Any], exchange_url: str | None) -> PresentationRequest:
    vpr = doc.get("verifiablePresentationRequest", doc)
    if not isinstance(vpr, dict):
        raise RequestError("The request has no verifiablePresentationRequest object.")
    url = exchange_url or (doc.get("url") if isinstance(doc.get("url"), str) else None)
    challenge, domain = vpr.get("challenge"), vpr.get("domain")
    if not isinstance(challenge, str) or not challenge:
        raise RequestError("The request has no challenge, so an answer to it could be replayed; refused.")
    if not isinstance(domain, str) or not domain:
        raise RequestError("The request does not say which domain it is for; refused.")
    return PresentationRequest(challenge, domain, _queries(vpr.get("query", [])), url, dict(vpr))


def _fetch_request(url: str, client: httpx.Client) -> PresentationRequest:
    try:
        resp = client.post(url, json={})  # VC-API: start (or re-read) the exchange
    except httpx.HTTPError as exc:
        raise RequestError(f"The verifier at {urlsplit(url).netloc} could not be reached: "
                           f"{describe_http_error(exc)}.") from None
    if resp.status_code in (404, 410):
        raise RequestGoneError("This request was already answered or has expired; ask the verifier for a new one.")
    if resp.status_code != 200 or len(resp.content) > MAX_REQUEST_BYTES:
        raise RequestError(f"The verifier answered HTTP {resp.status_code}; no request could be read.")
    try:
        doc = resp.json()
    except ValueError:
        raise RequestError("The verifier's answer is not JSON.") from None
    if not isinstance(doc, dict):
        raise RequestError("The verifier's answer is not a JSON object.")
    return _from_json(doc, url)


def parse_request(source: str | bytes | Mapping[str, Any], *, client: httpx.Client | None = None
                  ) -> PresentationRequest:
    """A verifier's request from what the wallet scanned or was given: the exchange URL (fetched
    with ``client``), the request JSON (text or parsed), or a QR picture holding either."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8") if source.lstrip()[:1] in (b"{", b"h", b"H") else decode_qr_image(source)
        except (UnicodeDecodeError, QrDecodeError) as exc:
            raise RequestError(f"No request could be read: {exc}") from None
    if isinstance(source, Mapping):
        return _from_json(source, None)
    text = source.strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            raise RequestError("The request is not valid JSON.") from None
        if not isinstance(doc, dict):
            raise RequestError("The request is not a JSON object.")
        return _from_json(doc, None)
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        if client is None:
            raise RequestError("Reading a request from its URL needs the network; no client was given.")
        return _fetch_request(text, client)
    raise RequestError("This is not a verifier's request (an exchange URL or its JSON).")


# -- matching and preview ------------------------------------------------------------------------

def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _value_matches(example: Any, actual: Any) -> bool:
    if isinstance(example, dict):
        candidates = actual if isinstance(actual, list) else [actual]
        return any(isinstance(c, dict) and all(_value_matches(v, c.get(k)) for k, v in example.items())
                   for c in candidates)
    if isinstance(example, list):
        return all(any(_value_matches(e, a) for a in _as_list(actual)) for e in example)
    if isinstance(actual, list):
        return example in actual
    return bool(example == actual)


def _issuer_id(cred: Mapping[str, Any]) -> str:
    issuer = cred.get("issuer")
    return str(issuer.get("id", "")) if isinstance(issuer, dict) else str(issuer or "")


def matches_example(credential: Mapping[str, Any], query: CredentialQuery) -> bool:
    """VPR Query By Example, as described in the module docstring."""
    example = query.example
    for name in ("@context", "type"):
        if not set(map(str, _as_list(example.get(name)))) <= set(map(str, _as_list(credential.get(name)))):
            return False
    if query.trusted_issuers and _issuer_id(credential) not in query.trusted_issuers:
        return False
    return all(_value_matches(v, credential.get(k)) for k, v in example.items() if k not in ("@context", "type"))


def _subjects(credential: Mapping[str, Any]) -> set[str]:
    subject = credential.get("credentialSubject")
    return {str(s["id"]) for s in _as_list(subject) if isinstance(s, dict) and isinstance(s.get("id"), str)}


def _credential_of(record: CredentialRecord) -> Mapping[str, Any]:
    return record.credential or {}


def _flatten(node: Any, path: str, out: list[Disclosure]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("proof", "@context"):
                continue
            _flatten(value, f"{path}.{key}" if path else key, out)
    elif isinstance(node, list) and any(isinstance(v, dict | list) for v in node):
        for n, value in enumerate(node):
            _flatten(value, f"{path}[{n}]", out)
    else:
        out.append(Disclosure(path, node if isinstance(node, str) else json.dumps(node, ensure_ascii=False)))


def disclosed(record: CredentialRecord) -> DisclosedCredential:
    fields: list[Disclosure] = []
    _flatten(_credential_of(record), "", fields)
    return DisclosedCredential(record.id, record.summary.name, record.summary.issuer, tuple(fields))


def preview_request(store: Store, request: PresentationRequest, *, credential_ids: Iterable[str] | None = None,
                    profile_id: str | None = None) -> RequestPreview:
    """What answering would share and with whom. Without ``credential_ids`` the newest matching
    credential of each query is selected."""
    profile = holder_profile(store, profile_id)
    # A credential issued to another DID would fail the verifier's holder binding
    # (holder-mismatch), so it is never offered as a match.
    records = [r for r in store.iter_credentials() if r.credential is not None
               and _subjects(r.credential) <= {profile.did}]
    matches = tuple(QueryMatch(q, tuple(r.id for r in reversed(records)
                                        if r.credential is not None and matches_example(r.credential, q)))
                    for q in request.queries)
    if credential_ids is None:
        chosen = [m.credential_ids[0] for m in matches if m.credential_ids]
    else:
        chosen = list(credential_ids)
    selected = tuple(dict.fromkeys(chosen))
    warnings: list[str] = []
    origin = urlsplit(request.exchange_url).hostname if request.exchange_url else None
    if origin is not None and origin != request.domain:
        warnings.append(f"The request says it is for {request.domain}, but it came from {origin}; "
                        "answer only if you trust both.")
    if request.exchange_url and urlsplit(request.exchange_url).scheme != "https" \
            and origin not in ("127.0.0.1", "localhost", "::1"):
        warnings.append("The request did not come over a secure connection (https).")
    for m in matches:
        if m.query.required and not set(m.credential_ids) & set(selected):
            warnings.append("Nothing in your wallet matches: " + (m.query.reason or "a requested credential") + ".")
    unmatched = [cid for cid in selected if not any(cid in m.credential_ids for m in matches)]
    if unmatched and matches:
        warnings.append(f"{len(unmatched)} chosen credential(s) were not asked for; they will be shared too.")
    by_id = {r.id: r for r in records}
    shown = tuple(disclosed(by_id[cid] if cid in by_id else store.get_credential(cid)) for cid in selected)
    return RequestPreview(request.domain, origin, profile.did, matches, selected, shown, tuple(warnings))


# -- answering -----------------------------------------------------------------------------------

def answer_request(store: Store, request: PresentationRequest, credential_ids: Iterable[str], *,
                   client: httpx.Client | None = None, offline: bool = False, profile_id: str | None = None,
                   fmt: PresentationFormat = "ldp", max_version: int = MAX_QR_VERSION) -> RequestAnswer:
    """Sign a presentation for the request's challenge and domain and deliver it: POST to the
    exchange (online, needs ``client``), or a QR code for the verifier to scan (``offline``).
    The share is recorded in the history either way (recipient = the request's domain)."""
    ids = list(dict.fromkeys(credential_ids))
    vp = present(store, ids, profile_id=profile_id, challenge=request.challenge, domain=request.domain, fmt=fmt)
    details: dict[str, Any] = {"channel": "request", "domain": request.domain, "challenge": request.challenge,
                               "format": fmt}
    recipient = verifier_name_of(request) or UNNAMED_VERIFIER  # the address stays in the details
    if offline or request.exchange_url is None:
        payload = enveloped(vp, "vp") if isinstance(vp, str) else vp
        qr = encode_qr(payload, max_version=max_version)
        entries = record_shares(store, ids, recipient, expires=None,
                                details={**details, "kind": "code", "qr_version": qr.version})
        return RequestAnswer(vp, entries[0].id, "offline", qr=qr)
    if client is None:
        raise RequestError("Answering online needs the network; no client was given.")
    try:
        resp = client.post(request.exchange_url, json={"verifiablePresentation": vp})
    except httpx.HTTPError as exc:
        raise RequestError(f"The verifier could not be reached ({describe_http_error(exc)}); "
                           "try again, or answer with a QR code.") from None
    try:
        body = resp.json()
    except ValueError:
        body = None
    if resp.status_code in (404, 410) and not (isinstance(body, dict) and "verdict" in body):
        raise RequestGoneError("This request was already answered or has expired; ask the verifier for a new one.")
    if not isinstance(body, dict) or resp.status_code not in (200, 400):
        raise RequestError(f"The verifier answered HTTP {resp.status_code} without a verification result.")
    entries = record_shares(store, ids, recipient, expires=None,
                            details={**details, "kind": "exchange", "exchange_url": request.exchange_url,
                                     "verified": bool(body.get("verified"))})
    return RequestAnswer(vp, entries[0].id, "online", bool(body.get("verified")), body)

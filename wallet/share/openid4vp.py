"""Answering an OpenID4VP 1.0 request (final, https://openid.net/specs/openid-4-verifiable-presentations-1_0.html):
the wallet side, with DCQL queries.

    link = parse_openid4vp_link("openid4vp://?client_id=…&request_uri=…")
    request = read_openid4vp_request(link, client=client)           # fetched, signature checked
    preview = preview_openid4vp(store, request)                      # who asks, exactly what is sent
    answer = answer_openid4vp(store, request, client=client, withheld={"badge": {2}})

Reading (§5): a link ``openid4vp://?client_id=…&request_uri=…`` (``request_uri_method=post`` too,
§5.10), or the request by value (``request=`` a JWT; plain parameters for ``redirect_uri:``). The
Request Object (RFC 9101, ``application/oauth-authz-req+jwt``) is checked per the Client
Identifier Prefix (§5.9.3):

* ``decentralized_identifier:<did>``: signed by a key of that DID (``kid`` a DID URL of it),
  resolved by the engine through the wallet's HTTP client; **confirmed**.
* ``x509_san_dns:<name>``: signed by the key of the leaf certificate in ``x5c``, whose
  subjectAltName dNSName is ``<name>``; each certificate issued by the next. The chain is
  **confirmed** only when one of its certificates has a SHA-256 fingerprint the learner's
  settings trust; otherwise the verifier's name is shown as *unconfirmed* (a self-signed
  certificate proves nothing about who made it), and the answer may only go to ``<name>``.
* ``redirect_uri:<uri>``: unsigned (§5.9.3: no key to check); ``response_uri`` must be
  ``<uri>``; shown as *unconfirmed*, with the address the answer goes to.

Answering (§8): ``vp_token`` is a JSON object keyed by Credential Query id, each an array of
presentations (§8.1): ``ldp_vc`` a VP with a Data Integrity proof whose ``challenge`` is the nonce
and ``domain`` the client_id (B.1.3.2.5); ``jwt_vc_json`` a VP-JWT with ``nonce`` and ``aud`` =
client_id (B.1.3.1.5); ``dc+sd-jwt`` only the Disclosures of the claims asked for and a Key
Binding JWT with ``aud`` = client_id, ``nonce`` and ``sd_hash`` (B.3.6). An ecdsa-sd-2023 base
credential goes as a derived proof disclosing what was asked. It is sent by ``direct_post``
(§8.2, a form POST to ``response_uri``) or ``direct_post.jwt`` (§8.3, the same parameters in a
JWE encrypted with ECDH-ES to the verifier's key from ``client_metadata.jwks``). A
``redirect_uri`` in the verifier's reply (§8.2: the wallet MUST send the learner's browser there)
is kept only when it is a web page (https; http on the loopback) and opened by the app, not here.
"""

from __future__ import annotations

import json
import uuid
from base64 import b64decode
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey

from credentials import (
    CandidateMatch,
    CredentialQuery,
    DcqlCandidate,
    DcqlQuery,
    Fetcher,
    SatchelError,
    b64url_decode,
    b64url_encode,
    describe_http_error,
    json_pointer_of,
    match_dcql,
    parse_compact_jws,
    parse_dcql_query,
    parse_input,
    present_sd_jwt,
    public_key_to_jwk,
    resolve_verification_method,
    sd_jwt_candidate,
    sd_jwt_disclosures_for,
    sign_jws,
    verify_jws_signature,
    w3c_candidate,
)
from wallet.store import CredentialRecord, HolderProfile, Store

from .errors import RequestError, RequestGoneError
from .links import record_shares
from .presentation import holder_profile, present
from .request import UNNAMED_VERIFIER

__all__ = [
    "ClaimLine", "CredentialChoice", "OpenId4VpAnswer", "OpenId4VpLink", "OpenId4VpPreview", "OpenId4VpRequest",
    "VerifierIdentity", "answer_openid4vp", "is_openid4vp_link", "parse_openid4vp_link", "preview_openid4vp",
    "read_openid4vp_request",
]

SCHEMES = ("openid4vp", "haip-vp", "eudi-openid4vp")  # §13.1 and the profiles' custom schemes
PREFIXES = ("decentralized_identifier", "x509_san_dns", "redirect_uri")
RESPONSE_MODES = ("direct_post", "direct_post.jwt")
ENC_SUPPORTED = ("A128GCM", "A256GCM")
MAX_LINK = 16 * 1024
MAX_REQUEST_BYTES = 256 * 1024
MAX_X5C = 5
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"  # RFC 9101 §10.8
JWT_LIFETIME = timedelta(minutes=10)
# §10.1 wallet_metadata (request_uri_method=post): what this wallet can answer.
WALLET_METADATA: dict[str, Any] = {
    "vp_formats_supported": {"dc+sd-jwt": {"kb-jwt_alg_values": ["EdDSA"]}, "jwt_vc_json": {"alg_values": ["EdDSA"]},
                             "ldp_vc": {"proof_type_values": ["DataIntegrityProof"],
                                        "cryptosuite_values": ["eddsa-rdfc-2022"]}},
    "client_id_prefixes_supported": list(PREFIXES),
    "request_object_signing_alg_values_supported": ["ES256", "ES384", "EdDSA", "RS256", "PS256"],
    "response_modes_supported": list(RESPONSE_MODES),
}


class _Jws(Protocol):
    """What the engine's parse_compact_jws gives (RFC 7515 §7.1)."""

    @property
    def header(self) -> dict[str, Any]: ...
    @property
    def payload(self) -> bytes: ...
    @property
    def signing_input(self) -> bytes: ...
    @property
    def signature(self) -> bytes: ...


# -- what the learner sees ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenId4VpLink:
    """The parameters of an ``openid4vp://`` link (or of a request passed by value)."""

    params: Mapping[str, str]

    @property
    def client_id(self) -> str:
        return self.params.get("client_id", "")


@dataclass(frozen=True)
class VerifierIdentity:
    client_id: str  # as the verifier sent it, prefix included
    prefix: str
    name: str | None  # client_metadata.client_name (§5.1), as the verifier calls itself
    confirmed: bool  # a signature the wallet could tie to that identity
    how: str  # one sentence: why it is (or is not) confirmed
    address: str  # the host the answer goes to

    @property
    def shown_name(self) -> str:
        """Its name, else its host (for the command line, where addresses are at home)."""
        return self.name or urlsplit(self.address).hostname or self.address

    @property
    def named(self) -> str:
        """Its name, else words saying it gave none (for screens and the share history: the address is
        a detail, not who is asking)."""
        return self.name or UNNAMED_VERIFIER


@dataclass(frozen=True)
class OpenId4VpRequest:
    """A verified Authorization Request (§5.1)."""

    verifier: VerifierIdentity
    nonce: str
    state: str | None
    response_mode: str
    response_uri: str
    query: DcqlQuery
    encryption_jwk: Mapping[str, Any] | None  # the verifier's key for direct_post.jwt (§8.3)
    encryption_enc: str
    params: Mapping[str, Any]  # the request's parameters as read

    @property
    def client_id(self) -> str:
        return self.verifier.client_id


@dataclass(frozen=True)
class ClaimLine:
    index: int  # the claim's position in its Credential Query (what ``withheld`` names)
    label: str  # where it is: "credentialSubject.achievement.name"
    value: str  # what the verifier would read
    optional: bool  # the learner may untick it and the request can still be answered


@dataclass(frozen=True)
class CredentialChoice:
    """The answer to one Credential Query: which badge, and exactly which of its claims go."""

    query_id: str
    format: str
    credential_id: str | None  # None: nothing in the wallet answers it
    name: str
    issuer: str
    claims: tuple[ClaimLine, ...]
    whole: bool  # sent whole (no selective disclosure): the verifier sees everything in it
    required: bool
    alternatives: tuple[str, ...] = ()  # other badges that answer it
    always: tuple[str, ...] = ()  # what goes whatever is unticked (claims in the clear, mandatory ones)


@dataclass(frozen=True)
class OpenId4VpPreview:
    request: OpenId4VpRequest
    holder: str
    choices: tuple[CredentialChoice, ...]
    satisfied: bool
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenId4VpAnswer:
    vp_token: Mapping[str, list[Any]]
    share_id: str
    status: int  # the verifier's HTTP status
    redirect_uri: str | None  # §8.2: the web page the verifier sends the learner's browser to next
    body: Mapping[str, Any] | None


# -- reading the link ---------------------------------------------------------------------------------


def is_openid4vp_link(text: str) -> bool:
    """Whether ``text`` is an OpenID4VP request link (custom scheme, or any URL with ``client_id``
    and a request or ``response_type=vp_token``)."""
    parts = urlsplit(text.strip())
    if parts.scheme.lower() in SCHEMES:
        return True
    if parts.scheme.lower() not in ("http", "https"):
        return False
    names = {k for k, _ in parse_qsl(parts.query)}
    return "client_id" in names and bool(names & {"request_uri", "request", "dcql_query"})


def parse_openid4vp_link(text: str) -> OpenId4VpLink:
    """The parameters of a request link (§5: the Authorization Request as URL query parameters)."""
    text = text.strip()
    if len(text) > MAX_LINK:
        raise RequestError("The request link is too long to be a verifier's request.")
    if not is_openid4vp_link(text):
        raise RequestError("This is not an OpenID4VP request link (openid4vp://…).")
    pairs = parse_qsl(urlsplit(text).query, keep_blank_values=True)
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:  # RFC 6749 §3.1: parameters MUST NOT be included more than once
            raise RequestError(f"The request link gives {name} twice; refused.")
        params[name] = value
    if not params.get("client_id"):
        raise RequestError("The request link does not say which verifier it is from (no client_id).")
    return OpenId4VpLink(params)


# -- fetching and checking the request (§5.7, §5.9, §5.10) ---------------------------------------------


def _prefix_of(client_id: str) -> tuple[str, str]:
    prefix, _, value = client_id.partition(":")
    if prefix not in PREFIXES or not value:
        raise RequestError(f"The verifier names itself in a way Satchel does not check ({prefix or client_id!r}); "
                           "Satchel answers verifiers known by a DID, an X.509 certificate or their web address.")
    return prefix, value


def _is_loopback(host: str | None) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def _check_https(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return  # a verifier on this machine (demos, tests)
    raise RequestError(f"The verifier's {what} is not a secure web address (https); refused.")


def _read_body(resp: httpx.Response, what: str) -> str:
    if resp.status_code in (404, 410):
        raise RequestGoneError("This request was already answered or has expired; ask the verifier for a new one.")
    if resp.status_code != 200:
        raise RequestError(f"The verifier answered HTTP {resp.status_code} when asked for {what}.")
    if len(resp.content) > MAX_REQUEST_BYTES:
        raise RequestError(f"The verifier's {what} is larger than {MAX_REQUEST_BYTES // 1024} KB; refused.")
    try:
        return resp.content.decode("ascii").strip()
    except UnicodeDecodeError:
        raise RequestError(f"The verifier's {what} is not a signed request (RFC 9101).") from None


def _fetch_request_object(link: OpenId4VpLink, client: httpx.Client, wallet_nonce: str) -> str:
    uri = link.params["request_uri"]
    _check_https(uri, "request address")
    method = link.params.get("request_uri_method", "get")
    headers = {"accept": "application/oauth-authz-req+jwt"}
    try:
        if method == "post":  # §5.10: the wallet posts its metadata and a nonce the request must echo
            resp = client.post(uri, headers=headers, data={"wallet_metadata": json.dumps(WALLET_METADATA),
                                                           "wallet_nonce": wallet_nonce})
        elif method == "get":
            resp = client.get(uri, headers=headers)
        else:
            raise RequestError(f"The request asks to be fetched by {method!r}, which is neither get nor post.")
    except httpx.HTTPError as exc:
        raise RequestError(f"The verifier at {urlsplit(uri).netloc} could not be reached: "
                           f"{describe_http_error(exc)}.") from None
    return _read_body(resp, "request")


def _claims_of(jws: _Jws) -> dict[str, Any]:
    try:
        claims = json.loads(jws.payload)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise RequestError("The verifier's signed request does not hold JSON.") from None
    if not isinstance(claims, dict):
        raise RequestError("The verifier's signed request does not hold a JSON object.")
    return claims


def _parse_jwt(text: str) -> tuple[_Jws | None, dict[str, Any]]:
    """A Request Object: a JWS, or an unsecured JWT (``alg: none``, RFC 7519 §6) for redirect_uri."""
    parts = text.split(".")
    if len(parts) == 3 and parts[2] == "":
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
        except (SatchelError, ValueError, RecursionError):
            raise RequestError("The verifier's request is not a JWT.") from None
        if not isinstance(header, dict) or header.get("alg") != "none" or not isinstance(claims, dict):
            raise RequestError("The verifier's request is neither signed nor a plain unsecured JWT.")
        return None, claims
    try:
        jws = parse_compact_jws(text)
    except SatchelError as exc:
        raise RequestError(f"The verifier's request is not a signed JWT ({exc}).") from None
    typ = jws.header.get("typ")
    if typ is not None and typ not in (REQUEST_OBJECT_TYPE, "JWT"):
        raise RequestError(f"The verifier's signed request has type {typ!r}, not {REQUEST_OBJECT_TYPE}.")
    return jws, _claims_of(jws)


@dataclass(frozen=True)
class _Trust:
    confirmed: bool
    how: str


def _check_did(jws: _Jws | None, did: str, fetcher: Fetcher) -> _Trust:
    if jws is None:
        raise RequestError("The request names a DID as its verifier but is not signed; refused.")
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or not kid.startswith(did + "#"):  # §5.9.3: kid a DID URL of that DID
        raise RequestError(f"The request is signed with a key that is not one of {did}'s; refused.")
    try:
        method = resolve_verification_method(kid, fetcher)
    except SatchelError as exc:
        raise RequestError(f"The verifier's key {kid} could not be found ({exc}).") from None
    if method.controller != did:
        raise RequestError(f"The key {kid} is controlled by {method.controller}, not by {did}; refused.")
    _verify_signature(jws, method.public_key)
    return _Trust(True, f"Signed by {did}.")


def _verify_signature(jws: _Jws, public_key: Any) -> None:
    alg = jws.header.get("alg")
    try:
        good = isinstance(alg, str) and verify_jws_signature(alg, jws.signing_input, jws.signature, public_key)
    except SatchelError:
        good = False
    if not good:
        raise RequestError("The request's signature does not match the verifier it names; it may have been "
                           "altered, so it was refused.")


def _certificates(jws: _Jws) -> list[x509.Certificate]:
    x5c = jws.header.get("x5c")
    if not isinstance(x5c, list) or not x5c or len(x5c) > MAX_X5C or not all(isinstance(c, str) for c in x5c):
        raise RequestError("The request names an X.509 certificate but carries no usable x5c chain.")
    try:
        return [x509.load_der_x509_certificate(b64decode(c, validate=True)) for c in x5c]  # RFC 7515 §4.1.6
    except ValueError:
        raise RequestError("A certificate in the request's x5c chain cannot be read.") from None


def _dns_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(n) for n in san.get_values_for_type(x509.DNSName)]


def _check_chain(chain: list[x509.Certificate], now: datetime) -> None:
    for cert in chain:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise RequestError("The verifier's certificate is expired or not yet valid; refused.")
    for cert, issuer in zip(chain, chain[1:], strict=False):
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise RequestError("The verifier's certificate chain does not hold together; refused.") from None


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _check_x509(jws: _Jws | None, name: str, trusted: Collection[str], now: datetime) -> _Trust:
    if jws is None:
        raise RequestError("The request names an X.509 certificate as its verifier but is not signed; refused.")
    chain = _certificates(jws)
    if name not in _dns_names(chain[0]):  # §5.9.3: a dNSName SAN of the leaf is the client id
        raise RequestError(f"The request's certificate is not for {name}; refused.")
    _check_chain(chain, now)
    _verify_signature(jws, chain[0].public_key())
    wanted = {t.lower().replace(":", "") for t in trusted}
    if any(_fingerprint(c) in wanted for c in chain):
        return _Trust(True, f"Its certificate for {name} is one your wallet trusts.")
    return _Trust(False, f"Signed with a certificate for {name} that your wallet does not know; it cannot "
                         "confirm who made it.")


def _check_redirect_uri(value: str, response_uri: str) -> _Trust:
    if response_uri != value:  # §5.9.3: the answer may only go to the address the client id names
        raise RequestError("The request says it is from one address but sends the answer to another; refused.")
    return _Trust(False, "The request is not signed; only the address the answer goes to is known.")


def _request_params(link: OpenId4VpLink, client: httpx.Client | None, wallet_nonce: str
                    ) -> tuple[_Jws | None, dict[str, Any], bool]:
    """The request's parameters (signed or not) and whether they came in a Request Object."""
    if "request_uri" in link.params:
        if client is None:
            raise RequestError("Reading this request needs the network; no client was given.")
        jws, claims = _parse_jwt(_fetch_request_object(link, client, wallet_nonce))
        if link.params.get("request_uri_method") == "post" and claims.get("wallet_nonce") != wallet_nonce:
            raise RequestError("The verifier's request does not echo this wallet's nonce; it may be replayed.")
        return jws, claims, True
    if "request" in link.params:
        jws, claims = _parse_jwt(link.params["request"])
        return jws, claims, True
    return None, dict(link.params), False


def _json_param(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):  # as a URL parameter, a JSON value is its text (§5.1)
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            raise RequestError(f"The request's {name} is not JSON.") from None
    return value


def _string_param(params: Mapping[str, Any], name: str, sentence: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise RequestError(sentence)
    return value


def _check_expiry(params: Mapping[str, Any], now: datetime) -> None:
    exp = params.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and exp < now.timestamp():
        raise RequestGoneError("This request has expired; ask the verifier for a new one.")


def _encryption(metadata: Mapping[str, Any], mode: str) -> tuple[Mapping[str, Any] | None, str]:
    if mode != "direct_post.jwt":
        return None, ENC_SUPPORTED[0]
    offered = metadata.get("encrypted_response_enc_values_supported", ["A128GCM"])  # §8.3: A128GCM by default
    enc = next((e for e in offered if e in ENC_SUPPORTED), None) if isinstance(offered, list) else None
    if enc is None:
        raise RequestError("The verifier wants its answer encrypted in a way Satchel cannot (A128GCM or A256GCM).")
    jwks = metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    for key in keys if isinstance(keys, list) else []:
        if isinstance(key, dict) and key.get("use", "enc") == "enc" and key.get("alg", "ECDH-ES") == "ECDH-ES" \
                and (key.get("kty"), key.get("crv")) in (("EC", "P-256"), ("EC", "P-384"), ("OKP", "X25519")):
            return key, enc
    raise RequestError("The verifier wants an encrypted answer but gives no key Satchel can encrypt to (ECDH-ES).")


def _dcql(params: Mapping[str, Any]) -> DcqlQuery:
    if "presentation_definition" in params and "dcql_query" not in params:
        raise RequestError("The verifier asks with a Presentation Exchange definition; Satchel answers DCQL "
                           "queries (OpenID4VP 1.0).")
    try:
        return parse_dcql_query(_json_param(params, "dcql_query"))
    except SatchelError as exc:
        raise RequestError(f"The verifier's query cannot be read: {exc}.") from None


def _identity(prefix: str, value: str, jws: _Jws | None, response_uri: str, *, fetcher: Fetcher,
              trusted: Collection[str], now: datetime) -> _Trust:
    if prefix == "decentralized_identifier":
        return _check_did(jws, value, fetcher)
    if prefix == "x509_san_dns":
        trust = _check_x509(jws, value, trusted, now)
        if not trust.confirmed and urlsplit(response_uri).hostname != value:
            raise RequestError(f"The request's certificate is for {value}, but the answer would go to "
                               f"{urlsplit(response_uri).hostname}; refused.")
        return trust
    return _check_redirect_uri(value, response_uri)


def read_openid4vp_request(link: OpenId4VpLink | str, *, client: httpx.Client | None = None,
                           fetcher: Fetcher | None = None, trusted_certificates: Collection[str] = (),
                           now: datetime | None = None) -> OpenId4VpRequest:
    """The verifier's request, fetched (``request_uri``, with ``client``) and checked per its Client
    Identifier Prefix (module docstring). ``trusted_certificates``: SHA-256 fingerprints (hex) of
    X.509 certificates the learner trusts. Raises RequestError / RequestGoneError with a sentence."""
    link = parse_openid4vp_link(link) if isinstance(link, str) else link
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    prefix, value = _prefix_of(link.client_id)
    jws, params, by_reference = _request_params(link, client, uuid.uuid4().hex)
    if by_reference and params.get("client_id") != link.client_id:  # RFC 9101 §5: the two must agree
        raise RequestError("The signed request names a different verifier than its link; refused.")
    if not by_reference and prefix != "redirect_uri":
        raise RequestError("The request is not signed, yet names a verifier only a signature could show; refused.")
    _check_expiry(params, moment)
    if params.get("response_type") != "vp_token":
        raise RequestError("The request does not ask for credentials (response_type is not vp_token).")
    mode = params.get("response_mode", "fragment")
    if mode not in RESPONSE_MODES:
        raise RequestError(f"The request wants its answer by {mode!r}; Satchel answers by direct_post.")
    response_uri = _string_param(params, "response_uri", "The request does not say where to send the answer.")
    _check_https(response_uri, "answer address")
    nonce = _string_param(params, "nonce", "The request has no nonce, so an answer to it could be replayed; refused.")
    state = params.get("state")
    if state is not None and not isinstance(state, str):
        raise RequestError("The request's state is not text.")
    metadata = _json_param(params, "client_metadata") or {}
    if not isinstance(metadata, dict):
        raise RequestError("The request's client_metadata is not a JSON object.")
    trust = _identity(prefix, value, jws, response_uri, fetcher=fetcher or Fetcher(client),
                      trusted=trusted_certificates, now=moment)
    name = metadata.get("client_name")
    identity = VerifierIdentity(link.client_id, prefix, name if isinstance(name, str) and name.strip() else None,
                                trust.confirmed, trust.how, response_uri)
    jwk, enc = _encryption(metadata, mode)
    return OpenId4VpRequest(identity, nonce, state, mode, response_uri, _dcql(params), jwk, enc, params)


# -- what in the wallet answers (§6.4, via the engine's DCQL matching) --------------------------------


@dataclass(frozen=True)
class _Held:
    record: CredentialRecord
    candidate: DcqlCandidate
    text: str | None = None  # an SD-JWT as issued, or a VC-JWT's compact form


def _compact(parsed: Any) -> str:
    return str(parsed.jws.signing_input.decode("ascii") + "." + b64url_encode(parsed.jws.signature))


def _subjects_are(doc: Mapping[str, Any], did: str) -> bool:
    subject = doc.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return all(not isinstance(s, dict) or s.get("id") in (None, did) for s in subjects)


def _bound_to(claims: Mapping[str, Any], holder_jwk: Mapping[str, Any], did: str) -> bool:
    """SD-JWT VC §3.2.2.2 ``cnf``: the holder key the Key Binding JWT must be signed with."""
    cnf = claims.get("cnf")
    if not isinstance(cnf, dict):
        return False
    jwk = cnf.get("jwk")
    if isinstance(jwk, dict):
        return all(jwk.get(k) == holder_jwk.get(k) for k in ("kty", "crv", "x"))
    kid = cnf.get("kid")
    return isinstance(kid, str) and kid.split("#")[0] == did


def _held_one(record: CredentialRecord, profile: HolderProfile, holder_jwk: Mapping[str, Any],
              formats: Collection[str]) -> _Held | None:
    try:
        parsed = parse_input(record.original)
        if _FORMATS.get(parsed.format) not in formats:
            return None  # not asked for: not read further (a W3C candidate costs a JSON-LD expansion)
        if parsed.format == "sd-jwt" and parsed.sd_jwt is not None and parsed.sd_jwt.kb_jwt is None:
            text = record.original.decode("ascii").strip()
            candidate = sd_jwt_candidate(record.id, text)
            # one bound to another key could not carry this wallet's key binding (B.3.6)
            return _Held(record, candidate, text) if _bound_to(candidate.claims, holder_jwk, profile.did) else None
        if parsed.format == "vc-jwt" and parsed.document is not None and parsed.jws is not None:
            vc = parsed.document.get("vc", parsed.document)  # VC-JWT 1.1 §6.3.1: the credential is its vc claim
            if isinstance(vc, dict) and _subjects_are(vc, profile.did):
                return _Held(record, w3c_candidate(record.id, "jwt_vc_json", vc), _compact(parsed))
        if parsed.format == "vc" and parsed.document is not None and "proof" in parsed.document \
                and _subjects_are(parsed.document, profile.did):
            return _Held(record, w3c_candidate(record.id, "ldp_vc", parsed.document))
    except (SatchelError, UnicodeDecodeError):
        return None
    return None  # an Open Badges 2.0 badge has no holder binding: no OpenID4VP format carries it


# the engine's reading of a stored credential -> the DCQL format identifier it is presented as (Annex B)
_FORMATS = {"sd-jwt": "dc+sd-jwt", "vc-jwt": "jwt_vc_json", "vc": "ldp_vc"}


def _held(store: Store, profile: HolderProfile, formats: Collection[str]) -> dict[str, _Held]:
    holder_jwk = public_key_to_jwk(store.signing_key(profile.id))
    out: dict[str, _Held] = {}
    for record in reversed(list(store.iter_credentials())):  # newest first: the default choice
        held = _held_one(record, profile, holder_jwk, formats)
        if held is not None:
            out[record.id] = held
    return out


def _label(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _value_at(claims: Any, path: tuple[str | int, ...]) -> str:
    node = claims
    for part in path:
        node = node[part]
    text = node if isinstance(node, str) else json.dumps(node, ensure_ascii=False)
    return text if len(text) <= 200 else text[:199] + "…"


_STRUCTURAL = ("type", "issuer", "validFrom", "issuanceDate", "validUntil", "expirationDate")


def _always_sent(held: _Held) -> tuple[str, ...]:
    """What goes whatever the learner unticks: for SD-JWT the claims in the clear, for an
    ecdsa-sd-2023 base credential the issuer's mandatory claims and what identifies the badge."""
    disclosable = held.candidate.disclosable or frozenset()
    skip = {"@context", "proof", "_sd_alg", "cnf"}
    return tuple(k for k in held.candidate.claims if k not in skip and (k,) not in disclosable) + tuple(
        k for k in _STRUCTURAL if (k,) in disclosable and held.candidate.format == "ldp_vc")


@dataclass(frozen=True)
class _Planned:
    query: CredentialQuery
    held: _Held | None
    match: CandidateMatch | None
    withheld: frozenset[int]

    @property
    def answerable(self) -> bool:
        return self.match is not None and self.match.choose(self.withheld) is not None


def _choice(plan: _Planned, alternatives: tuple[str, ...], required: bool) -> CredentialChoice:
    if plan.held is None or plan.match is None:
        return CredentialChoice(plan.query.id, plan.query.format, None, "", "", (), False, required)
    chosen = plan.match.choose(plan.withheld) or plan.match.claims
    claims = plan.held.candidate.claims
    lines = tuple(ClaimLine(m.index, _label(p), _value_at(claims, p), m.optional) for m in chosen for p in m.selected)
    record = plan.held.record
    return CredentialChoice(plan.query.id, plan.query.format, record.id, record.summary.name, record.summary.issuer,
                            lines, plan.held.candidate.disclosable is None, required, alternatives,
                            _always_sent(plan.held))


def _required_ids(query: DcqlQuery) -> set[str]:
    if query.credential_sets is None:
        return {c.id for c in query.credentials}
    return {i for s in query.credential_sets if s.required for o in s.options for i in o}


def _plan(store: Store, request: OpenId4VpRequest, profile: HolderProfile, chosen: Mapping[str, str],
          withheld: Mapping[str, Iterable[int]], declined: Collection[str]
          ) -> tuple[list[tuple[_Planned, tuple[str, ...], bool]], bool]:
    held = _held(store, profile, {c.format for c in request.query.credentials})
    match = match_dcql(request.query, [h.candidate for h in held.values()])
    required = _required_ids(request.query)
    plans = []
    for query_id in match.answer:
        if query_id in declined and query_id not in required:
            continue
        found = match.for_query(query_id).candidates
        pick = next((c for c in found if c.key == chosen.get(query_id)), found[0] if found else None)
        plan = _Planned(request.query.credential(query_id), held[pick.key] if pick else None, pick,
                        frozenset(withheld.get(query_id, ())))
        plans.append((plan, tuple(c.key for c in found if pick is None or c.key != pick.key), query_id in required))
    satisfied = match.satisfied and all(p.answerable for p, _, r in plans if r)
    return plans, satisfied


def preview_openid4vp(store: Store, request: OpenId4VpRequest, *, chosen: Mapping[str, str] | None = None,
                      withheld: Mapping[str, Iterable[int]] | None = None, declined: Collection[str] = (),
                      profile_id: str | None = None) -> OpenId4VpPreview:
    """What answering would send and to whom: per Credential Query the badge chosen (``chosen``:
    query id -> credential id; the newest matching one by default) and each claim that goes, minus
    the optional ones the learner unticked (``withheld``: query id -> claim indexes)."""
    profile = holder_profile(store, profile_id)
    plans, satisfied = _plan(store, request, profile, chosen or {}, withheld or {}, declined)
    choices = tuple(_choice(p, alternatives, required) for p, alternatives, required in plans)
    warnings: list[str] = []
    if not request.verifier.confirmed:
        warnings.append(request.verifier.how + " Answer only if you expected this request.")
    for (plan, _, required), choice in zip(plans, choices, strict=True):
        if choice.credential_id is None and required:
            warnings.append("Nothing in your wallet answers what the verifier asks for.")
        elif required and not plan.answerable:
            warnings.append(f"Without the claims you left out, {choice.name} no longer answers the request.")
        if choice.whole and choice.credential_id is not None:
            warnings.append(f"{choice.name} is sent whole: the verifier sees everything in it, not only what it asked.")
    return OpenId4VpPreview(request, profile.did, choices, satisfied, tuple(dict.fromkeys(warnings)))


# -- the vp_token (§8.1, Annex B) ---------------------------------------------------------------------


def _sd_pointers(held: _Held, paths: Iterable[tuple[str | int, ...]]) -> list[str]:
    # What identifies the badge and binds it to the holder goes too: a VC needs its type and
    # issuer (VCDM 2.0 §4.5, §4.7), the holder binding its subject's id.
    claims = held.candidate.claims
    structural: list[tuple[str | int, ...]] = [(k,) for k in _STRUCTURAL if k in claims]
    subject = claims.get("credentialSubject")
    if isinstance(subject, dict) and "id" in subject:
        structural.append(("credentialSubject", "id"))
    disclosable = held.candidate.disclosable or frozenset()
    wanted = [p for p in [*structural, *paths] if any(p[:n] in disclosable for n in range(1, len(p) + 1))]
    return list(dict.fromkeys(json_pointer_of(p) for p in wanted))


def _jwt_vc_presentation(store: Store, profile: HolderProfile, compact: str, request: OpenId4VpRequest,
                         moment: datetime) -> str:
    """B.1.3.1.5 / VC-JWT 1.1 §6.3.1: a VP-JWT holding the credential's JWT, ``nonce`` and ``aud``."""
    vp = {"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["VerifiablePresentation"],
          "holder": profile.did, "verifiableCredential": [compact]}
    claims = {"iss": profile.did, "aud": request.client_id, "nonce": request.nonce, "jti": f"urn:uuid:{uuid.uuid4()}",
              "iat": int(moment.timestamp()), "nbf": int(moment.timestamp()),
              "exp": int((moment + JWT_LIFETIME).timestamp()), "vp": vp}
    header = {"alg": "EdDSA", "typ": "JWT", "kid": profile.verification_method}
    return sign_jws(header, json.dumps(claims, separators=(",", ":")).encode("utf-8"), store.signing_key(profile.id))


def _presentation(store: Store, profile: HolderProfile, request: OpenId4VpRequest, plan: _Planned,
                  moment: datetime) -> Any:
    held, match = plan.held, plan.match
    assert held is not None and match is not None
    paths = match.disclosed(plan.withheld)
    if held.candidate.format == "dc+sd-jwt":
        assert held.text is not None
        keep = sd_jwt_disclosures_for(held.text, paths)
        return present_sd_jwt(held.text, lambda d: d.encoded in keep, holder_key=store.signing_key(profile.id),
                              alg="EdDSA", nonce=request.nonce, aud=request.client_id, iat=int(moment.timestamp()))
    if held.candidate.format == "jwt_vc_json":
        assert held.text is not None
        return _jwt_vc_presentation(store, profile, held.text, request, moment)
    disclose = {held.record.id: _sd_pointers(held, paths)} if held.candidate.disclosable is not None else None
    return present(store, [held.record.id], profile_id=profile.id, challenge=request.nonce, domain=request.client_id,
                   fmt="ldp", now=moment, disclose=disclose)


def _encrypt(request: OpenId4VpRequest, payload: Mapping[str, Any]) -> str:
    """§8.3: the response parameters as a JWE, ECDH-ES (RFC 7518 §4.6) to the verifier's key."""
    jwk = dict(request.encryption_jwk or {})
    header: dict[str, Any] = {"alg": "ECDH-ES", "enc": request.encryption_enc}
    if isinstance(jwk.get("kid"), str):
        header["kid"] = jwk["kid"]
    try:
        key = OKPKey.import_key(jwk) if jwk.get("kty") == "OKP" else ECKey.import_key(jwk)
        return jwe.encrypt_compact(header, json.dumps(payload).encode("utf-8"), key)
    except (JoseError, ValueError) as exc:
        raise RequestError(f"The verifier's encryption key cannot be used ({exc}).") from None


def _send(request: OpenId4VpRequest, vp_token: Mapping[str, Any], client: httpx.Client) -> httpx.Response:
    params: dict[str, Any] = {"vp_token": vp_token}
    if request.state is not None:
        params["state"] = request.state
    if request.response_mode == "direct_post.jwt":
        form = {"response": _encrypt(request, params)}
    else:  # §8.2: each parameter form-encoded, the vp_token as its JSON text
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    try:
        return client.post(request.response_uri, data=form, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise RequestError(f"The verifier could not be reached ({describe_http_error(exc)}); try again.") from None


def _reply(resp: httpx.Response) -> tuple[Mapping[str, Any] | None, str | None]:
    try:
        body = resp.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    redirect = body.get("redirect_uri")
    return body, redirect if _is_web_page(redirect) else None


def _is_web_page(value: Any) -> bool:
    """An address a browser may be sent to: https (http only on the loopback), nothing else: no
    ``javascript:``, ``file:`` or app scheme a verifier could use to reach past the browser."""
    if not isinstance(value, str) or len(value) > 4000:
        return False
    parts = urlsplit(value)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return bool(parts.hostname) and (parts.scheme == "https" or (parts.scheme == "http" and loopback))


def answer_openid4vp(store: Store, request: OpenId4VpRequest, *, client: httpx.Client,
                     chosen: Mapping[str, str] | None = None, withheld: Mapping[str, Iterable[int]] | None = None,
                     declined: Collection[str] = (), profile_id: str | None = None,
                     now: datetime | None = None) -> OpenId4VpAnswer:
    """Build the vp_token for what :func:`preview_openid4vp` showed (same arguments) and send it
    (§8.2 / §8.3). The share is recorded in the history (recipient: the verifier's name). A
    verifier that refuses the answer gives ``status`` ≠ 200 and its error in ``body``."""
    profile = holder_profile(store, profile_id)
    plans, satisfied = _plan(store, request, profile, chosen or {}, withheld or {}, declined)
    if not satisfied:
        raise RequestError("Your wallet cannot answer this request as it stands: nothing, or not enough, matches "
                           "what the verifier asks for.")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    answered = [p for p, _, _ in plans if p.answerable]
    vp_token = {p.query.id: [_presentation(store, profile, request, p, moment)] for p in answered}
    resp = _send(request, vp_token, client)
    if resp.status_code in (404, 410):
        raise RequestGoneError("This request was already answered or has expired; ask the verifier for a new one.")
    body, redirect = _reply(resp)
    ids = [p.held.record.id for p in answered if p.held is not None]
    entries = record_shares(store, ids, request.verifier.named, expires=None, details={
        "channel": "request", "protocol": "openid4vp", "client_id": request.client_id,
        "response_uri": request.response_uri,
        "response_mode": request.response_mode, "nonce": request.nonce, "accepted": resp.status_code == 200,
        "claims": {p.query.id: [_label(x) for x in p.match.disclosed(p.withheld)] for p in answered if p.match}})
    return OpenId4VpAnswer(vp_token, entries[0].id, resp.status_code, redirect, body)

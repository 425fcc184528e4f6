"""The verifier side of OpenID for Verifiable Presentations 1.0 (final,
https://openid.net/specs/openid-4-verifiable-presentations-1_0.html) with DCQL queries.

What the verify service needs and nothing about HTTP (:mod:`verifier.api` carries it): the
verifier's identity per Client Identifier Prefix (§5.9), the Authorization Request and its signed
Request Object (RFC 9101), the ephemeral key a ``direct_post.jwt`` answer is encrypted to (§8.3),
and reading the wallet's answer (§8.1, §8.2: ``vp_token`` and ``state``, or an encrypted
``response``) down to the presentations each DCQL Credential Query got (§7.1). Verifying those
presentations is the engine's job; the service calls it with the request's nonce and client_id.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from credentials import (
    DcqlCandidate,
    DcqlQuery,
    SatchelError,
    VerificationReport,
    b64url_decode,
    b64url_encode,
    did_key_from_public_key,
    match_dcql,
    parse_dcql_query,
    public_key_to_jwk,
    sign_jws,
    w3c_candidate,
)

__all__ = [
    "DEFAULT_PREFIX", "ENC_VALUES", "FORMATS", "PREFIXES", "RESPONSE_MODES", "AuthorizationRequest",
    "OpenId4VpError", "QueryGaps", "Signer", "VerifierKeys", "VpResponse", "check_dcql_query",
    "check_redirect_target", "default_dcql_query",
    "load_configured_certificate", "new_response_key", "parse_vp_token", "presented_candidates", "query_gaps",
    "read_form", "read_response", "redirect_with_code", "request_link", "sign_request_object",
]

# §5.9.3: the prefixes this verifier can be known by.
PREFIXES = ("decentralized_identifier", "x509_san_dns", "redirect_uri")
DEFAULT_PREFIX = "decentralized_identifier"
RESPONSE_MODES = ("direct_post", "direct_post.jwt")  # §8.2, §8.3
ENC_VALUES = ("A128GCM", "A256GCM")  # §8.3: content encryption a wallet may choose (A128GCM by default)
# DCQL credential format identifier (Annex B) -> the engine report format its presentation gives.
FORMATS = {"dc+sd-jwt": "vp-sd-jwt", "jwt_vc_json": "vp-jwt", "ldp_vc": "vp"}
_JWS_ALGS = ["ES256", "ES384", "EdDSA"]
# §11.1 and Annex B: what the engine verifies, per format (client_metadata.vp_formats_supported).
VP_FORMATS_SUPPORTED: dict[str, Any] = {
    "dc+sd-jwt": {"sd-jwt_alg_values": _JWS_ALGS, "kb-jwt_alg_values": _JWS_ALGS},
    "jwt_vc_json": {"alg_values": _JWS_ALGS},
    "ldp_vc": {"proof_type_values": ["DataIntegrityProof", "Ed25519Signature2020"],
               "cryptosuite_values": ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-sd-2023"]},
}
OB3_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
VC_TYPE = "https://www.w3.org/2018/credentials#VerifiableCredential"
MAX_QUERIES = 16  # DCQL Credential Queries in one request, and presentations per query in an answer
MAX_QUERY_BYTES = 16 * 1024
SELF_ISSUED = "https://self-issued.me/v2"  # §5.8: the aud of a Request Object under static discovery


class OpenId4VpError(Exception):
    """A request that cannot be made or an answer that cannot be read: ``error`` is a stable token."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error, self.message = error, message


# -- the query ----------------------------------------------------------------------------------------
def default_dcql_query(vct_values: list[str] | None = None) -> dict[str, Any]:
    """Any Open Badge 3.0 credential, as a Data Integrity or a JWT credential, or an SD-JWT VC of
    one of ``vct_values``: DCQL §6.2 ``credential_sets`` with one option per format."""
    meta = {"type_values": [[VC_TYPE, OB3_TYPE]]}  # Annex B.1.1: fully expanded type IRIs
    credentials: list[dict[str, Any]] = [
        {"id": "open_badge_ldp", "format": "ldp_vc", "meta": meta},
        {"id": "open_badge_jwt", "format": "jwt_vc_json", "meta": meta},
    ]
    if vct_values:
        credentials.append({"id": "badge_sd_jwt", "format": "dc+sd-jwt", "meta": {"vct_values": vct_values}})
    options = [[c["id"]] for c in credentials]
    return {"credentials": credentials, "credential_sets": [{"options": options, "required": True}]}


def check_dcql_query(obj: Any) -> DcqlQuery:
    """The query read by the engine (:func:`credentials.parse_dcql_query`, §6), limited to the
    formats this verifier checks. Raises :class:`OpenId4VpError`."""
    try:
        size = len(json.dumps(obj))
    except (ValueError, TypeError, RecursionError):
        size = MAX_QUERY_BYTES + 1
    if size > MAX_QUERY_BYTES:
        raise OpenId4VpError("bad-query", f"dcql_query is a JSON object of at most {MAX_QUERY_BYTES // 1024} KB.")
    try:
        query = parse_dcql_query(obj)
    except SatchelError as exc:
        raise OpenId4VpError("bad-query", f"dcql_query is not a DCQL query: {exc}") from None
    for cq in query.credentials:
        if cq.format not in FORMATS:
            raise OpenId4VpError("bad-query", f"Credential Query {cq.id!r} asks for format {cq.format!r}; "
                                 f"this verifier checks {', '.join(FORMATS)}.")
    return query


def presented_candidates(query_id: str, fmt: str, report: VerificationReport) -> list[DcqlCandidate]:
    """What a verified presentation holds, as DCQL candidates (§6.4.1): the credentials its report
    read (an SD-JWT VC's disclosed claims, a W3C credential's JSON)."""
    out: list[DcqlCandidate] = []
    for n, sub in enumerate(report.nested):
        doc = sub.credential
        if not isinstance(doc, Mapping):
            continue
        if fmt == "jwt_vc_json" and isinstance(doc.get("vc"), Mapping):
            doc = doc["vc"]  # a VC-JWT's claims: the credential is its vc claim
        key = f"{query_id}[{n}]"
        # B.1.1: a W3C credential's types written and expanded; an SD-JWT VC's claims as disclosed
        out.append(DcqlCandidate(key=key, format=fmt, claims=doc) if fmt == "dc+sd-jwt"
                   else w3c_candidate(key, fmt, doc))
    return out


@dataclass(frozen=True)
class QueryGaps:
    """How an answer falls short of its DCQL query (§6.4): Credential Queries answered with
    something they do not ask for (another type, a claim not disclosed), and required parts
    (§6.4.2; alternatives joined by "or") nothing was sent for."""

    unfit: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.unfit or self.missing)

    def sentence(self) -> str:
        said = [f"what was sent for {q!r} is not what it asks for (another type, or a claim it needs is not "
                "disclosed)" for q in self.unfit]
        said += [f"nothing was sent for {m}, which the request needs" for m in self.missing]
        return "It does not answer what was asked: " + "; ".join(said) + "."


def query_gaps(query: DcqlQuery, candidates: Mapping[str, list[DcqlCandidate]]) -> QueryGaps:
    """Compare what was presented per Credential Query with the query (empty gaps: it answers)."""
    unfit = tuple(query_id for query_id, found in candidates.items()
                  if not found or len(match_dcql(query, found).for_query(query_id).candidates) != len(found))
    if unfit:
        return QueryGaps(unfit=unfit)
    answered = set(candidates)
    if query.credential_sets is None:
        return QueryGaps(missing=tuple(cq.id for cq in query.credentials if cq.id not in answered))
    return QueryGaps(missing=tuple(" or ".join("+".join(option) for option in cs.options)
                                   for cs in query.credential_sets
                                   if cs.required and not any(set(option) <= answered for option in cs.options)))


# -- the verifier's identity ------------------------------------------------------------------------
@dataclass(frozen=True)
class Signer:
    """How a Request Object is signed for one Client Identifier Prefix (§5.9.3)."""

    client_id: str  # with its prefix
    alg: str
    header: dict[str, Any]  # kid (a DID URL) or x5c
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def _create_once(path: Path, data: bytes) -> bytes:
    """Write ``path`` unless it exists, atomically (a hard link of a complete file: instances
    sharing the folder that start together agree on one key); what the file then holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_bytes()


def _load_or_make_key(path: Path, make: Any) -> Any:
    if not path.exists():
        key = make()
        _create_once(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _self_signed(key: ec.EllipticCurvePrivateKey, host: str) -> x509.Certificate:
    """A certificate for ``host`` (its dNSName SAN is what x509_san_dns names, §5.9.3)."""
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))


def load_configured_certificate(cert: str, key: str) -> tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]]:
    """The operator's certificate chain (PEM, leaf first) and its P-256 key (PEM, unencrypted).
    Raises :class:`OpenId4VpError` saying what is wrong with them."""
    try:
        private = serialization.load_pem_private_key(Path(key).read_bytes(), password=None)
        chain = x509.load_pem_x509_certificates(Path(cert).read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise OpenId4VpError("bad-config", f"The OpenID4VP certificate or key cannot be read: {exc}") from None
    if not isinstance(private, ec.EllipticCurvePrivateKey) or not isinstance(private.curve, ec.SECP256R1):
        raise OpenId4VpError("bad-config", "The OpenID4VP certificate's key is a P-256 (EC) key.")
    if chain[0].public_key() != private.public_key():
        raise OpenId4VpError("bad-config", "The OpenID4VP key is not the key of the certificate (its first one).")
    return private, chain


class VerifierKeys:
    """The verifier's signing keys, kept in ``folder`` (made on first use; instances behind one
    load balancer share it): an Ed25519 key named by its did:key, and a P-256 key with a
    certificate, configured (``cert``/``key`` PEM files, e.g. from a CA) or self-signed for the
    service's host."""

    def __init__(self, folder: Path, cert: str | None = None, key: str | None = None) -> None:
        self.folder = folder
        self._cert_path, self._key_path = cert, key
        self._did_key: ed25519.Ed25519PrivateKey | None = None
        self._x509: dict[str, tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]]] = {}

    def _did(self) -> ed25519.Ed25519PrivateKey:
        if self._did_key is None:
            self._did_key = _load_or_make_key(self.folder / "did-key.pem", ed25519.Ed25519PrivateKey.generate)
        return self._did_key

    def _certified(self, host: str) -> tuple[ec.EllipticCurvePrivateKey, list[x509.Certificate]]:
        if host not in self._x509:
            if self._cert_path and self._key_path:
                key, chain = load_configured_certificate(self._cert_path, self._key_path)
            else:
                key = _load_or_make_key(self.folder / "x509-key.pem", lambda: ec.generate_private_key(ec.SECP256R1()))
                chain = [self._kept_certificate(key, host)]
            self._x509[host] = (key, chain)
        return self._x509[host]

    def _kept_certificate(self, key: ec.EllipticCurvePrivateKey, host: str) -> x509.Certificate:
        """The self-signed certificate for ``host``, made once and kept (a wallet that pinned it
        still knows this verifier after a restart); remade when near its end or for another key."""
        path = self.folder / f"x509-{host}.pem"
        if path.exists():
            cert = x509.load_pem_x509_certificate(path.read_bytes())
            fresh = cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
            if fresh and cert.public_key() == key.public_key():
                return cert
            path.unlink(missing_ok=True)
        return x509.load_pem_x509_certificate(
            _create_once(path, _self_signed(key, host).public_bytes(serialization.Encoding.PEM)))

    def signer(self, prefix: str, response_uri: str) -> Signer | None:
        """The signer for ``prefix``; None for ``redirect_uri`` (§5.9.3: that request is not signed)."""
        if prefix == "decentralized_identifier":
            key = self._did()
            did = did_key_from_public_key(key.public_key())
            return Signer(f"{prefix}:{did}", "EdDSA", {"kid": f"{did}#{did.removeprefix('did:key:')}"}, key)
        if prefix == "x509_san_dns":
            # §5.9.3: the DNS name is the response_uri's host, and a SAN of the leaf certificate
            host = urlsplit(response_uri).hostname or "localhost"
            ec_key, chain = self._certified(host)
            sans = chain[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            if host not in sans.get_values_for_type(x509.DNSName):
                raise OpenId4VpError("bad-config", f"The OpenID4VP certificate does not name {host} (dNSName SAN).")
            x5c = [_b64(c.public_bytes(serialization.Encoding.DER)) for c in chain]
            return Signer(f"{prefix}:{host}", "ES256", {"x5c": x5c}, ec_key)
        if prefix == "redirect_uri":
            return None
        raise OpenId4VpError("bad-request", f"client_id_prefix is one of {', '.join(PREFIXES)}.")


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()  # RFC 7515 §4.1.6: x5c is standard base64, not base64url


# -- the request ------------------------------------------------------------------------------------------
def new_response_key() -> tuple[dict[str, str], dict[str, str]]:
    """A fresh P-256 key for one request's encrypted answer (§8.3): (private JWK, public JWK)."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = {**public_key_to_jwk(key.public_key()), "use": "enc", "alg": "ECDH-ES",
              "kid": secrets.token_urlsafe(8)}
    d = key.private_numbers().private_value.to_bytes(32, "big")
    return {**public, "d": b64url_encode(d)}, public


@dataclass(frozen=True)
class AuthorizationRequest:
    """The parameters of one Authorization Request (§5.1, §5.2), as the wallet reads them."""

    client_id: str
    response_mode: str
    response_uri: str
    nonce: str
    state: str
    dcql_query: dict[str, Any]
    client_name: str | None
    response_jwk: dict[str, str] | None  # the public ephemeral key for direct_post.jwt
    expires: float

    def params(self) -> dict[str, Any]:
        metadata: dict[str, Any] = {"vp_formats_supported": VP_FORMATS_SUPPORTED}
        if self.client_name:
            metadata["client_name"] = self.client_name  # RFC 7591 §2, shown by the wallet
        if self.response_jwk is not None:
            metadata["jwks"] = {"keys": [self.response_jwk]}
            metadata["encrypted_response_enc_values_supported"] = list(ENC_VALUES)
        return {"response_type": "vp_token", "client_id": self.client_id, "response_mode": self.response_mode,
                "response_uri": self.response_uri, "nonce": self.nonce, "state": self.state,
                "dcql_query": self.dcql_query, "client_metadata": metadata}


def check_redirect_target(value: Any) -> str:
    """Where the learner's browser goes once a same-device answer is in (§8.2 ``redirect_uri``): an
    https page (http only on a loopback host, for a verifier's own machine), without a fragment,
    which carries the response_code."""
    if not isinstance(value, str) or not 0 < len(value) <= 2000:
        raise OpenId4VpError("bad-request", "redirect_uri is the address of a web page (at most 2000 characters).")
    parts = urlsplit(value)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise OpenId4VpError("bad-request", "redirect_uri is an https address (http only on the loopback).")
    if parts.fragment or value.endswith("#"):
        raise OpenId4VpError("bad-request", "redirect_uri has no #fragment: the response_code goes there (§8.2).")
    return value


def redirect_with_code(target: str) -> tuple[str, str]:
    """(the redirect_uri the wallet sends its browser to, its fresh response_code). §8.2: the code
    binds the answer to the browser that receives the redirect, so whoever only started the request
    (the spec's "Session Fixation" section) cannot read the answer with the poll token alone."""
    code = secrets.token_urlsafe(24)
    return f"{target}#{urlencode({'response_code': code})}", code


def sign_request_object(request: AuthorizationRequest, signer: Signer, now: float) -> str:
    """RFC 9101 §4 Request Object, typed ``oauth-authz-req+jwt`` (RFC 9101 §10.8, OpenID4VP §5.10)."""
    payload = {**request.params(), "aud": SELF_ISSUED, "iat": int(now), "exp": int(request.expires)}
    header = {"alg": signer.alg, "typ": "oauth-authz-req+jwt", **signer.header}
    return sign_jws(header, json.dumps(payload, separators=(",", ":")).encode(), signer.key)


def request_link(client_id: str, request_uri: str | None, request: AuthorizationRequest | None = None) -> str:
    """The ``openid4vp://`` link a QR code holds: by reference (§5.10, RFC 9101 §5.2) or, for an
    unsigned ``redirect_uri`` request, every parameter by value (§5.9.3)."""
    if request_uri is not None:
        return "openid4vp://?" + urlencode({"client_id": client_id, "request_uri": request_uri})
    assert request is not None
    params = {k: json.dumps(v, separators=(",", ":")) if isinstance(v, dict) else v
              for k, v in request.params().items()}
    return "openid4vp://?" + urlencode(params)


# -- the answer ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VpResponse:
    """What the wallet posted (§8.1): presentations per Credential Query id, and the state."""

    vp_token: dict[str, list[str | dict[str, Any]]]
    state: str | None


def read_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (§8.2), each parameter once."""
    try:
        fields = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=bool(body.strip()),
                          max_num_fields=16)
    except (UnicodeDecodeError, ValueError):
        raise OpenId4VpError("bad-request", "The body is an application/x-www-form-urlencoded form.") from None
    if any(len(v) != 1 for v in fields.values()):
        raise OpenId4VpError("bad-request", "Each form parameter is sent once.")
    return {k: v[0] for k, v in fields.items()}


def _decrypt(jwe_text: str, private_jwk: Mapping[str, str]) -> dict[str, Any]:
    """§8.3: the answer's parameters, encrypted to this request's ephemeral key (ECDH-ES, JWE compact)."""
    from joserfc import jwe
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey

    try:
        header = json.loads(b64url_decode(jwe_text.split(".", 1)[0]))
        if not isinstance(header, dict) or "zip" in header:  # no compression: its output is not bounded by the body
            raise ValueError("a compressed or unreadable JWE header")
        decrypted = jwe.decrypt_compact(jwe_text, ECKey.import_key(dict(private_jwk)),
                                        algorithms=["ECDH-ES", *ENC_VALUES])
        params = json.loads(decrypted.plaintext or b"")
    except (JoseError, ValueError, TypeError, RecursionError):
        raise OpenId4VpError("bad-response", "The encrypted response could not be decrypted with this request's "
                             "key: it was made for another request, or altered.") from None
    if not isinstance(params, dict):
        raise OpenId4VpError("bad-response", "The decrypted response is a JSON object (§8.3).")
    return params


def read_response(form: Mapping[str, str], response_mode: str, private_jwk: Mapping[str, str] | None) -> VpResponse:
    """The answer's parameters: in the clear for ``direct_post``, or encrypted in ``response`` for
    ``direct_post.jwt`` (§8.3.1: a plain answer to an encrypted request is refused)."""
    if response_mode == "direct_post.jwt":
        if "response" not in form or private_jwk is None:
            raise OpenId4VpError("bad-response", "This request asked for an encrypted answer (direct_post.jwt): "
                                 "post it as 'response'.")
        params: Mapping[str, Any] = _decrypt(form["response"], private_jwk)
    else:
        params = form
    if "vp_token" not in params:
        raise OpenId4VpError("bad-response", "The answer has no vp_token.")
    state = params.get("state")
    return VpResponse(parse_vp_token(params["vp_token"]), state if isinstance(state, str) else None)


def parse_vp_token(value: Any) -> dict[str, list[str | dict[str, Any]]]:
    """§8.1: a JSON object, each Credential Query id to a non-empty array of presentations (a
    string such as an SD-JWT or a JWT, or a JSON object such as a Data Integrity presentation)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise OpenId4VpError("bad-response", "vp_token is a JSON object (§8.1).") from None
    if not isinstance(value, dict) or not 1 <= len(value) <= MAX_QUERIES:
        raise OpenId4VpError("bad-response", "vp_token is a JSON object from Credential Query ids to "
                             "arrays of presentations (§8.1).")
    out: dict[str, list[str | dict[str, Any]]] = {}
    for query_id, items in value.items():
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_QUERIES or \
                not all(isinstance(p, str | dict) for p in items):
            raise OpenId4VpError("bad-response", f"vp_token[{query_id!r}] is a non-empty array of presentations.")
        out[query_id] = items
    return out

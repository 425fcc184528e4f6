"""SD-JWT VC (draft-ietf-oauth-sd-jwt-vc) over IETF SD-JWT (RFC 9901): the checks.

A credential (``dc+sd-jwt``, or the earlier ``vc+sd-jwt``): the issuer's signature over the
Issuer-signed JWT and the Disclosures it covers (RFC 9901 §7.1), the issuer's key (a DID URL
``kid``, JWT VC Issuer Metadata, or an ``x5c`` chain), ``iat`` / ``nbf`` / ``exp``, and its status in
a Token Status List (draft-ietf-oauth-status-list). A presentation (an SD-JWT+KB, or any SD-JWT
given with a challenge): the Key Binding JWT (RFC 9901 §7.3) signed by the ``cnf`` key over exactly
what is presented, for the verifier's nonce and audience; the credential is its nested report.

The report's ``credential`` is the Processed SD-JWT Payload: what the holder disclosed, which is
what ``read_facts`` and the apps show.

A ``vc+sd-jwt`` (or ``vp+sd-jwt``) whose Processed SD-JWT Payload has the VCDM 2.0 context is W3C
VC-JOSE-COSE §3.2 instead (:func:`vc_jose_cose_kind`): ``credentials._verify`` checks it as a VCDM 2.0
credential (presentation), as it checks ``vc+jwt``; its Key Binding JWT is checked here
(:func:`with_key_binding`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from .._did import resolve_verification_method
from .._errors import (
    FetchError,
    KeyResolutionError,
    MalformedError,
    SatchelError,
    UnsupportedFormatError,
    UnsupportedProofError,
)
from .._formats.jws import CompactJws, PublicKey, jwk_to_public_key, parse_compact_jws, verify_jws_signature
from .._formats.sd_jwt import DisclosureMismatchError, SdJwt, process_disclosures, sd_hash_of
from .._report import (
    CheckId,
    CheckResult,
    Status,
    VerificationReport,
    could_not_check,
    failed,
    passed,
)
from .._status.token_status_list import (
    STATUS_INVALID,
    STATUS_SUSPENDED,
    STATUS_VALID,
    parse_status_list,
    read_token_status,
)
from .._trust import check_issuer_trust
from ._context import VerifyOptions
from .dates import human, period_checks
from .jwt import claim_time, signed_by
from .proofs import check_binding, short

__all__ = ["SD_JWT_VC_TYPES", "IssuerKey", "processed_payload", "resolve_issuer_key",
           "vc_jose_cose_kind", "verify_sd_jwt", "with_key_binding"]

VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
SD_JWT_VC_TYPES = ("dc+sd-jwt", "vc+sd-jwt")  # draft-ietf-oauth-sd-jwt-vc §3.2.1 (vc+sd-jwt: drafts ≤ 05)
# RFC 9901 §7.3 step 5.5: "within an acceptable window"; a presentation is made when it is asked for.
MAX_KB_AGE = timedelta(minutes=10)
CLOCK_SKEW = timedelta(minutes=1)
# draft-ietf-oauth-sd-jwt-vc "Registered JWT Claims": these are never selectively disclosed.
_NEVER_DISCLOSED = ("iss", "nbf", "exp", "cnf", "vct", "status")
_METADATA_PATH = "/.well-known/jwt-vc-issuer"  # draft-ietf-oauth-sd-jwt-vc "JWT VC Issuer Metadata"
_STATUS_ACCEPT = "application/statuslist+jwt"


@dataclass(frozen=True)
class IssuerKey:
    """The key that verifies an issuer's JWT, where it was found, and whether it is the issuer's."""

    public_key: PublicKey
    label: str
    binding: CheckResult  # proof.key-binding: does the key belong to the issuer named


# -- the issuer's key ---------------------------------------------------------------------------------


def resolve_issuer_key(jws: CompactJws, iss: str | None, opts: VerifyOptions) -> IssuerKey:
    """An ``x5c`` chain, a DID URL ``kid`` (or a DID ``iss``), or the issuer's JWT VC Issuer Metadata,
    in that order (draft-ietf-oauth-sd-jwt-vc "Issuer Signature Verification Key")."""
    header = jws.header
    if "x5c" in header:
        return _x5c_key(header["x5c"], iss, opts)
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    if kid and iss and iss.startswith("did:") and ":" not in kid:  # a fragment of the issuer's DID
        kid = f"{iss}#{kid.removeprefix('#')}"
    did_url = kid if kid and kid.startswith("did:") else iss if iss and iss.startswith("did:") else None
    if did_url is not None:
        method = resolve_verification_method(did_url, opts.fetcher)
        owner = iss or method.controller
        return IssuerKey(method.public_key, method.id, check_binding(method, "assertionMethod", owner, "issuer"))
    if iss and iss.startswith("https://"):
        return _metadata_key(iss, kid, opts)
    raise KeyResolutionError("the SD-JWT names no key Satchel can find (no x5c, no DID, no https issuer)")


def metadata_url(iss: str) -> str:
    """The well-known URL is inserted between the host and the path of ``iss``."""
    parts = urlsplit(iss)
    return f"{parts.scheme}://{parts.netloc}{_METADATA_PATH}{parts.path.rstrip('/')}"


def _fetch_json(url: str, opts: VerifyOptions, what: str) -> dict[str, Any]:
    try:
        doc = opts.fetcher.get_json(url)
    except FetchError as exc:
        raise KeyResolutionError(f"{what} {url} could not be fetched ({exc.reason})") from exc
    if not isinstance(doc, dict):
        raise KeyResolutionError(f"{what} {url} is not a JSON object")
    return doc


def _metadata_key(iss: str, kid: str | None, opts: VerifyOptions) -> IssuerKey:
    url = metadata_url(iss)
    meta = _fetch_json(url, opts, "the issuer's metadata")
    if meta.get("issuer") != iss:  # the metadata must be the issuer's own
        raise KeyResolutionError(f"the metadata at {url} is for {meta.get('issuer')!r}, not for {iss}")
    jwks = meta.get("jwks")
    if jwks is None and isinstance(meta.get("jwks_uri"), str):
        jwks = _fetch_json(meta["jwks_uri"], opts, "the issuer's key set")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise KeyResolutionError(f"the metadata at {url} lists no keys")
    chosen = [k for k in keys if isinstance(k, dict) and (kid is None or k.get("kid") == kid)]
    if len(chosen) != 1:
        raise KeyResolutionError(f"the issuer's metadata has no key {kid!r}" if kid
                                 else "the JWT names no kid and the issuer's metadata has several keys")
    binding = passed(CheckId.PROOF_KEY_BINDING, f"The signing key is published by the issuer, {short(iss)}, "
                     "in its metadata.")
    return IssuerKey(jwk_to_public_key(chosen[0]), iss, binding)


def _x5c_key(chain: Any, iss: str | None, opts: VerifyOptions) -> IssuerKey:
    """RFC 7515 §4.1.6: the leaf certificate's key signs; each certificate is signed by the next.
    Who the certificate names is a trust anchor question: only a trust list answers it."""
    import base64

    from cryptography import x509
    from cryptography.exceptions import InvalidSignature

    if not isinstance(chain, list) or not chain or len(chain) > 10 or not all(isinstance(c, str) for c in chain):
        raise MalformedError("x5c is not a list of certificates")
    try:
        certs = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in chain]
        for child, parent in zip(certs, certs[1:], strict=False):
            child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise KeyResolutionError(f"the x5c certificate chain does not hold together ({exc})") from None
    leaf = certs[0]
    subject = leaf.subject.rfc4514_string() or "(no subject)"
    try:
        san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = {*san.get_values_for_type(x509.DNSName), *san.get_values_for_type(x509.UniformResourceIdentifier)}
    except x509.ExtensionNotFound:
        names = set()
    key: Any = leaf.public_key()
    return IssuerKey(key, f"the certificate of {subject}", _x5c_binding(iss, names, subject, opts))


def _x5c_binding(iss: str | None, names: set[str], subject: str, opts: VerifyOptions) -> CheckResult:
    # draft-ietf-oauth-sd-jwt-vc: with x5c, an https iss is a DNS name or URI the leaf certificate names.
    if iss is not None and iss not in names and urlsplit(iss).hostname not in names:
        return failed(CheckId.PROOF_KEY_BINDING, "issuer-key-mismatch",
                      f"The certificate is for {subject}, which does not name the issuer {short(iss)}.")
    who = iss or subject
    if opts.trust is not None and (opts.trust.find(who) or opts.trust.find(subject)):
        return passed(CheckId.PROOF_KEY_BINDING,
                      f"Signed with a certificate for {subject}, named by {opts.trust.name}.")
    return could_not_check(CheckId.PROOF_KEY_BINDING, "unresolvable-key",
                           f"Signed with a certificate for {subject}; no trust list Satchel has names who "
                           "issued that certificate, so whether the key is really the issuer's could not be checked.")


# -- the credential ----------------------------------------------------------------------------------


def _issuer_signature(sd_jwt: SdJwt, iss: str | None, opts: VerifyOptions, mismatch: str | None) -> list[CheckResult]:
    """The issuer's signature, and whether it covers every Disclosure presented (RFC 9901 §7.1)."""
    jws = sd_jwt.issuer_jwt
    key, refused = signed_by(jws, "SD-JWT", lambda: resolve_issuer_key(jws, iss, opts))  # §7.1 steps 2.1-2.3
    if key is None:
        return refused
    alg = jws.header["alg"]
    if mismatch is not None:
        return [failed(CheckId.PROOF_SIGNATURE, "invalid-signature",
                       f"The issuer's signature is intact, but {mismatch}: it was changed or added after signing."),
                key.binding]
    count = len(sd_jwt.disclosures)
    covered = f" and covers the {count} disclosed claim{'s' if count != 1 else ''}" if count else ""
    return [passed(CheckId.PROOF_SIGNATURE, f"SD-JWT signature ({alg}) by {short(key.label)} is intact{covered}."),
            key.binding]


def processed_payload(sd_jwt: SdJwt) -> tuple[dict[str, Any], str | None]:
    """The Processed SD-JWT Payload and, for a Disclosure the issuer never signed, what is wrong
    (the payload is then read without any Disclosure)."""
    try:
        return process_disclosures(sd_jwt), None
    except DisclosureMismatchError as exc:
        return process_disclosures(replace(sd_jwt, disclosures=())), str(exc)


def _never_disclosed(sd_jwt: SdJwt, processed: dict[str, Any]) -> None:
    for name in _NEVER_DISCLOSED:
        if name in processed and name not in sd_jwt.payload:
            raise MalformedError(f"the claim {name!r} is selectively disclosed, which SD-JWT VC forbids")


def _format_check(sd_jwt: SdJwt, processed: dict[str, Any]) -> tuple[str, CheckResult]:
    vct = processed.get("vct")
    if vct is None and "@context" in processed:
        raise UnsupportedFormatError("It is a W3C credential secured as an SD-JWT, but not typed vc+sd-jwt with "
                                     "the VCDM 2.0 context as VC-JOSE-COSE §3.2.1 asks; Satchel checks SD-JWT VCs "
                                     "and VC-JOSE-COSE ones, not this form")
    if sd_jwt.typ in SD_JWT_VC_TYPES or vct is not None:
        if not isinstance(vct, str) or not vct:  # draft-ietf-oauth-sd-jwt-vc: vct is REQUIRED
            raise MalformedError("an SD-JWT VC needs a vct (its credential type)")
        _never_disclosed(sd_jwt, processed)
        return "sd-jwt-vc", passed(CheckId.FORMAT, f"An SD-JWT VC of type {short(vct)}.")
    return "sd-jwt", passed(CheckId.FORMAT, f"An SD-JWT ({sd_jwt.typ or 'untyped'}), not typed as a credential.")


def _validity(processed: dict[str, Any], at: datetime) -> list[CheckResult]:
    """RFC 9901 §7.1 step 6: nbf and exp of the processed payload (iat too: issued in the future)."""
    starts = [t for t in (claim_time(processed, "nbf"), claim_time(processed, "iat")) if t is not None]
    return period_checks(max(starts) if starts else None, claim_time(processed, "exp"), at)


def _issuer_of(processed: dict[str, Any]) -> str | None:
    iss = processed.get("iss")
    if iss is not None and not isinstance(iss, str):
        raise MalformedError("iss is not a string")
    return iss


def verify_sd_jwt_credential(sd_jwt: SdJwt, opts: VerifyOptions) -> VerificationReport:
    """The SD-JWT (VC) itself, as its issuer signed it and as far as it is disclosed."""
    processed, mismatch = processed_payload(sd_jwt)
    fmt, first = _format_check(sd_jwt, processed)
    iss = _issuer_of(processed)
    checks = [first, check_issuer_trust(iss or "", {"issuer": iss}, opts.trust)]
    checks.extend(_issuer_signature(sd_jwt, iss, opts, mismatch))
    checks.extend(_validity(processed, opts.at))
    if opts.check_status:
        checks.extend(check_token_status(processed, iss, opts))
    return VerificationReport(fmt, tuple(checks), opts.at, credential=processed)


# -- status: Token Status List -------------------------------------------------------------------------


def _status_unknown(why: str) -> list[CheckResult]:
    return [could_not_check(CheckId.STATUS_REVOCATION, "status-unknown", f"Could not check the status: {why}.")]


def check_token_status(processed: dict[str, Any], iss: str | None, opts: VerifyOptions) -> list[CheckResult]:
    """draft-ietf-oauth-status-list §6: ``status.status_list {idx, uri}`` points into a Status List
    Token; fetched only through the verification's fetcher."""
    status = processed.get("status")
    if status is None:
        return [passed(CheckId.STATUS, "No status list is named: the issuer cannot revoke it online.")]
    ref = status.get("status_list") if isinstance(status, dict) else None
    if not isinstance(ref, dict) or not isinstance(ref.get("uri"), str):
        return [could_not_check(CheckId.STATUS, "status-unknown",
                                "Could not check the status: it names no status list Satchel knows.")]
    uri = ref["uri"]
    try:
        value, bits = _read_status(uri, ref.get("idx"), iss, opts)
    except SatchelError as exc:
        return _status_unknown(f"the status list {uri} cannot be used: {exc}")
    return _status_checks(value, bits, f" (as of {human(opts.at)})")


def _read_status(uri: str, idx: Any, iss: str | None, opts: VerifyOptions) -> tuple[int, int]:
    try:
        body = opts.fetcher.get_bytes(uri, accept=_STATUS_ACCEPT)
        token = parse_compact_jws(body.decode("utf-8").strip())
    except FetchError as exc:
        raise MalformedError(f"it could not be fetched ({exc.reason})") from None
    except UnicodeDecodeError:
        raise MalformedError("it is not a JWT") from None
    if token.header.get("typ") != "statuslist+jwt":  # §5.1
        raise MalformedError("it is not typed statuslist+jwt")
    try:
        claims = json.loads(token.payload)
    except (ValueError, RecursionError):
        raise MalformedError("its payload is not JSON") from None
    if not isinstance(claims, dict) or claims.get("sub") != uri:  # §5.1: sub is the list's URI
        raise MalformedError("it is not the list the credential names (sub)")
    _verify_list_signature(token, claims, iss, opts)
    expires = claim_time(claims, "exp")
    if expires is not None and expires < opts.at:
        raise MalformedError(f"the list expired on {human(expires)}")
    status_list = parse_status_list(claims.get("status_list"))
    return read_token_status(status_list, idx), status_list.bits


def _verify_list_signature(token: CompactJws, claims: dict[str, Any], iss: str | None, opts: VerifyOptions) -> None:
    """The list counts only when it is signed by the credential's issuer."""
    signer = claims.get("iss") if isinstance(claims.get("iss"), str) else iss
    if signer != iss:
        raise MalformedError(f"it is kept by {signer}, not by the issuer")
    key = resolve_issuer_key(token, signer, opts)
    alg = token.header.get("alg")
    if not isinstance(alg, str) or not verify_jws_signature(alg, token.signing_input, token.signature,
                                                            key.public_key):
        raise MalformedError("its signature does not verify")
    if key.binding.status != Status.PASSED:
        raise MalformedError("it is not signed with the issuer's key")


def _status_checks(value: int, bits: int, when: str) -> list[CheckResult]:
    """§7.1: 0 VALID, 1 INVALID (revoked), 2 SUSPENDED; other values are application specific."""
    if value == STATUS_INVALID:
        return [failed(CheckId.STATUS_REVOCATION, "revoked", f"The issuer has revoked this credential{when}.")]
    if value == STATUS_SUSPENDED:
        return [passed(CheckId.STATUS_REVOCATION, f"Not revoked{when}."),
                failed(CheckId.STATUS_SUSPENSION, "suspended", f"The issuer has suspended this credential{when}.")]
    if value != STATUS_VALID:
        return [could_not_check(CheckId.STATUS, "status-unknown",
                                f"The status list gives it the issuer's own status {value:#04x}{when}, "
                                "whose meaning Satchel does not know.")]
    out = [passed(CheckId.STATUS_REVOCATION, f"Not revoked{when}.")]
    if bits > 1:  # a one-bit list cannot say "suspended"
        out.append(passed(CheckId.STATUS_SUSPENSION, f"Not suspended{when}."))
    return out


# -- the presentation: Key Binding JWT ----------------------------------------------------------------


def _holder_key(processed: dict[str, Any], opts: VerifyOptions) -> PublicKey:
    """RFC 9901 §4.1.2 / RFC 7800: ``cnf.jwk``, or a DID URL ``cnf.kid``."""
    cnf = processed.get("cnf")
    if not isinstance(cnf, dict):
        raise KeyResolutionError("the credential names no holder key (cnf)")
    if isinstance(cnf.get("jwk"), dict):
        return jwk_to_public_key(cnf["jwk"])
    if isinstance(cnf.get("kid"), str) and cnf["kid"].startswith("did:"):
        method = resolve_verification_method(cnf["kid"], opts.fetcher)
        key: PublicKey = method.public_key
        return key
    raise KeyResolutionError("the credential's cnf holds no key Satchel can use")


def _kb_signature(sd_jwt: SdJwt, processed: dict[str, Any], opts: VerifyOptions) -> CheckResult:
    """§7.3 steps 5.1–5.4 and 5.7: signed by the holder's key, typed kb+jwt, over exactly this presentation."""
    kb = sd_jwt.kb_jwt
    assert kb is not None
    if kb.header.get("typ") != "kb+jwt":
        return failed(CheckId.PRESENTATION_HOLDER, "malformed", "The key binding JWT is not typed kb+jwt.")
    alg = kb.header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        return failed(CheckId.PRESENTATION_HOLDER, "no-proof", "The key binding JWT is not signed (alg none).")
    try:
        key = _holder_key(processed, opts)
    except KeyResolutionError as exc:
        return failed(CheckId.PRESENTATION_HOLDER, "holder-mismatch",
                      f"It is key-bound, but {exc}: nothing ties the presenter to the credential.")
    try:
        ok = verify_jws_signature(alg, kb.signing_input, kb.signature, key)
    except UnsupportedProofError:
        return could_not_check(CheckId.PRESENTATION_HOLDER, "unsupported-proof-type",
                               f"Satchel cannot check key binding JWTs signed with {alg}.")
    if not ok:
        return failed(CheckId.PRESENTATION_HOLDER, "invalid-signature",
                      "The key binding JWT is not signed by the holder's key (cnf): someone else presents it.")
    if sd_jwt.kb_payload.get("sd_hash") != sd_hash_of(sd_jwt.presented, sd_jwt.hash_name):
        return failed(CheckId.PRESENTATION_HOLDER, "invalid-signature",
                      "The key binding covers other disclosures than the ones presented (sd_hash differs).")
    return passed(CheckId.PRESENTATION_HOLDER, "The holder's key (cnf) signed this very presentation.")


def _kb_time(claims: dict[str, Any], at: datetime) -> CheckResult:
    """§7.3 step 5.5: made within an acceptable window before the verification."""
    made = claim_time(claims, "iat")
    if made is None:
        return failed(CheckId.PROOF_EXPIRES, "malformed", "The key binding JWT does not say when it was made (iat).")
    if made > at + CLOCK_SKEW:
        return failed(CheckId.PROOF_EXPIRES, "not-yet-valid",
                      f"The key binding claims to be made later, {human(made)}.")
    if at - made > MAX_KB_AGE:
        return failed(CheckId.PROOF_EXPIRES, "expired", f"The key binding was made on {human(made)}, more than "
                      f"{MAX_KB_AGE.seconds // 60} minutes earlier; ask for a fresh presentation.")
    return passed(CheckId.PROOF_EXPIRES, f"Presented on {human(made)}.")


def _kb_request(claims: dict[str, Any], opts: VerifyOptions) -> list[CheckResult]:
    """§7.3 step 5.6: the nonce is the verifier's challenge and the audience its domain."""
    out: list[CheckResult] = []
    if opts.challenge is not None:
        out.append(passed(CheckId.PROOF_CHALLENGE, "It answers this request (nonce).")
                   if claims.get("nonce") == opts.challenge else
                   failed(CheckId.PROOF_CHALLENGE, "challenge-mismatch",
                          "It answers another request (nonce differs); it may be a replay."))
    if opts.domain is not None:
        aud = claims.get("aud")
        out.append(passed(CheckId.PROOF_DOMAIN, f"It was made for {opts.domain}.") if aud == opts.domain else
                   failed(CheckId.PROOF_DOMAIN, "challenge-mismatch",
                          f"It was made for {aud!r}, not for {opts.domain}."))
    return out


def _key_binding_checks(sd_jwt: SdJwt, processed: dict[str, Any], opts: VerifyOptions) -> list[CheckResult]:
    if sd_jwt.kb_jwt is None:  # §7.3 step 2: asked for key binding, none given
        return [failed(CheckId.PROOF_CHALLENGE, "challenge-mismatch",
                       "It has no key binding, so it does not answer this request: anyone holding a copy "
                       "could present it.")]
    claims = sd_jwt.kb_payload
    return [_kb_signature(sd_jwt, processed, opts), _kb_time(claims, opts.at), *_kb_request(claims, opts)]


def verify_sd_jwt(sd_jwt: SdJwt, opts: VerifyOptions) -> VerificationReport:
    """An SD-JWT (VC): a credential report, or, key-bound or asked for with a challenge, a
    presentation report (``vp-sd-jwt``) with the credential's report nested."""
    return with_key_binding(sd_jwt, verify_sd_jwt_credential(sd_jwt, opts), opts)


def vc_jose_cose_kind(sd_jwt: SdJwt, processed: dict[str, Any]) -> str | None:
    """W3C VC-JOSE-COSE §3.2 (With SD-JWT): ``"vc"`` for an SD-JWT typed ``vc+sd-jwt`` (§3.2.1) and
    ``"vp"`` for one typed ``vp+sd-jwt`` (§3.2.2) whose Processed SD-JWT Payload is a VCDM 2.0
    document (its ``@context`` has the VCDM 2.0 context); else None. Any other ``vc+sd-jwt`` is the
    SD-JWT VC drafts' (≤ 05) name for an SD-JWT VC."""
    kind = {"vc+sd-jwt": "vc", "vp+sd-jwt": "vp"}.get(sd_jwt.typ)
    ctx = processed.get("@context")
    return kind if VC2_CONTEXT in (ctx if isinstance(ctx, list) else [ctx]) else None


def with_key_binding(sd_jwt: SdJwt, credential: VerificationReport, opts: VerifyOptions) -> VerificationReport:
    """The credential's report as it is, or, key-bound or asked for with a challenge, a presentation
    report (``vp-sd-jwt``) of its Key Binding JWT (RFC 9901 §7.3) with the credential's report nested."""
    if sd_jwt.kb_jwt is None and opts.challenge is None:
        return credential
    count = len(sd_jwt.disclosures)
    first = passed(CheckId.FORMAT, f"An SD-JWT presentation disclosing {count} claim{'s' if count != 1 else ''}"
                   + (", bound to its holder's key." if sd_jwt.kb_jwt is not None else ", without key binding."))
    checks = (first, *_key_binding_checks(sd_jwt, dict(credential.credential or {}), opts))
    return VerificationReport("vp-sd-jwt", checks, opts.at, credential=dict(sd_jwt.kb_payload), nested=(credential,))

"""VC-JWT: OB 3.0 §8.2 (JWT proof format: ``vc`` claim, iss/sub/nbf/jti/exp) and VC-JOSE
(``vc+jwt`` / ``vc+ld+jwt``: the payload is the credential itself)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from .._did import VerificationMethod, resolve_verification_method
from .._errors import KeyResolutionError, MalformedError, UnsupportedProofError
from .._formats.jws import CompactJws, PublicKey, jwk_to_public_key, verify_jws_signature
from .._report import CheckId, CheckResult, could_not_check, failed, passed
from ._context import VerifyOptions
from .proofs import check_binding, short


class _SigningKey(Protocol):
    @property
    def public_key(self) -> PublicKey: ...


_Key = TypeVar("_Key", bound=_SigningKey)


def credential_from_jwt(payload: dict[str, Any], claim: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(credential, JWT registered claims). With a ``vc``/``vp`` claim the JWT claims stand for
    credential properties (VC-JWT 1.1 §6.3.1); otherwise the payload is the credential."""
    if claim in payload:
        cred = payload[claim]
        if not isinstance(cred, dict):
            raise MalformedError(f"the {claim} claim is not an object")
        cred = dict(cred)
        if "jti" in payload and "id" not in cred:
            cred["id"] = payload["jti"]
        if claim == "vc" and isinstance(payload.get("iss"), str):
            issuer = cred.get("issuer")
            if issuer is None:
                cred["issuer"] = payload["iss"]
            elif (issuer.get("id") if isinstance(issuer, dict) else issuer) != payload["iss"]:
                raise MalformedError("the JWT iss is not the credential's issuer")
        if claim == "vp" and isinstance(payload.get("iss"), str) and "holder" not in cred:
            cred["holder"] = payload["iss"]
        if claim == "vc" and isinstance(payload.get("sub"), str):
            subject = cred.get("credentialSubject")
            if isinstance(subject, dict) and "id" not in subject:
                cred["credentialSubject"] = {**subject, "id": payload["sub"]}
        return cred, payload
    return dict(payload), payload


def claim_time(claims: dict[str, Any], name: str) -> datetime | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise MalformedError(f"the JWT {name} claim is not a number")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedError(f"the JWT {name} claim is out of range") from None


def _resolve_jwt_key(jws: CompactJws, issuer: str | None, opts: VerifyOptions) -> VerificationMethod:
    kid = jws.header.get("kid")
    iss = jws.header.get("iss") if isinstance(jws.header.get("iss"), str) else issuer
    if isinstance(kid, str) and kid:
        if kid.startswith("#") and iss:
            kid = iss + kid
        elif ":" not in kid and iss:
            kid = f"{iss}#{kid}"
        return resolve_verification_method(kid, opts.fetcher)
    if isinstance(iss, str) and iss.startswith("did:"):
        return resolve_verification_method(iss, opts.fetcher)
    jwk = jws.header.get("jwk")
    if isinstance(jwk, dict):
        # A key in the header proves nothing about who holds it: no controller vouches for it.
        return VerificationMethod("(key in the JWT header)", "JsonWebKey", "(unknown)",
                                  jwk_to_public_key(jwk), frozenset())
    raise KeyResolutionError("the JWT names no key (no kid, no jwk, no DID issuer)")


def signed_by(jws: CompactJws, what: str, resolve: Callable[[], _Key]) -> tuple[_Key | None, list[CheckResult]]:
    """Whether ``jws`` is signed by the key ``resolve`` finds: ``(key, [])`` when the signature is intact,
    else ``(None, [the check that says why not])``. ``what`` names the token in sentences ("JWT", "SD-JWT")."""
    alg = jws.header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":  # RFC 7515 §4.1.1; RFC 9901 §7.1 step 2.1
        return None, [failed(CheckId.PROOF_PRESENT, "no-proof", f"The {what} is not signed (alg none).")]
    try:
        key = resolve()
    except KeyResolutionError as exc:
        return None, [could_not_check(CheckId.PROOF_KEY, "unresolvable-key", f"The {what}'s key could not be "
                                      f"found: {exc}.")]
    except MalformedError as exc:
        return None, [could_not_check(CheckId.PROOF_KEY, "unresolvable-key", f"The {what}'s key cannot be read: "
                                      f"{exc}.")]
    try:
        ok = verify_jws_signature(alg, jws.signing_input, jws.signature, key.public_key)
    except UnsupportedProofError:
        return None, [could_not_check(CheckId.PROOF_SIGNATURE, "unsupported-proof-type",
                                      f"Satchel cannot check {what}s signed with {alg}.")]
    if not ok:
        return None, [failed(CheckId.PROOF_SIGNATURE, "invalid-signature",
                             f"The {alg} signature of the {what} does not match: it was changed after signing, "
                             "or signed by another key.")]
    return key, []


def check_jwt_signature(jws: CompactJws, issuer: str | None, opts: VerifyOptions, *,
                        purpose: str = "assertionMethod", who: str = "issuer", what: str = "JWT",
                        tampered: str | None = None) -> list[CheckResult]:
    """The signature of ``jws`` by the key its ``kid`` names (against ``issuer``), and whether that key
    is the ``who``'s. ``tampered`` (an SD-JWT's Disclosure the signature does not cover, RFC 9901 §7.1
    step 5) makes an intact signature count for nothing."""
    method, refused = signed_by(jws, what, lambda: _resolve_jwt_key(jws, issuer, opts))
    if method is None:
        return refused
    alg = jws.header["alg"]
    binding = check_binding(method, purpose, issuer, who)
    if tampered is not None:
        return [failed(CheckId.PROOF_SIGNATURE, "invalid-signature", f"The {what} signature is intact, but "
                       f"{tampered}: it was changed or added after signing."), binding]
    return [passed(CheckId.PROOF_SIGNATURE, f"{what} signature ({alg}) by {short(method.id)} is intact."), binding]

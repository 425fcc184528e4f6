"""Verifiable Presentations of stored credentials, signed by the learner's holder key.

* Data Integrity form (``fmt="ldp"``): VCDM 2.0 §4.13 presentation, holder = the profile's
  did:key, one ``eddsa-rdfc-2022`` proof (vc-di-eddsa §3.3) with ``proofPurpose``
  ``authentication`` and the verifier's ``challenge`` and ``domain`` (VC Data Integrity §2.1,
  "challenge" / "domain": they bind the proof to one request of one verifier, so a copy of it
  is useless anywhere else). Its @context is VCDM 2.0 only: there ``verifiableCredential`` is
  a graph container with ``@context: null``, so each credential keeps its own contexts, VCDM 1.1
  ones included.
* JWT form (``fmt="jwt"``): VC-JWT 1.1 §6.3.1 claims: ``vp``, ``iss`` = holder DID,
  ``aud`` = domain, ``nonce`` = challenge, ``iat``/``exp``, ``jti``; EdDSA, ``kid`` = the
  holder's verification method.

Credentials go in as they were issued (the issuer's proof covers every byte of them), except one
with an ecdsa-sd-2023 *base* proof: that copy is the holder's alone (vc-di-ecdsa 1.0 §3.6.5), so
what goes in is a proof derived from it that discloses every claim, or the claims the learner
chose (JSON pointers, §3.6.6):
JSON-LD ones as objects; JWT ones as VCDM 2.0 §4.13.1 ``EnvelopedVerifiableCredential``
objects whose id is a ``data:application/vc+jwt,<compact JWS>`` URL (RFC 2397); a badge baked
in a PNG or SVG goes in as the credential it carries, without the picture (the issuer signed
the credential, not the pixels around it; OB 3.0 §5.3 / §5.4).

What can be made smaller without breaking a signature: only what no proof covers. Inside a
credential nothing is free (RDFC canonicalises every statement, JCS and JWS every byte), so an
embedded ``data:`` image stays; the holder's own wrapper is signed by us and carries no image
data. :func:`presentation_image_report` says how much of a presentation is image data, so the
app can explain why a code did not fit and a link was made instead.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from credentials import (
    MalformedError,
    ParsedInput,
    ProofOptions,
    SatchelError,
    add_proof,
    b64url_encode,
    derive_selective_disclosure,
    envelope,
    enveloped_jwt,
    has_sd_base_proof,
    parse_input,
    sign_jws,
)
from wallet.store import CredentialRecord, HolderProfile, Store

from .errors import NoProfileError, NotPresentableError

__all__ = ["ImageRef", "PresentationFormat", "VC2", "embedded_credential", "enveloped", "holder_profile",
           "present", "presentation_image_report", "unwrap_enveloped"]

VC2 = "https://www.w3.org/ns/credentials/v2"
PresentationFormat = Literal["ldp", "jwt"]
JWT_LIFETIME = timedelta(minutes=10)


def holder_profile(store: Store, profile_id: str | None) -> HolderProfile:
    profile = store.get_profile(profile_id) if profile_id else store.default_profile()
    if profile is None:
        raise NoProfileError("The wallet has no holder identity yet; create a profile before sharing.")
    return profile


def _compact_of(parsed: ParsedInput) -> str:
    assert parsed.jws is not None
    return parsed.jws.signing_input.decode("ascii") + "." + b64url_encode(parsed.jws.signature)


def enveloped(jwt: str, kind: Literal["vc", "vp"] = "vc") -> dict[str, Any]:
    """VCDM 2.0 §4.13.1 / §4.13.2: a JWT as a JSON-LD object (the engine's ``envelope``)."""
    return envelope(jwt, kind)


def unwrap_enveloped(doc: Mapping[str, Any]) -> dict[str, Any] | str:
    """The compact JWT of an enveloped presentation or credential; any other object as it is."""
    try:
        jwt = enveloped_jwt(doc)
    except MalformedError:
        jwt = None
    return jwt if jwt is not None else dict(doc)


def embedded_credential(record: CredentialRecord, disclose: Sequence[str] | None = None) -> dict[str, Any]:
    """How a stored credential goes into a presentation (see the module docstring); ``disclose``:
    what an ecdsa-sd-2023 base credential discloses besides its mandatory claims (all when None)."""
    try:
        parsed = parse_input(record.original)
    except SatchelError as exc:
        raise NotPresentableError(record.id, f"it could not be read ({exc})") from None
    if parsed.format == "vc-jwt":
        return enveloped(_compact_of(parsed), "vc")
    if parsed.format == "vc" and parsed.document is not None:
        if "proof" not in parsed.document and parsed.document.get("type") != "EnvelopedVerifiableCredential":
            raise NotPresentableError(record.id, "it carries no signature, so nobody could check it")
        if has_sd_base_proof(parsed.document):
            try:
                return derive_selective_disclosure(parsed.document, disclose)
            except SatchelError as exc:
                raise NotPresentableError(record.id, f"its selective disclosure could not be made ({exc})") from None
        return parsed.document
    if parsed.format.startswith("ob2"):
        raise NotPresentableError(record.id, "an Open Badges 2.0 badge has no holder binding, so it cannot go "
                                  "inside a presentation; show it as a QR code on its own, or share its "
                                  "hosted URL or the baked image")
    raise NotPresentableError(record.id, f"a {parsed.format} cannot go inside a presentation")


def badge_itself(record: CredentialRecord) -> dict[str, Any] | None:
    """What a QR code of an Open Badges 2.0 badge carries, alone (None for any other credential).

    OB 2.0 has no holder binding, so no presentation can hold it (see :func:`embedded_credential`);
    the code carries the badge as the verifier checks it (OB 2.0 §Verification): a hosted assertion's
    JSON (the verifier fetches its hosted copy and compares), or a signed one's JWS, in a VCDM 2.0
    §4.13.1 envelope, the one JSON container the QR formats carry a compact JWS in (the engine reads
    the OB 2.0 JWS inside for what it is). The verifier then sees whom it names (a hashed e-mail
    address) and no proof that the person showing it is that person, and says so.
    """
    try:
        parsed = parse_input(record.original)
    except SatchelError:
        return None
    if parsed.format == "ob2-jws" and parsed.jws is not None:
        return enveloped(_compact_of(parsed), "vc")
    if parsed.format == "ob2" and parsed.document is not None:
        return dict(parsed.document)
    return None


def _unsigned_presentation(holder: str, credentials: list[dict[str, Any]]) -> dict[str, Any]:
    return {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder,
            "verifiableCredential": credentials}


def present(store: Store, credential_ids: Iterable[str], *, profile_id: str | None = None,
            challenge: str | None = None, domain: str | None = None, fmt: PresentationFormat = "ldp",
            expires: datetime | None = None, now: datetime | None = None,
            disclose: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any] | str:
    """A presentation of the stored credentials, signed by the profile's key (the default profile
    when ``profile_id`` is None): a JSON object for ``"ldp"``, a compact JWS for ``"jwt"``.

    ``expires`` sets the Data Integrity proof's ``expires`` (VC DI §2.1) or the JWT ``exp``.
    ``disclose`` maps a record id to the JSON pointers its ecdsa-sd-2023 base credential discloses
    (every claim for a record not named).
    Raises NoProfileError, NotPresentableError, wallet.store.RecordNotFoundError.
    """
    ids = list(dict.fromkeys(credential_ids))
    if not ids:
        raise ValueError("choose at least one credential to present")
    profile = holder_profile(store, profile_id)
    key = store.signing_key(profile.id)
    creds = [embedded_credential(store.get_credential(cid), (disclose or {}).get(cid)) for cid in ids]
    vp = _unsigned_presentation(profile.did, creds)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    if fmt == "ldp":
        options = ProofOptions(verification_method=profile.verification_method, proof_purpose="authentication",
                               created=moment, challenge=challenge, domain=domain, expires=expires)
        return add_proof(vp, "eddsa-rdfc-2022", key, options)
    if fmt == "jwt":
        # VC-JWT 1.1 §6.3.1: the JWT claims stand for the presentation's own properties.
        claims: dict[str, Any] = {"iss": profile.did, "jti": f"urn:uuid:{uuid.uuid4()}", "vp": vp,
                                  "iat": int(moment.timestamp()),
                                  "exp": int((expires or moment + JWT_LIFETIME).timestamp())}
        if domain is not None:
            claims["aud"] = domain
        if challenge is not None:
            claims["nonce"] = challenge
        header = {"alg": "EdDSA", "typ": "JWT", "kid": profile.verification_method}
        return sign_jws(header, json.dumps(claims, separators=(",", ":")).encode("utf-8"), key)
    raise ValueError(f"fmt is 'ldp' or 'jwt', not {fmt!r}")


# -- image data ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageRef:
    """One embedded ``data:`` image: where it is, how big, its SHA-256, and whether a proof covers it."""

    path: str
    media_type: str
    bytes: int
    sha256: str  # hex of the decoded image bytes: the "hash reference" an app can show or look up
    signed: bool


def _walk(node: Any, path: str, signed: bool) -> Iterator[ImageRef]:
    if isinstance(node, dict):
        covered = signed or "proof" in node
        for name, value in node.items():
            if name != "proof":
                yield from _walk(value, f"{path}.{name}" if path else name, covered)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _walk(value, f"{path}[{n}]", signed)
    elif isinstance(node, str) and node.startswith("data:image/") and "," in node:
        head, data = node[5:].split(",", 1)
        media_type = head.split(";", 1)[0]
        try:
            raw = base64.b64decode(data, validate=False) if head.endswith(";base64") else data.encode("utf-8")
        except ValueError:
            raw = data.encode("utf-8")
        yield ImageRef(path, media_type, len(raw), hashlib.sha256(raw).hexdigest(), signed)


def presentation_image_report(doc: Mapping[str, Any]) -> tuple[ImageRef, ...]:
    """Every ``data:`` image in a presentation or credential. In a signed presentation all are
    covered by a proof (the holder's or the issuer's), so none may be replaced by its hash."""
    return tuple(_walk(dict(doc), "", False))

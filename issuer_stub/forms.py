"""Securing a credential in each form a real issuer produces.

- Data Integrity: VCDM 2.0 + ``eddsa-rdfc-2022`` / ``eddsa-jcs-2022`` (vc-di-eddsa §3.3, §3.4),
  VCDM 1.1 + ``Ed25519Signature2020``.
- VC-JWT as OB 3.0 §8.3 describes it (VC-JWT 1.1: JWT claims + a ``vc`` claim), and VC-JOSE
  (VC-JOSE-COSE §3.1.1: the payload *is* the credential, ``typ`` ``vc+jwt``).
- Baked images: OB 3.0 §5.3 (PNG iTXt ``openbadgecredential``) and §5.4 (SVG ``openbadges:credential``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from credentials import ProofOptions, add_proof, bake_png, bake_svg, sign_jws

from .ob3 import VC_V2


@dataclass(frozen=True)
class SignedArtifact:
    """One issued thing: its bytes, how to store it, and the credential inside it."""

    form: str
    content: bytes
    media_type: str
    extension: str
    credential: dict[str, Any]

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


def json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def data_integrity(doc: dict[str, Any], suite: str, key: ed25519.Ed25519PrivateKey, method: str,
                   created: datetime) -> dict[str, Any]:
    return add_proof(doc, suite, key, ProofOptions(verification_method=method, created=created))


def _timestamp(dt: datetime) -> int:
    return int(dt.timestamp())


def ob3_vc_jwt(cred: dict[str, Any], key: ed25519.Ed25519PrivateKey, kid: str, valid_from: datetime,
               valid_until: datetime | None) -> str:
    """OB 3.0 §8.3 / VC-JWT 1.1 §6.3.1: iss, sub, nbf, jti, exp stand for the credential's fields."""
    issuer = cred["issuer"]["id"] if isinstance(cred["issuer"], dict) else cred["issuer"]
    claims: dict[str, Any] = {"iss": issuer, "sub": cred["credentialSubject"]["id"],
                              "nbf": _timestamp(valid_from), "jti": cred["id"], "vc": cred}
    if valid_until is not None:
        claims["exp"] = _timestamp(valid_until)
    header = {"alg": "EdDSA", "typ": "JWT", "kid": kid}
    return sign_jws(header, json.dumps(claims, ensure_ascii=False).encode("utf-8"), key)


def vc_jose(cred: dict[str, Any], key: ec.EllipticCurvePrivateKey, kid: str) -> str:
    """VC-JOSE-COSE §3.1.1: a VCDM 2.0 credential as the JWS payload, typ vc+jwt, cty vc."""
    if cred.get("@context", [None])[0] != VC_V2:
        raise ValueError("VC-JOSE secures VCDM 2.0 credentials only")
    header = {"alg": "ES256", "typ": "vc+jwt", "cty": "vc", "kid": kid}
    return sign_jws(header, json.dumps(cred, ensure_ascii=False).encode("utf-8"), key)


def baked_png(image: bytes, payload: str, ob_version: str = "3.0") -> bytes:
    return bake_png(image, payload, ob_version=ob_version)


def baked_svg(image: bytes, payload: str, ob_version: str = "3.0", verify_url: str | None = None) -> bytes:
    return bake_svg(image, payload, ob_version=ob_version, verify_url=verify_url)

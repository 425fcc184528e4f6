"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow.

offer (§4.1) -> /token with the pre-authorized code (§6.1) -> /nonce (§7) -> /credential with a
``jwt`` key proof (§8.2, Appendix F.1) whose key is the wallet's did:key; the credential is issued
to that DID (credentialSubject.id).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import qrcode

from credentials import Fetcher, SatchelError, parse_compact_jws, resolve_verification_method, verify_jws_signature

from .ob3 import OB3_CONTEXT, VC_V2
from .state import State, StateError

PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
PROOF_TYP = "openid4vci-proof+jwt"
MAX_PROOF_AGE_SECONDS = 300


@dataclass(frozen=True)
class Offer:
    code: str
    achievement: str
    credential_offer: dict[str, Any]

    @property
    def uri(self) -> str:
        """§4.1.2: the offer by value in the ``credential_offer`` query parameter."""
        return "openid-credential-offer://?credential_offer=" + quote(json.dumps(self.credential_offer,
                                                                                separators=(",", ":")))

    def qr_png(self) -> bytes:
        import io

        image = qrcode.make(self.uri)
        out = io.BytesIO()
        image.save(out)
        return out.getvalue()


def issuer_metadata(base_url: str) -> dict[str, Any]:
    """§12.2 Credential Issuer Metadata."""
    return {
        "credential_issuer": base_url,
        "credential_endpoint": f"{base_url}/credential",
        "nonce_endpoint": f"{base_url}/nonce",
        "token_endpoint": f"{base_url}/token",  # draft 13 wallets read it here
        "display": [{"name": "Satchel demo issuer", "locale": "en"}],
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": "ldp_vc",
                "scope": "OpenBadgeCredential",
                "cryptographic_binding_methods_supported": ["did:key"],
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}},
                "credential_definition": {"@context": [VC_V2, OB3_CONTEXT],
                                          "type": ["VerifiableCredential", "OpenBadgeCredential"]},
            }
        },
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    """RFC 8414, with OID4VCI §12.3's pre-authorized grant flag."""
    return {"issuer": base_url, "token_endpoint": f"{base_url}/token",
            "grant_types_supported": [PRE_AUTH_GRANT],
            "pre-authorized_grant_anonymous_access_supported": True}


def make_offer(state: State, base_url: str, achievement: str, now: str) -> Offer:
    code = secrets.token_urlsafe(24)
    state.add_offer(code, achievement, now)
    return offer_for(base_url, code, achievement)


def offer_for(base_url: str, code: str, achievement: str) -> Offer:
    body = {"credential_issuer": base_url, "credential_configuration_ids": [CONFIGURATION_ID],
            "grants": {PRE_AUTH_GRANT: {"pre-authorized_code": code}}}
    return Offer(code, achievement, body)


def exchange_code(state: State, form: dict[str, str]) -> dict[str, Any]:
    """§6.1 Token Request with the pre-authorized code; single use."""
    if form.get("grant_type") != PRE_AUTH_GRANT:
        raise StateError(400, "unsupported_grant_type", f"grant_type must be {PRE_AUTH_GRANT}")
    code = form.get("pre-authorized_code", "")
    offer = state.offer_by_code(code)
    if offer is None:
        raise StateError(400, "invalid_grant", "unknown pre-authorized_code")
    token, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    state.grant_token(code, token, nonce)
    return {"access_token": token, "token_type": "Bearer", "expires_in": 600, "c_nonce": nonce,
            "c_nonce_expires_in": 300}


def new_nonce(state: State, token: str) -> dict[str, Any]:
    nonce = secrets.token_urlsafe(16)
    state.set_nonce(token, nonce)
    return {"c_nonce": nonce}


def holder_did_from_proof(proof_jwt: str, *, audience: str, nonce: str | None, now: datetime) -> str:
    """Appendix F.1 / §8.2.1.1: check the key proof and return the wallet DID it proves."""
    try:
        jws = parse_compact_jws(proof_jwt)
        claims = json.loads(jws.payload)
    except (SatchelError, ValueError) as exc:
        raise StateError(400, "invalid_proof", f"the proof is not a compact JWS: {exc}") from None
    if jws.header.get("typ") != PROOF_TYP:
        raise StateError(400, "invalid_proof", f"the proof's typ must be {PROOF_TYP}")
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or not kid.startswith("did:key:"):
        raise StateError(400, "invalid_proof", "the proof's kid must be a did:key verification method")
    try:
        method = resolve_verification_method(kid, Fetcher(None))  # did:key needs no network
        ok = verify_jws_signature(str(jws.header.get("alg")), jws.signing_input, jws.signature, method.public_key)
    except SatchelError as exc:
        raise StateError(400, "invalid_proof", f"the proof's key cannot be used: {exc}") from None
    if not ok:
        raise StateError(400, "invalid_proof", "the proof's signature does not verify")
    if "authentication" not in method.relationships and "assertionMethod" not in method.relationships:
        raise StateError(400, "invalid_proof", "the key is not one its DID uses to authenticate")
    if not isinstance(claims, dict) or claims.get("aud") != audience:
        raise StateError(400, "invalid_proof", f"the proof's aud must be {audience}")
    if nonce is None or claims.get("nonce") != nonce:
        raise StateError(400, "invalid_nonce", "the proof does not carry the current c_nonce")
    iat = claims.get("iat")
    if not isinstance(iat, int) or abs(now.timestamp() - iat) > MAX_PROOF_AGE_SECONDS:
        raise StateError(400, "invalid_proof", "the proof's iat is missing or not recent")
    return method.controller


def wallet_proof(key: Any, *, audience: str, nonce: str, now: datetime | None = None) -> str:
    """What a wallet sends (used by tests and the demo): a key proof JWT from a did:key."""
    from credentials import did_key_from_public_key, sign_jws

    did = did_key_from_public_key(key.public_key())
    header = {"alg": "EdDSA", "typ": PROOF_TYP, "kid": f"{did}#{did.removeprefix('did:key:')}"}
    issued = int((now or datetime.now(UTC)).timestamp())
    return sign_jws(header, json.dumps({"aud": audience, "iat": issued, "nonce": nonce}).encode(), key)

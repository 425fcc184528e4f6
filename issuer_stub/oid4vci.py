"""OpenID for Verifiable Credential Issuance 1.0: offers, metadata, tokens and the credential endpoints.

Pre-authorized code flow: offer (§4.1) -> /token with the pre-authorized code and, when the offer
says so, the ``tx_code`` the learner was shown out of band (§4.1.1, §6.1) -> /nonce (§7) ->
/credential with ``jwt`` key proofs (§8.2, Appendix F.1). Authorization code flow: offer with
``issuer_state`` -> /authorize (``oid4vci_authorize``, PKCE) -> /token with the code and its
verifier. The credential is bound to the key each proof proves (a did:key ``kid``, or a ``jwk``
named as did:jwk); formats ``ldp_vc``, ``jwt_vc_json`` and ``dc+sd-jwt`` (§12.2.4, Appendix A);
deferred issuance (§9) and batches (``batch_credential_issuance``, one credential per proof).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import qrcode

from credentials import (
    Fetcher,
    SatchelError,
    b64url_encode,
    parse_compact_jws,
    resolve_verification_method,
    verify_jws_signature,
)

from .ob3 import OB3_CONTEXT, VC_V2
from .oid4vci_authorize import redeem_authorization_code
from .oid4vci_book import AccessToken, DeferredTransaction, OfferBook, OfferTerms, TxCodeTerms, live_offer
from .sd_jwt_vc import SD_JWT_VCT, issue_sd_jwt_vc
from .state import StateError

if TYPE_CHECKING:
    from .issuer import Issuer

PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTH_CODE_GRANT = "authorization_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
JWT_CONFIGURATION_ID = "OpenBadgeCredential_jwt_vc_json"
SD_JWT_CONFIGURATION_ID = "OpenBadgeCredential_dc+sd-jwt"
CONFIGURATIONS = (CONFIGURATION_ID, JWT_CONFIGURATION_ID, SD_JWT_CONFIGURATION_ID)
PROOF_TYP = "openid4vci-proof+jwt"
MAX_PROOF_AGE_SECONDS = 300
BATCH_SIZE = 3
OFFER_LIFETIME_SECONDS = 15 * 60
TOKEN_LIFETIME_SECONDS = 10 * 60
NONCE_LIFETIME_SECONDS = 5 * 60
DEFERRED_LIFETIME_SECONDS = 24 * 3600
DEFERRED_INTERVAL_SECONDS = 5
TX_CODE_LENGTH = 6


@dataclass(frozen=True)
class Offer:
    """A credential offer as the learner receives it; ``tx_code`` is what the issuer shows them apart."""

    code: str
    achievement: str
    credential_offer: dict[str, Any]
    base_url: str
    tx_code: str | None = None

    @property
    def uri(self) -> str:
        """§4.1.2: the offer by value in the ``credential_offer`` query parameter."""
        return "openid-credential-offer://?credential_offer=" + quote(json.dumps(self.credential_offer,
                                                                                separators=(",", ":")))

    @property
    def uri_by_reference(self) -> str:
        """§4.1.3: the offer by reference, fetched by the wallet from ``credential_offer_uri``."""
        return "openid-credential-offer://?credential_offer_uri=" + quote(f"{self.base_url}/offers/{self.code}",
                                                                         safe="")

    def qr_png(self) -> bytes:
        import io

        image = qrcode.make(self.uri)
        out = io.BytesIO()
        image.save(out)
        return out.getvalue()


def offer_page(offer: Offer, achievement_name: str) -> bytes:
    """The issuer's page for one offer: its QR code to scan with the wallet and, shown beside it rather
    than in it (§4.1.1), the transaction code the learner types."""
    import html

    code = ""
    if offer.tx_code:
        code = (f"<p>Your wallet will ask for this transaction code:</p>"
                f"<p style='font-size:2rem;letter-spacing:.3rem'><strong>{html.escape(offer.tx_code)}</strong></p>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Collect {html.escape(achievement_name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 2rem auto">
<h1>Collect your badge: {html.escape(achievement_name)}</h1>
<p>Scan this code with your wallet, or open the link on the device your wallet is on.</p>
<img src="/offers/{html.escape(offer.code)}.png" alt="the offer's QR code" width="280" height="280">
<p><a href="{html.escape(offer.uri)}">Open in your wallet</a></p>{code}
</body></html>""".encode()


# -- metadata -----------------------------------------------------------------------------------

def _proof_types() -> dict[str, Any]:
    return {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}}


def _display(name: str, logo_url: str | None) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"name": name, "locale": "en"}
    if logo_url:
        entry["logo"] = {"uri": logo_url, "alt_text": "the issuer's badge"}
    return [entry]


def issuer_metadata(base_url: str, logo_url: str | None = None) -> dict[str, Any]:
    """§12.2 Credential Issuer Metadata: three configurations of one Open Badge."""
    definition = {"@context": [VC_V2, OB3_CONTEXT], "type": ["VerifiableCredential", "OpenBadgeCredential"]}
    common = {"cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
              "proof_types_supported": _proof_types()}
    return {
        "credential_issuer": base_url,
        "authorization_servers": [base_url],
        "credential_endpoint": f"{base_url}/credential",
        "nonce_endpoint": f"{base_url}/nonce",
        "deferred_credential_endpoint": f"{base_url}/deferred_credential",
        "notification_endpoint": f"{base_url}/notification",
        "token_endpoint": f"{base_url}/token",  # draft 13 wallets read it here
        "batch_credential_issuance": {"batch_size": BATCH_SIZE},
        "display": _display("Satchel demo issuer", logo_url),
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": "ldp_vc", "scope": "OpenBadgeCredential", **common,
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "credential_definition": definition,
                "credential_metadata": {"display": _display("Open Badge (Data Integrity)", logo_url)},
            },
            JWT_CONFIGURATION_ID: {
                "format": "jwt_vc_json", "scope": "OpenBadgeCredential_jwt", **common,
                "credential_signing_alg_values_supported": ["EdDSA"],
                "credential_definition": {"type": definition["type"]},
                "credential_metadata": {"display": _display("Open Badge (VC-JWT)", logo_url)},
            },
            SD_JWT_CONFIGURATION_ID: {
                "format": "dc+sd-jwt", "scope": "OpenBadgeCredential_sd_jwt", "vct": SD_JWT_VCT, **common,
                "credential_signing_alg_values_supported": ["ES256"],
                "credential_metadata": {"display": _display("Open Badge (SD-JWT VC)", logo_url)},
            },
        },
    }


def authorization_server_metadata(base_url: str) -> dict[str, Any]:
    """RFC 8414 §2, with OID4VCI §12.3's pre-authorized grant flag and PKCE (RFC 7636 §4.3)."""
    return {"issuer": base_url, "token_endpoint": f"{base_url}/token",
            "authorization_endpoint": f"{base_url}/authorize",
            "grant_types_supported": [AUTH_CODE_GRANT, PRE_AUTH_GRANT],
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "pre-authorized_grant_anonymous_access_supported": True}


# -- offers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfferOptions:
    """What ``POST /api/offers`` and ``satchel-issuer issue --offer`` may ask for."""

    configuration_id: str = CONFIGURATION_ID
    grant: str = "pre-authorized_code"  # or "authorization_code"
    tx_code: str | None = None  # "numeric" or "text": the learner must type a code shown out of band
    deferred: bool = False
    expires_in: int = OFFER_LIFETIME_SECONDS
    deferred_expires_in: int = DEFERRED_LIFETIME_SECONDS


def parse_offer_options(body: dict[str, Any]) -> OfferOptions:
    options = OfferOptions(
        configuration_id=str(body.get("credential_configuration_id", CONFIGURATION_ID)),
        grant=str(body.get("grant", "pre-authorized_code")),
        tx_code=None if body.get("tx_code") in (None, False) else str(body.get("tx_code")),
        deferred=body.get("deferred") is True,
        expires_in=body.get("expires_in", OFFER_LIFETIME_SECONDS),
        deferred_expires_in=body.get("deferred_expires_in", DEFERRED_LIFETIME_SECONDS),
    )
    if options.configuration_id not in CONFIGURATIONS:
        raise StateError(400, "invalid_request", f"credential_configuration_id must be one of {list(CONFIGURATIONS)}")
    if options.grant not in ("pre-authorized_code", "authorization_code"):
        raise StateError(400, "invalid_request", "grant must be pre-authorized_code or authorization_code")
    if options.tx_code not in (None, "numeric", "text"):
        raise StateError(400, "invalid_request", "tx_code must be numeric or text")
    if options.tx_code and options.grant != "pre-authorized_code":
        raise StateError(400, "invalid_request", "a tx_code goes with a pre-authorized code only (§4.1.1)")
    for seconds in (options.expires_in, options.deferred_expires_in):
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise StateError(400, "invalid_request", "expires_in and deferred_expires_in are numbers of seconds")
    return options


def _new_tx_code(input_mode: str) -> TxCodeTerms:
    if input_mode == "numeric":
        value = "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH))
    else:
        value = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(TX_CODE_LENGTH))
    return TxCodeTerms(value, input_mode, "The code satchel-issuer printed when it made this offer")


def make_offer(book: OfferBook, base_url: str, achievement: str, options: OfferOptions | None = None,
               now: int | None = None) -> Offer:
    options = options or OfferOptions()
    terms = OfferTerms(code=secrets.token_urlsafe(24), achievement=achievement,
                       configuration_id=options.configuration_id, grant=options.grant,
                       expires_at=int(now if now is not None else time.time()) + options.expires_in,
                       tx_code=_new_tx_code(options.tx_code) if options.tx_code else None,
                       deferred=options.deferred, deferred_lifetime=options.deferred_expires_in)
    book.add_offer(terms)
    return offer_for(base_url, terms)


def offer_for(base_url: str, terms: OfferTerms) -> Offer:
    """§4.1.1 Credential Offer Parameters for these terms."""
    grant: dict[str, Any]
    if terms.grant == "authorization_code":
        grants: dict[str, Any] = {AUTH_CODE_GRANT: {"issuer_state": terms.code}}
    else:
        grant = {"pre-authorized_code": terms.code}
        if terms.tx_code is not None:
            grant["tx_code"] = {"input_mode": terms.tx_code.input_mode, "length": len(terms.tx_code.value),
                                "description": terms.tx_code.description}
        grants = {PRE_AUTH_GRANT: grant}
    body = {"credential_issuer": base_url, "credential_configuration_ids": [terms.configuration_id],
            "grants": grants}
    return Offer(terms.code, terms.achievement, body, base_url, terms.tx_code.value if terms.tx_code else None)


# -- §6 token endpoint --------------------------------------------------------------------------

def exchange_code(book: OfferBook, form: dict[str, str], now: int) -> dict[str, Any]:
    """§6.1 Token Request: a pre-authorized code (and its tx_code), or an authorization code with PKCE."""
    grant_type = form.get("grant_type")
    if grant_type == PRE_AUTH_GRANT:
        offer = _pre_authorized_offer(book, form, now)
    elif grant_type == AUTH_CODE_GRANT:
        offer = redeem_authorization_code(book, form, now)
    else:
        raise StateError(400, "unsupported_grant_type", f"grant_type must be {PRE_AUTH_GRANT} or {AUTH_CODE_GRANT}")
    book.save_offer(replace(offer, used=True))  # §6: a code is good for one token
    token = AccessToken(secrets.token_urlsafe(32), offer.code, now + TOKEN_LIFETIME_SECONDS)
    book.add_token(token)
    nonce = secrets.token_urlsafe(16)
    book.add_nonce(nonce, now + NONCE_LIFETIME_SECONDS)
    return {"access_token": token.token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS,
            "c_nonce": nonce, "c_nonce_expires_in": NONCE_LIFETIME_SECONDS,
            "authorization_details": [{"type": "openid_credential",
                                       "credential_configuration_id": offer.configuration_id,
                                       "credential_identifiers": [offer.configuration_id]}]}


def _pre_authorized_offer(book: OfferBook, form: dict[str, str], now: int) -> OfferTerms:
    offer = live_offer(book, form.get("pre-authorized_code", ""), now)
    if offer.grant != "pre-authorized_code":
        raise StateError(400, "invalid_grant", "this offer is redeemed with a sign-in, not a pre-authorized code")
    if offer.tx_code is None:
        return offer
    given = form.get("tx_code")
    if given is None:
        raise StateError(400, "invalid_request", "this offer needs its tx_code")
    if secrets.compare_digest(given.encode(), offer.tx_code.value.encode()):
        return offer
    left = offer.attempts_left - 1
    book.save_offer(replace(offer, attempts_left=left, used=left <= 0))
    if left <= 0:
        raise StateError(400, "invalid_grant", "wrong transaction code; too many wrong codes, the offer is withdrawn")
    raise StateError(400, "invalid_grant", f"wrong transaction code; {left} tries left")


def new_nonce(book: OfferBook, now: int) -> dict[str, Any]:
    """§7.2 Nonce Response (no access token needed, §7.1)."""
    nonce = secrets.token_urlsafe(16)
    book.add_nonce(nonce, now + NONCE_LIFETIME_SECONDS)
    return {"c_nonce": nonce}


def valid_token(book: OfferBook, bearer: str, now: int) -> AccessToken:
    token = book.token(bearer)
    if token is None or now >= token.expires_at:
        raise StateError(401, "invalid_token", "unknown or expired access token")
    return token


# -- §8 credential endpoint ---------------------------------------------------------------------

@dataclass(frozen=True)
class ProvenKey:
    """The holder a key proof proves: a DID (its subject id) and the key as a JWK (an SD-JWT VC's ``cnf``)."""

    did: str
    jwk: dict[str, Any]


def credential_response(book: OfferBook, issuer: Issuer, token: AccessToken, body: dict[str, Any],
                        now: datetime) -> tuple[int, dict[str, Any]]:
    """§8.2 Credential Request -> §8.3 Credential Response (200 with credentials, or 202 deferred)."""
    if token.redeemed:
        raise StateError(400, "invalid_request", "this offer was already redeemed")
    offer = book.offer(token.offer_code)
    assert offer is not None  # a token is only granted for an offer
    wanted = body.get("credential_configuration_id") or body.get("credential_identifier") or offer.configuration_id
    if wanted != offer.configuration_id:
        raise StateError(400, "unknown_credential_configuration", f"this offer is for {offer.configuration_id}")
    keys = proven_keys(book, _proof_jwts(body), audience=issuer.base_url, now=now)
    book.add_token(replace(token, redeemed=True))
    if offer.deferred:
        transaction = DeferredTransaction(secrets.token_urlsafe(16), offer.code, tuple(k.did for k in keys),
                                          tuple(json.dumps(k.jwk) for k in keys),
                                          int(now.timestamp()) + offer.deferred_lifetime)
        book.add_deferred(transaction)
        # §9.1: the wallet collects with this token, so it outlives the transaction (which then says it expired)
        book.add_token(replace(token, redeemed=True, expires_at=transaction.expires_at + TOKEN_LIFETIME_SECONDS))
        return 202, {"transaction_id": transaction.transaction_id, "interval": DEFERRED_INTERVAL_SECONDS}
    return 200, _issued(book, issuer, offer, keys)


def _issued(book: OfferBook, issuer: Issuer, offer: OfferTerms, keys: list[ProvenKey]) -> dict[str, Any]:
    """§8.3 the credentials, with a ``notification_id`` (§11) the wallet may answer about."""
    notification_id = secrets.token_urlsafe(12)
    book.add_notification(notification_id)
    return {"credentials": [{"credential": issue_one(issuer, offer, k)} for k in keys],
            "notification_id": notification_id}


def deferred_response(book: OfferBook, issuer: Issuer, body: dict[str, Any], now: int) -> tuple[int, dict[str, Any]]:
    """§9: 202 with ``interval`` while the issuer has not approved it, then the credentials once."""
    transaction = book.deferred(str(body.get("transaction_id", "")))
    if transaction is None or transaction.delivered or now >= transaction.expires_at:
        raise StateError(400, "invalid_transaction_id", "unknown, expired or already delivered transaction_id")
    if not transaction.approved:
        return 202, {"transaction_id": transaction.transaction_id, "interval": DEFERRED_INTERVAL_SECONDS}
    offer = book.offer(transaction.offer_code)
    assert offer is not None
    book.add_deferred(replace(transaction, delivered=True))
    keys = [ProvenKey(d, json.loads(j)) for d, j in zip(transaction.holders, transaction.holder_jwks, strict=True)]
    return 200, _issued(book, issuer, offer, keys)


def deferred_json(book: OfferBook, transaction_id: str) -> dict[str, Any]:
    """A deferred transaction as the operator sees it (``GET /api/deferred``)."""
    transaction = book.deferred(transaction_id)
    offer = book.offer(transaction.offer_code) if transaction else None
    assert transaction is not None and offer is not None
    return {"transaction_id": transaction_id, "achievement": offer.achievement, "holders": list(transaction.holders),
            "approved": transaction.approved, "delivered": transaction.delivered}


def issue_one(issuer: Issuer, offer: OfferTerms, key: ProvenKey) -> dict[str, Any] | str:
    if offer.configuration_id == SD_JWT_CONFIGURATION_ID:
        return issue_sd_jwt_vc(issuer, offer.achievement, key.jwk)
    if offer.configuration_id == JWT_CONFIGURATION_ID:
        _, artifact = issuer.issue(offer.achievement, "ob3-vc-jwt", key.did)
        return artifact.content.decode("utf-8")
    _, artifact = issuer.issue(offer.achievement, "ob3-v2-eddsa-rdfc-2022", key.did)
    return artifact.credential


def _proof_jwts(body: dict[str, Any]) -> list[str]:
    """§8.2 ``proofs: {"jwt": [...]}`` (1.0), or draft 13's single ``proof``."""
    proofs, proof = body.get("proofs"), body.get("proof")
    if isinstance(proofs, dict) and set(proofs) == {"jwt"} and isinstance(proofs["jwt"], list):
        jwts = proofs["jwt"]
    elif isinstance(proof, dict) and proof.get("proof_type") == "jwt":
        jwts = [proof.get("jwt")]
    else:
        raise StateError(400, "invalid_proof", "a jwt key proof is required (proofs.jwt)")
    if not jwts or not all(isinstance(j, str) for j in jwts):
        raise StateError(400, "invalid_proof", "proofs.jwt must be a list of JWTs")
    if len(jwts) > BATCH_SIZE:
        raise StateError(400, "invalid_proof", f"at most {BATCH_SIZE} proofs (batch_credential_issuance)")
    return jwts


def proven_keys(book: OfferBook, jwts: list[str], *, audience: str, now: datetime) -> list[ProvenKey]:
    """Every proof checked; all carry the one fresh c_nonce, which is then spent (§8.2)."""
    keys, nonces = [], set()
    for jwt in jwts:
        key, nonce = check_key_proof(jwt, audience=audience, now=now)
        keys.append(key)
        nonces.add(nonce)
    if len(nonces) != 1 or not book.take_nonce(nonces.pop(), int(now.timestamp())):
        raise StateError(400, "invalid_nonce", "the proof does not carry a current c_nonce")
    return keys


def check_key_proof(proof_jwt: str, *, audience: str, now: datetime) -> tuple[ProvenKey, str]:
    """Appendix F.1 / §8.2.1.1: check one key proof; the key it proves and the nonce it carries."""
    try:
        jws = parse_compact_jws(proof_jwt)
        claims = json.loads(jws.payload)
    except (SatchelError, ValueError) as exc:
        raise StateError(400, "invalid_proof", f"the proof is not a compact JWS: {exc}") from None
    if jws.header.get("typ") != PROOF_TYP:
        raise StateError(400, "invalid_proof", f"the proof's typ must be {PROOF_TYP}")
    kid = _proof_key_id(jws.header)
    try:
        method = resolve_verification_method(kid, Fetcher(None))  # did:key and did:jwk need no network
        ok = verify_jws_signature(str(jws.header.get("alg")), jws.signing_input, jws.signature, method.public_key)
    except SatchelError as exc:
        raise StateError(400, "invalid_proof", f"the proof's key cannot be used: {exc}") from None
    if not ok:
        raise StateError(400, "invalid_proof", "the proof's signature does not verify")
    if not isinstance(claims, dict) or claims.get("aud") != audience:
        raise StateError(400, "invalid_proof", f"the proof's aud must be {audience}")
    iat = claims.get("iat")
    if not isinstance(iat, int) or abs(now.timestamp() - iat) > MAX_PROOF_AGE_SECONDS:
        raise StateError(400, "invalid_proof", "the proof's iat is missing or not recent")
    from credentials import public_key_to_jwk

    return ProvenKey(method.controller, public_key_to_jwk(method.public_key)), str(claims.get("nonce", ""))


def _proof_key_id(header: dict[str, Any]) -> str:
    """§8.2.1.1: the key is a DID URL ``kid`` (did:key / did:jwk) or a bare ``jwk``, never both."""
    kid, jwk = header.get("kid"), header.get("jwk")
    if isinstance(jwk, dict) and kid is None:
        if "d" in jwk:
            raise StateError(400, "invalid_proof", "the proof's jwk holds a private key")
        did = "did:jwk:" + b64url_encode(json.dumps(jwk, separators=(",", ":")).encode())
        return did + "#0"
    if isinstance(kid, str) and kid.startswith(("did:key:", "did:jwk:")) and jwk is None:
        return kid
    raise StateError(400, "invalid_proof", "the proof needs a did:key / did:jwk kid or a jwk (not both)")


def wallet_proof(key: Any, *, audience: str, nonce: str, now: datetime | None = None) -> str:
    """What a wallet sends (used by tests and the demo): a key proof JWT from a did:key."""
    from datetime import UTC

    from credentials import did_key_from_public_key, sign_jws

    did = did_key_from_public_key(key.public_key())
    header = {"alg": "EdDSA", "typ": PROOF_TYP, "kid": f"{did}#{did.removeprefix('did:key:')}"}
    issued = int((now or datetime.now(UTC)).timestamp())
    return sign_jws(header, json.dumps({"aud": audience, "iat": issued, "nonce": nonce}).encode(), key)

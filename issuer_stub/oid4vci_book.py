"""What the stub remembers of OpenID4VCI exchanges: offers, authorization requests and codes, access
tokens, nonces and deferred transactions, each a frozen record kept as JSON in the state's ``meta``
table under ``oid4vci:<kind>:<key>`` (the CLI makes offers in one process, ``serve`` redeems them in
another; a restart keeps them). The server takes its write lock around every POST, so a read, check
and write here is never interleaved with another.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from .state import State, StateError

MAX_TX_CODE_ATTEMPTS = 3  # wrong transaction codes an offer survives (§4.1.1 leaves the limit to the issuer)


@dataclass(frozen=True)
class TxCodeTerms:
    """§4.1.1 ``tx_code``: how the code the learner receives out of band looks."""

    value: str
    input_mode: str  # "numeric" or "text"
    description: str


@dataclass(frozen=True)
class OfferTerms:
    """One credential offer; ``code`` is its pre-authorized code or its ``issuer_state``."""

    code: str
    achievement: str
    configuration_id: str
    grant: str  # "pre-authorized_code" or "authorization_code"
    expires_at: int
    tx_code: TxCodeTerms | None = None
    attempts_left: int = MAX_TX_CODE_ATTEMPTS
    deferred: bool = False
    deferred_lifetime: int = 24 * 3600  # seconds a deferred transaction can be collected in
    used: bool = False


@dataclass(frozen=True)
class AuthorizationRequest:
    """An authorization request the learner has not answered yet (RFC 6749 §4.1.1, PKCE RFC 7636 §4.3)."""

    id: str
    offer_code: str
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    expires_at: int


@dataclass(frozen=True)
class AuthorizationCode:
    code: str
    request: AuthorizationRequest
    expires_at: int
    used: bool = False


@dataclass(frozen=True)
class AccessToken:
    token: str
    offer_code: str
    expires_at: int
    redeemed: bool = False


@dataclass(frozen=True)
class DeferredTransaction:
    """§9: a credential request accepted for later; ``holders`` are the DIDs its key proofs proved."""

    transaction_id: str
    offer_code: str
    holders: tuple[str, ...]
    holder_jwks: tuple[str, ...]  # each proof's public key as JSON (an SD-JWT VC's ``cnf``)
    expires_at: int
    approved: bool = False
    delivered: bool = False


class OfferBook:
    """Reads and writes the records above in one :class:`State`."""

    def __init__(self, state: State) -> None:
        self._state = state

    def _put(self, kind: str, key: str, record: Any) -> None:
        self._state.set_meta(f"oid4vci:{kind}:{key}", json.dumps(asdict(record)))

    def _get(self, kind: str, key: str) -> dict[str, Any] | None:
        raw = self._state.get_meta(f"oid4vci:{kind}:{key}") if key else None
        return None if raw is None else dict(json.loads(raw))

    # -- offers -------------------------------------------------------------------------------
    def add_offer(self, offer: OfferTerms) -> None:
        self._put("offer", offer.code, offer)

    def offer(self, code: str) -> OfferTerms | None:
        raw = self._get("offer", code)
        if raw is None:
            return None
        tx = raw.pop("tx_code")
        return OfferTerms(**raw, tx_code=None if tx is None else TxCodeTerms(**tx))

    def save_offer(self, offer: OfferTerms) -> None:
        self._put("offer", offer.code, offer)

    # -- authorization code flow --------------------------------------------------------------
    def add_request(self, request: AuthorizationRequest) -> None:
        self._put("request", request.id, request)

    def request(self, request_id: str) -> AuthorizationRequest | None:
        raw = self._get("request", request_id)
        return None if raw is None else AuthorizationRequest(**raw)

    def add_code(self, code: AuthorizationCode) -> None:
        self._put("code", code.code, code)

    def code(self, code: str) -> AuthorizationCode | None:
        raw = self._get("code", code)
        if raw is None:
            return None
        return AuthorizationCode(raw["code"], AuthorizationRequest(**raw["request"]), raw["expires_at"], raw["used"])

    def use_code(self, code: AuthorizationCode) -> None:
        self._put("code", code.code, replace(code, used=True))

    # -- tokens, nonces -----------------------------------------------------------------------
    def add_token(self, token: AccessToken) -> None:
        self._put("token", token.token, token)

    def token(self, token: str) -> AccessToken | None:
        raw = self._get("token", token)
        return None if raw is None else AccessToken(**raw)

    def add_nonce(self, nonce: str, expires_at: int) -> None:
        self._state.set_meta(f"oid4vci:nonce:{nonce}", str(expires_at))

    def take_nonce(self, nonce: str, now: int) -> bool:
        """A nonce is good once, until it expires (§7.2: the issuer decides its lifetime)."""
        key = f"oid4vci:nonce:{nonce}"
        raw = self._state.get_meta(key) if nonce else None
        if raw is None or raw == "used":
            return False
        self._state.set_meta(key, "used")
        return now < int(raw)

    # -- §11 notifications ----------------------------------------------------------------------
    def add_notification(self, notification_id: str) -> None:
        self._state.set_meta(f"oid4vci:notification:{notification_id}", "")

    def notification(self, notification_id: str) -> str | None:
        """The event the wallet reported ("" before any), or None for an unknown id."""
        return self._state.get_meta(f"oid4vci:notification:{notification_id}") if notification_id else None

    def record_notification(self, notification_id: str, event: str) -> None:
        if self.notification(notification_id) is None:
            raise StateError(400, "invalid_notification_id", "unknown notification_id")
        self._state.set_meta(f"oid4vci:notification:{notification_id}", event)

    # -- deferred -----------------------------------------------------------------------------
    def add_deferred(self, transaction: DeferredTransaction) -> None:
        known = self.deferred_ids()
        if transaction.transaction_id not in known:
            self._state.set_meta("oid4vci:deferred-index", json.dumps([*known, transaction.transaction_id]))
        self._put("deferred", transaction.transaction_id, transaction)

    def deferred_ids(self) -> list[str]:
        """Every deferred transaction, oldest first (the operator's list of what waits for approval)."""
        raw = self._state.get_meta("oid4vci:deferred-index")
        return [] if raw is None else list(json.loads(raw))

    def deferred(self, transaction_id: str) -> DeferredTransaction | None:
        raw = self._get("deferred", transaction_id)
        if raw is None:
            return None
        return DeferredTransaction(**{**raw, "holders": tuple(raw["holders"]),
                                      "holder_jwks": tuple(raw["holder_jwks"])})

    def approve(self, transaction_id: str) -> DeferredTransaction:
        transaction = self.deferred(transaction_id)
        if transaction is None:
            raise StateError(404, "invalid_transaction_id", "no such deferred transaction")
        approved = replace(transaction, approved=True)
        self.add_deferred(approved)
        return approved


def live_offer(book: OfferBook, code: str, now: int) -> OfferTerms:
    offer = book.offer(code)
    if offer is None:
        raise StateError(400, "invalid_grant", "unknown pre-authorized_code or issuer_state")
    if offer.used:
        raise StateError(400, "invalid_grant", "the pre-authorized code was already used")
    if now >= offer.expires_at:
        raise StateError(400, "invalid_grant", "the offer expired; ask the issuer for a new one")
    return offer

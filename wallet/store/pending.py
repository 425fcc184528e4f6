"""A credential an issuer will deliver later (OpenID4VCI 1.0 §9 deferred issuance), kept sealed in the
wallet file until it is collected, so a restart loses nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PendingIssuance:
    id: str
    profile_id: str
    credential_issuer: str
    endpoint: str  # the deferred credential endpoint
    access_token: str
    transaction_id: str
    interval: int  # seconds the issuer asked the wallet to wait between asks
    name: str | None  # what the issuer calls the credential, for "on its way" lines
    requested_at: str  # ISO 8601
    next_ask_at: str  # ISO 8601: not before this
    notification_endpoint: str | None = None  # §11: where to say it arrived


def pending_to_json(item: PendingIssuance) -> dict[str, Any]:
    return asdict(item)


def pending_from_json(raw: Any) -> PendingIssuance:
    return PendingIssuance(**{name: raw[name] for name in PendingIssuance.__dataclass_fields__ if name in raw})

"""Sharing by QR code: the signed presentation itself in one code (``SV1:``), or, when it does
not fit, a relay link in the code (see :mod:`.qrcodec` and :mod:`.links`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx

from wallet.store import Store

from .links import ShareLink, make_link, record_shares
from .presentation import PresentationFormat, enveloped, present
from .qrcodec import MAX_QR_VERSION, QrResult, QrTooLarge, encode_qr

__all__ = ["QR_PROOF_LIFETIME", "QrShare", "share_qr"]

# A code on a screen is shown across a desk; its proof expires soon after (VC Data Integrity
# §2.1 "expires"), so a photo of it is not a lasting copy. The request flow's challenge is the
# real protection against replays; this is the fallback when there is no request.
QR_PROOF_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class QrShare:
    qr: QrResult
    share_id: str  # first history entry of this share
    expires: datetime
    kind: Literal["code", "link"]  # the presentation itself, or a link to it on the relay
    link: ShareLink | None = None


def share_qr(store: Store, credential_ids: Iterable[str], *, recipient: str, expires: datetime | None = None,
             profile_id: str | None = None, challenge: str | None = None, domain: str | None = None,
             fmt: PresentationFormat = "ldp", max_version: int = MAX_QR_VERSION,
             verifier_base_url: str | None = None, relay_client: httpx.Client | None = None,
             pixels: int = 1200) -> QrShare:
    """A QR code presenting the credentials, recorded in the share history.

    The presentation goes in the code when it fits ``max_version``; otherwise, given a verifier
    and a relay client, the code holds a relay link (``kind="link"``); otherwise QrTooLarge.
    """
    ids = list(dict.fromkeys(credential_ids))
    until = expires or datetime.now(UTC) + QR_PROOF_LIFETIME
    vp = present(store, ids, profile_id=profile_id, challenge=challenge, domain=domain, fmt=fmt, expires=until)
    payload = enveloped(vp, "vp") if isinstance(vp, str) else vp
    try:
        qr = encode_qr(payload, max_version=max_version, pixels=pixels)
    except QrTooLarge:
        if verifier_base_url is None or relay_client is None:
            raise
        link = make_link(store, ids, verifier_base_url=verifier_base_url, relay_client=relay_client,
                         expires=until, recipient=recipient, profile_id=profile_id, challenge=challenge,
                         domain=domain, relay=True, channel="qr")
        qr = encode_qr(link.url, max_version=max_version, pixels=pixels)
        return QrShare(qr, link.share_id, until, "link", link)
    entries = record_shares(store, ids, recipient, expires=until, details={
        "channel": "qr", "kind": "code", "domain": domain, "challenge": challenge, "qr_version": qr.version,
        "format": fmt})
    return QrShare(qr, entries[0].id, until, "code")

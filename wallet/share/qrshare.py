"""Sharing by QR code: the signed presentation itself in one code (``SV1:``) when it fits a
version a camera reads off a screen, else an animated loop of codes (``UR:SATCHEL-VP/…``
parts of a fountain code, :func:`credentials.encode_qr_parts`), or, when the caller asks for
one, a relay link in the code (see :mod:`.qrcodec` and :mod:`.links`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx

from credentials import QrParts, encode_qr_parts
from wallet.store import Store

from .links import ShareLink, make_link, record_shares
from .presentation import PresentationFormat, enveloped, present
from .qrcodec import QrResult, QrTooLarge, encode_qr

__all__ = ["FRAME_RATE", "MAX_ANIMATED_PARTS", "QR_PROOF_LIFETIME", "SCREEN_MAX_VERSION", "AnimatedQr", "QrShare",
           "share_qr"]

# A code on a screen is shown across a desk; its proof expires soon after (VC Data Integrity
# §2.1 "expires"), so a photo of it is not a lasting copy. The request flow's challenge is the
# real protection against replays; this is the fallback when there is no request.
QR_PROOF_LIFETIME = timedelta(minutes=15)

# The largest symbol a 720p laptop camera reads reliably off a phone screen held at arm's length
# (issue 13: a version-30 code "is hard for a laptop camera to read off a phone"): one code up
# to here, and every frame of an animated code at most this.
SCREEN_MAX_VERSION = 20
# Codes shown per second, and their error correction: 12 a second at level L reads a 60 KB badge
# off a phone in half the time 8 a second at level M takes (BENCHMARKS.md "Animated QR": a lost
# code only costs a later one, so more, larger-capacity codes beat fewer, sturdier ones).
FRAME_RATE = 12
FRAME_LEVEL: Literal["L", "M", "Q", "H"] = "L"
# Past this many parts one pass of the loop takes over 40 s at FRAME_RATE: too slow to hold a
# phone up for; such a presentation goes as a link instead.
MAX_ANIMATED_PARTS = 480


@dataclass(frozen=True)
class AnimatedQr:
    """A presentation as a loop of QR codes: ``seq_len`` pure parts, then fountain parts, so a
    camera that misses some codes still finishes from the ones after them (BCR-2020-005 §4)."""

    parts: QrParts
    frame_rate: int = FRAME_RATE

    @property
    def seq_len(self) -> int:
        """How many codes carry the presentation once (the least a camera must read)."""
        return self.parts.seq_len

    @property
    def version(self) -> int:
        return self.parts.version

    @property
    def level(self) -> str:
        """The error correction every frame is drawn with."""
        return self.parts.level

    @property
    def loop_length(self) -> int:
        """Frames in one loop as shown: every pure part, then as many fountain parts, so a loop
        repeats only after twice the minimum."""
        return 2 * self.seq_len

    def frame_texts(self, count: int | None = None) -> list[str]:
        """The first ``count`` frames (one loop by default), each the text of one QR code."""
        return self.parts.frames(self.loop_length if count is None else count)


@dataclass(frozen=True)
class QrShare:
    """What a QR share shows: one code (``kind`` "code" or "link": ``qr``) or a loop of codes
    (``kind`` "animated": ``animation``); recorded in the share history as ``share_id``."""

    qr: QrResult | None  # the one code; None when animated
    share_id: str  # first history entry of this share
    expires: datetime
    kind: Literal["code", "link", "animated"]  # the presentation itself, a link to it on the relay, or a loop
    link: ShareLink | None = None
    animation: AnimatedQr | None = None

    @property
    def version(self) -> int:
        """The QR version of the code, or of every frame of the loop."""
        if self.animation is not None:
            return self.animation.version
        assert self.qr is not None  # "code" and "link" always carry their code
        return self.qr.version


def share_qr(store: Store, credential_ids: Iterable[str], *, recipient: str, expires: datetime | None = None,
             profile_id: str | None = None, challenge: str | None = None, domain: str | None = None,
             fmt: PresentationFormat = "ldp", max_version: int = SCREEN_MAX_VERSION,
             verifier_base_url: str | None = None, relay_client: httpx.Client | None = None,
             pixels: int = 1200, animate: bool = True) -> QrShare:
    """A QR code presenting the credentials, recorded in the share history.

    The presentation goes in one code when it fits ``max_version``. Otherwise: given a verifier
    and a relay client, the code holds a relay link (``kind="link"``: the caller chose a link);
    else, with ``animate``, a loop of codes of at most :data:`SCREEN_MAX_VERSION` each
    (``kind="animated"``); else, or past :data:`MAX_ANIMATED_PARTS`, :class:`QrTooLarge`.
    """
    ids = list(dict.fromkeys(credential_ids))
    until = expires or datetime.now(UTC) + QR_PROOF_LIFETIME
    vp = present(store, ids, profile_id=profile_id, challenge=challenge, domain=domain, fmt=fmt, expires=until)
    payload = enveloped(vp, "vp") if isinstance(vp, str) else vp
    details: dict[str, object] = {"channel": "qr", "domain": domain, "challenge": challenge, "format": fmt}
    try:
        qr = encode_qr(payload, max_version=max_version, pixels=pixels)
    except QrTooLarge as too_large:
        if verifier_base_url is not None and relay_client is not None:
            link = make_link(store, ids, verifier_base_url=verifier_base_url, relay_client=relay_client,
                             expires=until, recipient=recipient, profile_id=profile_id, challenge=challenge,
                             domain=domain, relay=True, channel="qr")
            qr = encode_qr(link.url, max_version=max_version, pixels=pixels)
            return QrShare(qr, link.share_id, until, "link", link)
        if not animate:
            raise
        animation = AnimatedQr(encode_qr_parts(payload, max_version=min(max_version, SCREEN_MAX_VERSION),
                                               level=FRAME_LEVEL))
        if animation.seq_len > MAX_ANIMATED_PARTS:
            seconds = animation.seq_len // FRAME_RATE
            raise QrTooLarge(None, max_version, too_large.characters, reason=(
                f"The presentation needs {animation.seq_len} QR codes, over {seconds} seconds of holding the "
                "screen up; share it as a link.")) from None
        entries = record_shares(store, ids, recipient, expires=until, details={
            **details, "kind": "animated", "qr_version": animation.version, "qr_parts": animation.seq_len})
        return QrShare(None, entries[0].id, until, "animated", animation=animation)
    entries = record_shares(store, ids, recipient, expires=until, details={
        **details, "kind": "code", "qr_version": qr.version})
    return QrShare(qr, entries[0].id, until, "code")

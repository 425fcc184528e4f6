"""Sharing by QR code: the signed presentation itself in one code (``SV1:``) when it fits a
version a camera reads off a screen, else an animated loop of codes (``UR:SATCHEL-VP/…``
parts of a fountain code, :func:`credentials.encode_qr_parts`), or, when the caller asks for
one, a relay link in the code (see :mod:`.qrcodec` and :mod:`.links`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import httpx

from credentials import QrParts, encode_qr_parts
from wallet.store import Store

from .links import ShareLink, make_link, record_shares
from .presentation import PresentationFormat, badge_itself, enveloped, present
from .qrcodec import QrResult, QrTooLarge, encode_qr

__all__ = ["FRAME_RATE", "LOOP_ROUNDS", "MAX_ANIMATED_PARTS", "QR_PROOF_LIFETIME", "SCREEN_MAX_VERSION", "AnimatedQr",
           "QrShare", "share_qr"]

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


# Rounds of the loop before it repeats: each round shows every pure part, then as many fountain
# parts never shown before, so a camera that is still reading in a later round gets new equations,
# not the same ones again (BENCHMARKS.md "Animated QR"). Two rounds are 4 × seq_len frames.
LOOP_ROUNDS = 2


def _least_mixed(seq_len: int) -> int:
    """The fewest fragments a fountain part shown must mix. The verifier solves the parts by GF(2)
    elimination, for which a part mixing one or two fragments is often what it already has (a
    repeat of a pure part), and one mixing several almost never is: skipping the fountain parts of
    degree below 4 (BCR-2020-005's 1/d degrees make them ~ a third) cut the codes a camera reading
    7 in 10 needs from 1.6 to 1.45 × seq_len in simulation. Any seq_num is a valid part, so the
    wire format and other readers are unaffected; a peeling reader still finishes from the pure
    parts each round."""
    return min(4, max(2, seq_len // 2))


@dataclass(frozen=True)
class AnimatedQr:
    """A presentation as a loop of QR codes, :data:`LOOP_ROUNDS` rounds of ``seq_len`` pure parts
    then ``seq_len`` fresh fountain parts, so a camera that misses some codes still finishes from
    the ones after them (BCR-2020-005 §4)."""

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
        """Frames shown before the loop repeats: each round, every pure part then as many fountain parts."""
        return LOOP_ROUNDS * 2 * self.seq_len

    @functools.cached_property
    def _fountain_numbers(self) -> tuple[int, ...]:
        """The part numbers of the loop's fountain parts, in order: the first ones past ``seq_len``
        that mix at least :func:`_least_mixed` fragments."""
        least, numbers = _least_mixed(self.seq_len), list[int]()
        n = self.seq_len
        while len(numbers) < LOOP_ROUNDS * self.seq_len:
            n += 1
            if self.parts.mixes(n) >= least:
                numbers.append(n)
        return tuple(numbers)

    def part_number(self, index: int) -> int:
        """The part shown as frame ``index`` (0-based, counting on round the loop)."""
        round_, at = divmod(index % self.loop_length, 2 * self.seq_len)
        return at + 1 if at < self.seq_len else self._fountain_numbers[round_ * self.seq_len + at - self.seq_len]

    def frame_text(self, index: int) -> str:
        """Frame ``index`` (0-based, counting on round the loop) as the text of one QR code."""
        return self.parts.frame(self.part_number(index))

    def frame_texts(self, count: int | None = None) -> list[str]:
        """The first ``count`` frames (one loop by default), each the text of one QR code."""
        return [self.frame_text(i) for i in range(self.loop_length if count is None else count)]


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
    alone = badge_itself(store.get_credential(ids[0])) if len(ids) == 1 else None
    details: dict[str, object] = {"channel": "qr", "domain": domain, "challenge": challenge, "format": fmt}
    if alone is not None:  # an Open Badges 2.0 badge: no presentation can hold it, the code holds the badge
        payload = alone
        details.update(format="ob2", challenge=None, domain=None)
    else:
        vp = present(store, ids, profile_id=profile_id, challenge=challenge, domain=domain, fmt=fmt, expires=until)
        payload = enveloped(vp, "vp") if isinstance(vp, str) else vp
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

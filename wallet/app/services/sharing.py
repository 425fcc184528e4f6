"""Share: choosing badges and seeing what they disclose, a QR code or a link for someone, the
share history and withdrawing a share (``wallet.share``, imported when first used)."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from wallet.store import StoreError

from ..badge_facts import short_date
from ..disclosure import disclosure_lines, share_line
from .badges import BadgeList

LINK_EXPIRY_DAYS = (1, 7, 30)
DEFAULT_LINK_DAYS = 7
QR_PIXELS = 1200  # a QR picture's side: shown full screen, scaled down, never blurred up
NO_VERIFIER = ("Links need a verifier address: the website that will open them. Set it in Settings → "
               "Share links (your college or employer can tell you which one to use).")


class Sharing(BadgeList):
    """The Share screen's work."""

    async def choose_for_sharing(self, record_ids: list[str]) -> None:
        """Selects badges to share and shows exactly what would be disclosed."""
        self.touch()
        share = self.state.share
        share.selected = list(dict.fromkeys(record_ids))
        share.qr_png, share.error, share.message = None, "", ""

        def describe() -> list[str]:
            lines: list[str] = []
            for record_id in share.selected:
                lines += disclosure_lines(self.store, self.store.get_credential(record_id))
            return lines

        share.disclosure = await asyncio.to_thread(describe) if share.selected else []

    async def share_as_qr(self, recipient: str) -> None:
        self.touch()
        share = self.state.share
        if not share.selected:
            share.error = "Choose at least one badge to share."
            return
        if not recipient.strip():
            share.error = "Say who the QR code is for (a person or an organisation); it goes in your share history."
            return
        from wallet.share import QrTooLarge, ShareError, share_qr

        share.error, share.busy = "", "Signing and drawing the QR code…"
        try:
            # One code up to version 20, else a loop of version-20 codes: what a laptop camera reads off a phone.
            made = await asyncio.to_thread(share_qr, self.store, list(share.selected), recipient=recipient.strip(),
                                           pixels=QR_PIXELS)
        except QrTooLarge:
            share.error = ("Those badges are too much to show as QR codes. Share them as a link, or fewer at a "
                           "time.")
            return
        except (ShareError, StoreError) as exc:
            share.error = f"The QR code could not be made: {exc}"
            return
        finally:
            share.busy = ""
        self._qr_frame_pngs.clear()
        if made.animation is not None:
            share.qr_level = made.animation.level
            frames = made.animation.frame_texts()
            first = await self._frame_png(frames[0])
            # Published together, after the last await: a learner who taps "Share as a link instead" the
            # moment the loop shows must not have this half-made QR come back over the link screen.
            share.qr_frame_rate = made.animation.frame_rate
            share.qr_frames, share.qr_parts, share.qr_png = frames, made.animation.seq_len, first
        else:
            assert made.qr is not None  # a code that is not animated is one picture
            share.qr_frames, share.qr_png = [], made.qr.png
        share.expires = short_date(made.expires.isoformat())
        minutes = max(1, round((made.expires - datetime.now(UTC)).total_seconds() / 60))
        share.message = f"Show this QR code to {recipient.strip()}. It works for the next {minutes} minutes."
        await self.load_share_history()

    @functools.cached_property
    def _qr_frame_pngs(self) -> dict[str, bytes]:
        """The animated QR's frames drawn so far (drawing a version-20 symbol takes ~70 ms: once each)."""
        return {}

    async def qr_frame_png(self, n: int) -> bytes | None:
        """Frame ``n`` of the animated QR shown (counting on round the loop), or None when none is."""
        frames = self.state.share.qr_frames
        if not frames:
            return None
        return await self._frame_png(frames[n % len(frames)])

    async def _frame_png(self, text: str) -> bytes:
        png = self._qr_frame_pngs.get(text)
        if png is None:
            from wallet.share import encode_qr

            png = self._qr_frame_pngs[text] = (
                await asyncio.to_thread(encode_qr, text, max_version=40, pixels=QR_PIXELS,
                                        level=self.state.share.qr_level)).png
        return png

    def close_qr(self) -> None:
        self.touch()
        share = self.state.share
        share.qr_png, share.qr_frames, share.qr_parts = None, [], 0
        self._qr_frame_pngs.clear()

    async def load_share_history(self) -> None:
        if self._store is None:
            return
        entries = await asyncio.to_thread(self.store.list_shares)
        now = self._clock()
        seen: set[str] = set()
        lines = []
        for entry in sorted(entries, key=lambda e: e.shared_at, reverse=True):
            group = str(entry.details.get("group") or entry.id)
            if group in seen:
                continue
            seen.add(group)
            names = [e.credential_name for e in entries if str(e.details.get("group") or e.id) == group]
            lines.append(share_line(entry, names, now))
        self.state.share.history = lines

    async def unshare(self, share_id: str) -> None:
        self.touch()
        from wallet.share import ShareError, unshare

        share = self.state.share
        client = self._client()
        try:
            # wallet.share types relay_client as httpx.Client; offline it is None, used only by a relay share.
            result = await asyncio.to_thread(unshare, self.store, share_id, client)
        except (ShareError, StoreError) as exc:
            share.error = f"Could not unshare: {exc}"
            return
        share.message = ("Unshared: the link no longer works." if result.recalled else
                         "Marked as unshared. A QR code someone already scanned cannot be called back; "
                         "its proof stops working when it expires.")
        await self.load_share_history()

    # -- Share as a link -------------------------------------------------------------------------

    def _link_refusal(self, recipient: str) -> str:
        """Why no link can be made now ("" when one can)."""
        if not self.state.share.selected:
            return "Choose at least one badge to share."
        if not recipient.strip():
            return "Say who the link is for (a person or an organisation); it goes in your share history."
        if not self.state.settings.verifier_url:
            return NO_VERIFIER
        return ""

    async def share_as_link(self, recipient: str, days: int, withdrawable: bool) -> None:
        """A link to the selected badges, valid ``days`` days; through the verifier's relay when the
        learner wants to be able to withdraw it (or when it is too long to travel in the link)."""
        self.touch()
        share = self.state.share
        verifier = self.state.settings.verifier_url
        share.message = ""
        share.error = self._link_refusal(recipient)
        if share.error:
            return
        if days not in LINK_EXPIRY_DAYS:
            days = DEFAULT_LINK_DAYS
        from wallet.share import RelayError, ShareError, share_link

        client = self._client()
        if client is None and withdrawable:
            share.error = "Satchel is offline, so it cannot store a link you can withdraw. Try again when online."
            return
        share.busy = "Signing your badges and making the link…"
        expires = self._clock() + timedelta(days=days)
        try:
            made = await asyncio.to_thread(
                share_link, self.store, list(share.selected), verifier_base_url=verifier,
                # wallet.share types relay_client as httpx.Client; offline it is None with relay=False.
                relay_client=client,
                expires=expires, recipient=recipient.strip(),
                relay=True if withdrawable else (False if client is None else None))
        except RelayError as exc:
            share.error = f"The link could not be stored at {urlsplit(verifier).hostname}: {exc}"
            return
        except ValueError:
            share.error = ("Those badges are too much for a link on its own and Satchel is offline. Share fewer, "
                           "or try again when online.")
            return
        except (ShareError, StoreError) as exc:
            share.error = f"The link could not be made: {exc}"
            return
        finally:
            share.busy = ""
        share.link, share.link_kind, share.link_recipient = made.url, made.kind, recipient.strip()
        share.expires = short_date(made.expires.isoformat())
        share.message = (f"Link for {recipient.strip()} ready. It works until {share.expires}"
                         + ("; you can withdraw it from your share history." if made.revocable else
                            ". It carries your badges itself, so it cannot be withdrawn."))
        await self.load_share_history()

    def link_copied(self, ok: bool) -> None:
        self.touch()
        share = self.state.share
        share.error = "" if ok else "The link could not be copied here; select it and copy it by hand."
        share.message = "Link copied. Paste it into an email or a message." if ok else share.message

    def close_link(self) -> None:
        self.touch()
        share = self.state.share
        share.link = share.link_kind = share.link_recipient = ""
        share.message = ""

    # -- before sharing: a badge the verifier will refuse -------------------------------------------

    async def warn_before_sharing(self, way: str) -> bool:
        """True when the chosen badges may be shared at once: nothing to warn about. Otherwise the
        warnings (wallet.share.warnings: revoked, expired, tampered, someone else's) are shown and the
        share waits for the learner's "Share anyway" (:meth:`share_anyway`) or "Cancel"."""
        self.touch()
        share = self.state.share
        from wallet.share.warnings import sharing_warnings

        chosen = list(share.selected)
        try:
            if self._importer is not None:  # a badge revoked since its last check is caught now, not by the verifier
                share.busy = "Checking your badges with their issuers…"
                rechecked = await asyncio.to_thread(self._importer.recheck_before_sharing, chosen)
                if any(o.id is not None for o in rechecked):
                    await self.refresh_badges()
            found = await asyncio.to_thread(sharing_warnings, self.store, chosen)
        except StoreError:
            return True  # the share itself reports what cannot be read
        finally:
            share.busy = ""
        share.warnings = [w.message for w in found]
        share.warned_way, share.warned_for = (way, chosen) if found else ("", [])
        return not found

    def share_anyway(self) -> str:
        """The learner read the warnings and shares anyway: how they were sharing ("qr" | "link"),
        for the view to do now; the next share of these badges warns again."""
        self.touch()
        share = self.state.share
        way = share.warned_way
        share.warnings, share.warned_way, share.warned_for = [], "", []
        return way

    def cancel_share(self) -> None:
        self.touch()
        share = self.state.share
        share.warnings, share.warned_way, share.warned_for = [], "", []

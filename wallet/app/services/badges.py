"""My badges: the list, its filters and paging, and the badges' pictures (loaded off the UI loop)."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from credentials import CheckId, embed_badge_class, is_png, is_svg
from wallet.store import CredentialRecord, CredentialSummary, StoreError

from ..badge_facts import badge_facts, date_and_time, issuer_is_vouched_for, short_date
from ..state import BadgeCard
from ..wording import verdict_of
from .core import CARDS_PER_PAGE, WalletCore, ui_caller

if TYPE_CHECKING:
    from wallet.store import SearchPage, SortOrder

log = logging.getLogger(__name__)

FIRST_PAINT_CARDS = 12  # what fills a desktop window; the rest of the page follows at once
IMAGES_PER_UPDATE = 12  # pictures found are shown in batches of this many
SORT_ORDERS: dict[str, SortOrder] = {"added": "added", "issued": "issued", "name": "name", "issuer": "issuer"}


def image_from_data_uri(uri: str) -> bytes | None:
    head, _, body = uri.partition(",")
    if not head.startswith("data:image/"):
        return None
    try:
        # RFC 2397: without ";base64" the data is percent-encoded text (an SVG, usually).
        return base64.b64decode(body) if head.endswith(";base64") else unquote_to_bytes(body)
    except ValueError:
        return None


# A valid badge is "trusted" only when its issuer.known check passed; the summary keeps the verdict
# alone, so a card is drawn "genuine" and graded trusted once its report is read (only with a trust list).
VOUCHED = ({"id": CheckId.ISSUER_KNOWN, "status": "passed"},)


def card_of(summary: CredentialSummary, *, trusted: bool = False) -> BadgeCard:
    return BadgeCard(
        id=summary.id,
        name=summary.display.name or "Untitled badge",
        issuer=summary.display.issuer or "Unknown issuer",
        issued=short_date(summary.display.issued or ""),
        verdict=summary.verdict,
        tags=summary.tags,
        graded=verdict_of(summary.verdict, VOUCHED if trusted else ()),
    )


def cards_of(summaries: Iterable[CredentialSummary], trusted: set[str] | None = None) -> list[BadgeCard]:
    """The cards, each of those that look alike (same name, issuer and issue day) saying what tells
    it apart: its form, its issue time, when it was added. Two such cards are two credentials (the
    store folds the same credential, in any picture form, into one record)."""
    listed = list(summaries)
    alike: dict[tuple[str, str, str], list[CredentialSummary]] = {}
    for summary in listed:
        key = (summary.display.name, summary.display.issuer, short_date(summary.display.issued or ""))
        alike.setdefault(key, []).append(summary)
    cards = []
    for summary in listed:
        card = card_of(summary, trusted=summary.id in (trusted or set()))
        key = (summary.display.name, summary.display.issuer, short_date(summary.display.issued or ""))
        if len(alike[key]) > 1:
            card = replace(card, tells_apart=tells_apart(summary, alike[key]))
        cards.append(card)
    return cards


def tells_apart(summary: CredentialSummary, alike: list[CredentialSummary]) -> str:
    """What differs between look-alike cards, in the order a learner would tell them apart."""
    others = [s for s in alike if s.id != summary.id]
    issued = date_and_time(summary.display.issued or "")
    said = []
    if summary.display.form and any(s.display.form != summary.display.form for s in others):
        said.append(summary.display.form)
    if issued and any(date_and_time(s.display.issued or "") != issued for s in others):
        said.append(f"issued {issued}")
    if not said:  # the same in every way a person reads: when each came is what is left
        said.append(f"added {date_and_time(summary.added_at)}")
    return "Another copy: " + ", ".join(said)


class BadgeList(WalletCore):
    """The list on "My badges" and the pictures on its cards."""

    async def refresh_badges(self) -> None:
        badges = self.state.badges
        if self._store is None:
            return
        badges.loading, badges.error = True, ""
        if self._list_is_unfiltered():
            await self._show_first_cards()
            return
        await self._complete_badges()

    def _list_is_unfiltered(self) -> bool:
        badges = self.state.badges
        return (not badges.query and not badges.tag and not badges.issuer and badges.status == "all"
                and badges.sort == "added")

    async def _show_first_cards(self) -> None:
        """First screen at once: the newest cards that fill a window decrypt on their own; the rest
        of the page, the search index and the issuer / tag filters follow in the background."""
        badges = self.state.badges
        try:
            first = min(self.cards_shown, FIRST_PAINT_CARDS)
            quick = await asyncio.to_thread(self.store.list_credentials, limit=first)
        except StoreError as exc:
            badges.loading, badges.error = False, f"Your badges could not be read: {exc}"
            return
        badges.total_in_wallet, self.filtered_count = quick.total, quick.total
        badges.cards = cards_of(quick.items, badges.trusted)
        badges.loading = False
        self._load_images([c.id for c in badges.cards])
        # The rest must not hold this handler (and so the first paint) back.
        self._in_background(self._complete_badges)

    async def _complete_badges(self) -> None:
        """The filtered list, the issuer and tag choices, and the search index."""
        badges = self.state.badges
        if self._store is None:
            return
        try:
            everything, page = await asyncio.to_thread(self._query_badges)
        except StoreError as exc:
            badges.loading, badges.error = False, f"Your badges could not be read: {exc}"
            return
        badges.issuers = sorted({s.display.issuer for s in everything.items if s.display.issuer}, key=str.lower)
        badges.tags = sorted({t for s in everything.items for t in s.tags}, key=str.lower)
        badges.total_in_wallet = everything.total
        badges.cards = cards_of(page, badges.trusted)
        badges.loading = False
        self._load_images([c.id for c in badges.cards])
        await self._grade_trusted(page)

    def _query_badges(self) -> tuple[SearchPage, list[CredentialSummary]]:
        badges = self.state.badges
        everything = self.store.list_credentials(limit=None)
        verdicts: tuple[str | None, ...] = ()
        if badges.status != "all":
            verdicts = (badges.status,) if badges.status != "unverifiable" else ("unverifiable", None)
        found = self.store.search(
            badges.query, tags=(badges.tag,) if badges.tag else (), verdicts=verdicts,
            sort=SORT_ORDERS.get(badges.sort, "added"),
            limit=None,
        )
        items = [s for s in found.items if not badges.issuer or s.display.issuer == badges.issuer]
        self.filtered_count = len(items)
        return everything, items[: self.cards_shown]

    async def set_list_options(self, **changes: str) -> None:
        self.touch()
        for name, value in changes.items():
            setattr(self.state.badges, name, value)
        self.cards_shown = CARDS_PER_PAGE
        await self.refresh_badges()

    async def show_more_badges(self) -> None:
        self.touch()
        self.cards_shown += CARDS_PER_PAGE
        await self.refresh_badges()

    async def _grade_trusted(self, shown: list[CredentialSummary]) -> None:
        """With a trust list: which valid cards' issuers it vouches for (read from their reports)."""
        if self.trust_list() is None or self._store is None:
            return
        valid = [s.id for s in shown if s.verdict == "valid"]

        def vouched() -> set[str]:
            return {i for i in valid if issuer_is_vouched_for(self.store.get_credential(i).report)}

        try:
            found = await asyncio.to_thread(vouched)
        except StoreError:
            return
        badges = self.state.badges
        if found != badges.trusted & set(valid):
            badges.trusted = (badges.trusted - set(valid)) | found
            badges.cards = [replace(c, graded=verdict_of("valid", VOUCHED if c.id in found else ()))
                            if c.id in valid else c for c in badges.cards]

    # -- pictures ------------------------------------------------------------------------------

    def _load_images(self, record_ids: list[str]) -> None:
        """Shows the pictures already found at once; finds the others on a worker thread."""
        for record_id in record_ids:
            if record_id in self._image_cache and record_id not in self.state.badges.images:
                self.state.badges.images[record_id] = self._image_cache[record_id]
        wanted = [i for i in record_ids if i not in self._image_cache and i not in self._image_misses]
        if not wanted:
            return
        on_ui = ui_caller()

        def publish(found: dict[str, bytes]) -> None:
            if self._store is not None:
                self.state.badges.images.update(found)

        def work() -> None:
            try:
                self._find_images(wanted, lambda found: on_ui(publish, found))
            except Exception:  # a picture never takes the list down; the monogram stays
                log.exception("badge images could not be loaded")

        asyncio.get_running_loop().run_in_executor(None, work)

    def _find_images(self, record_ids: list[str], publish: Callable[[dict[str, bytes]], None]) -> None:
        """(worker thread) Each badge's picture, remembered; handed to ``publish`` in batches."""
        found: dict[str, bytes] = {}
        for record_id in record_ids:
            if self._store is None:
                return
            image = self._image_of(record_id)
            if image is None:
                self._image_misses.add(record_id)
                continue
            self._image_cache[record_id] = image
            found[record_id] = image
            if len(found) >= IMAGES_PER_UPDATE:
                publish(found)
                found = {}
        if found:
            publish(found)

    def _image_of(self, record_id: str) -> bytes | None:
        try:
            record = self.store.get_credential(record_id)
            if is_png(record.original) or is_svg(record.original):
                return record.original  # a baked badge is its own picture: nothing to fetch
            return self.badge_image(self._with_hosted_parts(record))
        except StoreError:
            return None

    def badge_image(self, record: CredentialRecord) -> bytes | None:
        """The badge's picture: the baked image itself, an embedded data: URI, or the issuer's URL."""
        if is_png(record.original) or is_svg(record.original):
            return record.original
        ref = badge_facts(record.credential).image_ref
        if ref.startswith("data:"):
            return image_from_data_uri(ref)
        if ref.startswith(("http://", "https://")):
            return self.network.fetch_image(ref)
        return None

    def _record_with_hosted_parts(self, record_id: str) -> CredentialRecord:
        return self._with_hosted_parts(self.store.get_credential(record_id))

    def _with_hosted_parts(self, record: CredentialRecord) -> CredentialRecord:
        """An OB 2.0 hosted assertion names its BadgeClass and issuer by URL: fetch them (the
        verification just did, so they usually come from the document cache) to show them."""
        credential = record.credential
        if not isinstance(credential, dict) or not isinstance(credential.get("badge"), str):
            return record
        embedded = embed_badge_class(credential, self.network.new_fetcher())
        return record if embedded is credential else replace(record, credential=dict(embedded))

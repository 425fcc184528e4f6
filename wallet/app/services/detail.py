"""One badge: what it says and how it was checked, checking it again, its tags, deleting it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

from credentials import is_png, is_svg
from wallet.holder_binding import holder_binding
from wallet.store import CredentialRecord, StoreError

from ..badge_facts import badge_facts
from ..disclosure import issued_to_words
from ..wording import explain_report
from .badges import BadgeList
from .importing import not_yours_sentence


def raw_text_of(record: CredentialRecord) -> str:
    """The credential as the learner can read it: JSON pretty-printed, a JWT as it is."""
    if record.credential is not None and (is_png(record.original) or is_svg(record.original)):
        return json.dumps(record.credential, indent=2, ensure_ascii=False)
    try:
        text = record.original.decode("utf-8")
    except UnicodeDecodeError:
        return json.dumps(record.credential, indent=2, ensure_ascii=False) if record.credential else ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text.strip()


class BadgeDetail(BadgeList):
    """The badge detail screen; changes made here refresh the list, here and in other windows."""

    async def open_badge(self, record_id: str) -> None:
        self.touch()
        detail = self.state.detail
        if detail.record_id != record_id:
            detail.facts = detail.plain_report = None
        detail.record_id, detail.loading, detail.error, detail.message, detail.deleted = record_id, True, "", "", False
        try:
            record = await asyncio.to_thread(self._record_with_hosted_parts, record_id)
        except KeyError:
            detail.loading, detail.error = False, "This badge is no longer in your wallet."
            return
        except StoreError as exc:
            detail.loading, detail.error = False, f"This badge could not be read: {exc}"
            return
        self._show_record(record)
        if record_id not in self._image_cache:
            self._load_images([record_id])

    def _show_record(self, record: CredentialRecord) -> None:
        detail = self.state.detail
        facts = badge_facts(record.credential, record.report)
        trusted = self.trusted_issuer_ids()
        if facts.issuer is not None and facts.issuer.identifier in trusted:
            facts = replace(facts, issuer=replace(facts.issuer, self_asserted=False))
        detail.facts = facts
        detail.plain_report = explain_report(record.report)
        detail.media_type = record.summary.media_type
        detail.raw_text = raw_text_of(record)
        detail.tags = list(record.summary.tags)
        detail.sources = [
            f"{source.kind}: {source.detail}" if source.detail else source.kind for source in record.summary.sources
        ]
        binding = holder_binding(self.store, record)
        detail.not_yours = not_yours_sentence(binding)
        detail.issued_to = issued_to_words(binding, facts) if (facts.recipient or facts.recipient_name) else ""
        detail.holder_did = binding.holder or ""
        detail.loading = False

    async def check_again(self, record_id: str) -> None:
        self.touch()
        detail = self.state.detail
        if self._importer is None:
            return
        detail.checking, detail.error, detail.message = True, "", ""
        try:
            outcomes = await asyncio.to_thread(self._importer.reverify, [record_id])
            record = await asyncio.to_thread(self.store.get_credential, record_id)
        except StoreError as exc:
            detail.checking, detail.error = False, f"Checking again failed: {exc}"
            return
        self._show_record(record)
        headline = explain_report(record.report).verdict.headline if outcomes else "not checked"
        detail.checking, detail.message = False, f"Checked again just now: {headline}."
        await self.refresh_badges()
        self._changed()

    async def changed_elsewhere(self) -> None:
        """Another window of this wallet imported, re-checked, tagged or deleted badges."""
        if self._store is not None:
            await self.refresh_badges()

    async def set_tags(self, record_id: str, text: str) -> None:
        self.touch()
        tags = [t.strip() for t in text.split(",") if t.strip()]
        summary = await asyncio.to_thread(self.store.set_tags, record_id, tags)
        self.state.detail.tags = list(summary.tags)
        self.state.detail.message = "Tags saved."
        await self.refresh_badges()
        self._changed()

    async def delete_badge(self, record_id: str) -> None:
        self.touch()
        await asyncio.to_thread(self.store.delete_credential, record_id)
        self._image_cache.pop(record_id, None)
        self.state.badges.images.pop(record_id, None)
        self.state.detail.deleted = True
        await self.refresh_badges()
        self._changed()

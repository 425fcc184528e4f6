"""Import: files, pasted text, offers and QR photos, each step on a worker thread with progress;
checking every badge again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wallet.holder_binding import HolderBinding, holder_binding, offer_advice

from ..state import OutcomeLine
from ..wording import headline_of, problem_sentence
from .badges import BadgeList
from .core import UploadedFile, ui_caller

if TYPE_CHECKING:
    from wallet.importer import ImportOutcome

log = logging.getLogger(__name__)

ImportStep = Callable[[], "ImportOutcome"]


# Where an offer link goes in this app (wallet.holder_binding.offer_advice says the rest).
OFFER_HERE = "“Redeem an issuer offer” on the Import screen collects it"
IDENTITY_HERE = "Settings shows it under Profiles"


def not_yours_sentence(binding: HolderBinding) -> str:
    """What the learner reads when a badge names someone else ("" when it does not)."""
    if not binding.someone_else:
        return ""
    if binding.own_profile is not None:  # one of this wallet's other profiles: Settings makes it the default
        return binding.message
    return f"{binding.message} {offer_advice(collect=OFFER_HERE, identity=IDENTITY_HERE)}"


def outcome_line(outcome: ImportOutcome, not_yours: str = "", checks: Sequence[Mapping[str, Any]] = ()) -> OutcomeLine:
    """The log line: what came in and its graded verdict (``checks``: the stored report's, which
    say whether a trust list vouches for the issuer)."""
    if outcome.error:
        return OutcomeLine(outcome.source, False, outcome.error)
    name = outcome.name or "A badge"
    if outcome.merged:
        message = f"{name} was already in your wallet; kept one copy."
    else:
        message = f"{name} added: {headline_of(outcome.verdict, checks)}."
    if outcome.problems:
        message += " " + " ".join(problem_sentence(p) for p in outcome.problems)
    return OutcomeLine(outcome.source, True, message, outcome.id, not_yours)


class Importing(BadgeList):
    """The Import screen's work; what it adds shows in the list, here and in other windows."""

    async def _run_import(self, what: str, items: list[ImportStep]) -> list[OutcomeLine]:
        """Runs import steps on a worker thread; each finished step moves the progress bar."""
        self.touch()
        importing = self.state.importing
        if importing.running or self._importer is None:
            return []
        importing.running, importing.what, importing.done, importing.total, importing.error = (
            True, what, 0, len(items), "")
        loop = asyncio.get_running_loop()
        on_ui = ui_caller()
        lines: list[OutcomeLine] = []

        def step_done(line: OutcomeLine) -> None:
            importing.done += 1
            importing.outcomes.insert(0, line)
            self.touch()

        def work() -> None:
            for item in items:
                try:
                    line = self._line_with_binding(item())
                except Exception as exc:  # an import step never takes the app down
                    log.exception("import step failed")
                    line = OutcomeLine(what, False, f"Satchel could not import it ({exc}).")
                lines.append(line)
                on_ui(step_done, line)

        try:
            await loop.run_in_executor(None, work)
        finally:
            importing.running = False
        await self.refresh_badges()
        self._changed()
        return lines

    def _line_with_binding(self, outcome: ImportOutcome) -> OutcomeLine:
        """The log line, saying at import (not first at the employer's) when the badge names someone else."""
        if outcome.id is None:
            return outcome_line(outcome)
        record = self.store.get_credential(outcome.id)
        checks = [c for c in (record.report or {}).get("checks") or () if isinstance(c, Mapping)]
        return outcome_line(outcome, not_yours_sentence(holder_binding(self.store, record)), checks)

    async def import_uploads(self, files: list[UploadedFile]) -> list[OutcomeLine]:
        from wallet.store import ImportSource

        importer = self._importer
        if importer is None:
            return []

        def step(file: UploadedFile) -> ImportStep:
            return lambda: importer.import_bytes(file.data, ImportSource("file", file.name))

        noun = "file" if len(files) == 1 else "files"
        return await self._run_import(f"Importing {len(files)} {noun}", [step(f) for f in files])

    async def import_text(self, text: str) -> list[OutcomeLine]:
        importer = self._importer
        if importer is None:
            return []
        if not text.strip():
            self.state.importing.error = "Paste a badge, a link or an offer first."
            return []
        return await self._run_import("Importing what you pasted", [lambda: importer.import_text(text)])

    async def redeem_offer(self, offer: str) -> list[OutcomeLine]:
        importer = self._importer
        if importer is None:
            return []
        if not offer.strip():
            self.state.importing.error = "Paste the offer link from the issuer first."
            return []
        return await self._run_import("Collecting your badge from the issuer",
                                      [lambda: importer.redeem_offer(offer.strip())])

    async def import_qr_photos(self, photos: list[UploadedFile]) -> list[OutcomeLine]:
        importer = self._importer
        if importer is None:
            return []

        def step(photo: UploadedFile) -> ImportStep:
            return lambda: importer.import_qr_image(photo.data)

        return await self._run_import("Reading the QR code", [step(p) for p in photos])

    async def check_all_again(self) -> None:
        self.touch()
        importer = self._importer
        importing = self.state.importing
        if importer is None or importing.running:
            return
        on_ui = ui_caller()
        importing.running, importing.what, importing.done, importing.total = True, "Checking every badge again", 0, 0

        def show(done: int, total: int) -> None:
            importing.total, importing.done = total, done

        def progress(done: int, total: int) -> None:
            on_ui(show, done, total)

        try:
            await asyncio.to_thread(importer.reverify, None, progress)
        finally:
            importing.running = False
        await self.refresh_badges()
        self._changed()

    def clear_import_log(self) -> None:
        self.state.importing.outcomes.clear()
        self.state.importing.error = ""

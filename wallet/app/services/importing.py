"""Import: files, pasted text, offers and QR photos, each step on a worker thread with progress;
checking every badge again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from wallet.holder_binding import HolderBinding, holder_binding, offer_advice

from ..state import OfferShown, OutcomeLine
from ..wording import headline_of, problem_sentence
from .badges import BadgeList
from .core import ImportPort, UploadedFile, ui_caller

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
    if outcome.verdict == "pending":  # OpenID4VCI §9: the issuer delivers it later
        return OutcomeLine(outcome.source, True, f"{name} is on its way: the issuer will deliver it later, and "
                                                 "Satchel asks for it again each time you open this screen.")
    if outcome.merged:
        message = f"{name} was already in your wallet; kept one copy."
    else:
        message = f"{name} added: {headline_of(outcome.verdict, checks)}."
    if outcome.problems:
        message += " " + " ".join(problem_sentence(p) for p in outcome.problems)
    return OutcomeLine(outcome.source, True, message, outcome.id, not_yours)


class Importing(BadgeList):
    """The Import screen's work; what it adds shows in the list, here and in other windows."""

    async def _run_import(self, what: str, items: list[ImportStep], *, log_pending: bool = True
                          ) -> list[OutcomeLine]:
        """Runs import steps on a worker thread; each finished step moves the progress bar (a credential
        still on its way is news only when first asked for: ``log_pending``)."""
        self.touch()
        importing = self.state.importing
        if importing.running or self._importer is None:
            return []
        importing.running, importing.what, importing.done, importing.total, importing.error = (
            True, what, 0, len(items), "")
        loop = asyncio.get_running_loop()
        on_ui = ui_caller()
        lines: list[OutcomeLine] = []

        def step_done(line: OutcomeLine | None) -> None:
            importing.done += 1
            if line is not None:
                importing.outcomes.insert(0, line)
            self.touch()

        def work() -> None:
            for item in items:
                try:
                    outcome = item()
                    if outcome.verdict == "pending" and not log_pending:
                        on_ui(step_done, None)
                        continue
                    line = self._line_with_binding(outcome)
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
        from wallet.importer import is_offer_link

        if is_offer_link(text):  # pasted or scanned: shown like a typed offer (a code it needs is asked for)
            return await self.redeem_offer(text)
        return await self._run_import("Importing what you pasted", [lambda: importer.import_text(text)])

    async def redeem_offer(self, offer: str, tx_code: str = "") -> list[OutcomeLine]:
        """Shows what the offer is first (issuer, credential, logo); one that needs a transaction code
        waits for the learner to type it; then collects it (a sign-in opens the system browser)."""
        importer = self._importer
        importing = self.state.importing
        link = offer.strip()
        if importer is None or importing.running:
            return []
        if not link:
            importing.error = "Paste the offer link from the issuer first."
            return []
        if importing.offer is None or importing.offer.link != link:
            importing.offer = await asyncio.to_thread(self._offer_shown, importer, link)
            if importing.offer is not None and importing.offer.tx_code_hint and not tx_code.strip():
                importing.error = ""
                self.touch()
                return []  # the view asks for the code now
        what = ("Signing in with the issuer in your browser" if importing.offer and importing.offer.sign_in
                else "Collecting your badge from the issuer")
        lines = await self._run_import(what, [lambda: importer.redeem_offer(link, tx_code=tx_code.strip() or None)])
        if lines and all(line.ok for line in lines):
            importing.offer = None
        await self.load_on_its_way()
        return lines

    def _offer_shown(self, importer: ImportPort, link: str) -> OfferShown | None:
        """The offer's preview, or None when it cannot be read (collecting it then says why)."""
        from wallet.importer import ImportRefused

        try:
            preview = importer.preview_offer(link)
        except ImportRefused:
            return None
        logo = self.network.fetch_image(preview.logo_uri) if preview.logo_uri else None
        hint = ""
        if preview.tx_code is not None:
            hint = preview.tx_code.description or "The code the issuer gave you with this offer"
        return OfferShown(link, preview.issuer_name or preview.issuer, preview.credential_name or "A badge", logo,
                          hint, preview.tx_code is None or preview.tx_code.input_mode == "numeric",
                          preview.tx_code.length if preview.tx_code else None, preview.sign_in)

    def forget_offer(self) -> None:
        self.state.importing.offer = None
        self.touch()

    async def load_on_its_way(self) -> None:
        self.state.importing.on_its_way = [p.name or p.credential_issuer for p in self.store.pending_issuances()]

    async def collect_on_its_way(self) -> list[OutcomeLine]:
        """Asks the issuers of deferred credentials whether they are ready (OpenID4VCI §9.1)."""
        importer = self._importer
        if importer is None or not self.store.pending_issuances():
            return []
        steps = [partial(importer.collect_pending_one, item) for item in self.store.pending_issuances()]
        lines = await self._run_import("Asking for what is on its way", list(steps), log_pending=False)
        await self.load_on_its_way()
        return lines

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

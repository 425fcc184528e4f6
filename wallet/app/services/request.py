"""Answer a verifier's request: read it (pasted, a photo of its QR code, or scanned), see which
badges match and what they disclose, then send the answer online or show it as a QR code."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wallet.share import verifier_name_of
from wallet.store import CredentialSummary, StoreError

from ..disclosure import badge_summary
from ..state import DisclosedBadge, RequestChoice, RequestState, reset_fields
from ..wording import problem_sentence, verdict_of
from .core import UploadedFile
from .openid4vp import OpenId4VpAnswering, openid4vp_link_in

if TYPE_CHECKING:
    import httpx

    from wallet.share import CredentialQuery, PresentationRequest, RequestAnswer, RequestPreview

MAX_REQUEST_PHOTO_BYTES = 20 * 1024 * 1024
QUERY_TYPE_WORDS = {"OpenBadgeCredential": "Open Badges", "AchievementCredential": "Open Badges",
                    "ClrCredential": "Comprehensive Learner Records", "EndorsementCredential": "endorsements"}


def describe_query(query: CredentialQuery) -> str:
    """One request line in plain words: its reason, then which kind of credential it asks for."""
    types = [str(t) for t in (query.example.get("type") or []) if t != "VerifiableCredential"] \
        if isinstance(query.example.get("type"), list) else [str(query.example.get("type") or "")]
    kinds = ", ".join(dict.fromkeys(QUERY_TYPE_WORDS.get(t, t) for t in types if t)) or "any credential"
    text = f"{query.reason} " if query.reason else ""
    text += f"(asks for: {kinds}"
    if query.trusted_issuers:
        text += "; only from " + ", ".join(query.trusted_issuers)
    text += ")" if query.required else "; optional)"
    return text


def disclosure_field(path: str, value: str, limit: int = 90) -> str:
    """``credentialSubject.achievement.name`` → ``achievement › name: …``, long values shortened."""
    named = {"credentialSubject.id": "issued to", "credentialSubject.type": "subject type", "id": "badge id"}
    steps = [named[path]] if path in named else [p for p in path.replace("credentialSubject", "").split(".") if p]
    shown = value if len(value) <= limit else value[:limit - 1] + "…"
    if shown.startswith("data:"):
        shown = shown.split(",", 1)[0] + ",… (an embedded picture)"
    return f"{' › '.join(steps) or path}: {shown}"


def who_is_asking(request: PresentationRequest) -> tuple[str, str]:
    """The name to show for the verifier and how sure it is. The name counts as confirmed when the
    request was fetched from the verifier's own address (the host the answer is signed for and sent
    to): whoever serves that address gave it. Pasted JSON could have been written by anyone."""
    name = verifier_name_of(request)
    host = urlsplit(request.exchange_url).hostname if request.exchange_url else None
    from_its_address = host is not None and host == request.domain
    if not name:
        return "", "It did not give its name; its address is under “Technical details”."
    if from_its_address:
        return name, "The name its request gives, fetched from the verifier's own address."
    return name, "Not confirmed: the request does not come from the verifier's own address."


class RequestAnswering(OpenId4VpAnswering):
    """The "Answer a request" screen's work; an answer sent is a share, so it joins the history."""

    def clear_request(self) -> None:
        self.touch()
        self._request = None
        self.clear_openid4vp()
        reset_fields(self.state.request, RequestState())

    async def read_request(self, text: str) -> None:
        """A request link (the verifier's exchange URL) or its JSON, as pasted."""
        if not text.strip():
            self.state.request.error = "Paste the request link or text the verifier gave you."
            return
        await self._read_request(text.strip(), "Reading the request…")

    async def read_request_photo(self, photo: UploadedFile) -> None:
        if len(photo.data) > MAX_REQUEST_PHOTO_BYTES:
            self.state.request.error = f"{photo.name} is too large to be a photo of a QR code."
            return
        await self._read_request(photo.data, f"Reading the QR code in {photo.name}…")

    async def _read_request(self, source: str | bytes, what: str) -> None:
        from wallet.share import RequestError, RequestGoneError, parse_request, preview_request

        self.touch()
        link = await asyncio.to_thread(openid4vp_link_in, source)
        if link is not None:  # OpenID4VP 1.0: its own reading and consent screen
            await self.read_openid4vp(link)
            return
        request = self.state.request
        self.clear_request()
        request.busy = what
        client = self._client()

        def work() -> tuple[PresentationRequest, RequestPreview]:
            parsed = parse_request(source, client=client)
            return parsed, preview_request(self.store, parsed)

        try:
            parsed, preview = await asyncio.to_thread(work)
        except RequestGoneError as exc:
            request.busy, request.error = "", str(exc)
            return
        except RequestError as exc:
            message = str(exc)
            if "needs the network" in message:
                message = "Satchel is offline, so it cannot fetch the request from its link."
            request.busy, request.error = "", message
            return
        except (StoreError, ValueError) as exc:
            request.busy, request.error = "", f"The request could not be read: {exc}"
            return
        await self._show_request(parsed, preview, client)

    async def _show_request(self, parsed: PresentationRequest, preview: RequestPreview,
                            client: httpx.Client | None) -> None:
        """What the verifier asks for and which of the learner's badges match each ask."""
        request = self.state.request
        self._request = parsed
        request.verifier, request.origin, request.holder = preview.verifier, preview.origin or "", preview.holder
        request.verifier_name, request.name_note = who_is_asking(parsed)
        request.online = parsed.exchange_url is not None and client is not None
        request.asks = [describe_query(m.query) for m in preview.matches]
        matching = list(dict.fromkeys(c for m in preview.matches for c in m.credential_ids))
        names = {s.id: s for s in await asyncio.to_thread(self._summaries_of, matching)}
        request.choices = [RequestChoice(cid, names[cid].display.name or "Untitled badge",
                                         names[cid].display.issuer or "Unknown issuer")
                           for cid in matching if cid in names]
        self._show_preview(preview)
        request.loaded, request.busy = True, ""

    def _summaries_of(self, ids: list[str]) -> list[CredentialSummary]:
        return [self.store.get_summary(cid) for cid in dict.fromkeys(ids)]  # no record decrypted whole

    def _show_preview(self, preview: RequestPreview) -> None:
        request = self.state.request
        request.selected = list(preview.selected)
        request.warnings = list(preview.warnings)
        request.satisfied = bool(preview.satisfied) and bool(preview.selected)
        request.disclosed = [DisclosedBadge(d.name or "Untitled badge", d.issuer or "Unknown issuer",
                                            tuple(disclosure_field(f.path, f.value) for f in d.fields),
                                            self._summary_of(d.credential_id))
                             for d in preview.disclosed]

    def _summary_of(self, record_id: str) -> tuple[str, ...]:
        """The plain lines of a badge they will receive (its raw fields are the technical detail)."""
        try:
            return badge_summary(self.store, self.store.get_credential(record_id))[1]
        except (KeyError, StoreError):
            return ()

    async def choose_request_badges(self, record_ids: list[str]) -> None:
        from wallet.share import preview_request

        self.touch()
        if self._request is None:
            return
        parsed = self._request
        preview = await asyncio.to_thread(preview_request, self.store, parsed, credential_ids=record_ids)
        self._show_preview(preview)

    async def answer_request(self, offline: bool) -> None:
        """Sign the answer for the request's challenge and domain; post it (online) or draw its QR code."""
        from wallet.share import QrTooLarge, RequestError, RequestGoneError, ShareError, answer_request

        self.touch()
        if self._vp_request is not None:
            await self.answer_openid4vp()
            return
        request = self.state.request
        parsed = self._request
        if parsed is None:
            return
        if not request.selected:
            request.error = "Choose at least one badge to send."
            return
        client = None if offline else self._client()
        if not offline and client is None:
            request.error = "Satchel is offline: show your answer as a QR code instead."
            return
        request.error, request.verdict, request.verdict_lines = "", "", []
        request.busy = ("Drawing your answer as a QR code…" if offline else
                        f"Sending your answer to {request.verifier_name or 'the verifier'}…")
        try:
            answer = await asyncio.to_thread(answer_request, self.store, parsed, list(request.selected),
                                             client=client, offline=offline)
        except QrTooLarge:
            request.error = "Those badges are too much for one QR code. Choose fewer, or send the answer online."
            return
        except RequestGoneError as exc:
            request.error = str(exc)
            return
        except (RequestError, ShareError, StoreError) as exc:
            request.error = f"Your answer could not be sent: {exc}"
            return
        finally:
            request.busy = ""
        self._show_answer(answer)
        await self.load_share_history()

    def _show_answer(self, answer: RequestAnswer) -> None:
        """Offline: the QR code to show; online: the verifier's verdict in plain words."""
        request = self.state.request
        if answer.mode == "offline":
            request.qr_png = answer.qr.png if answer.qr is not None else None
            return
        result = dict(answer.result or {})
        request.verified = bool(answer.verified)
        checks = [c for c in result.get("checks") or [] if isinstance(c, Mapping)]
        graded = verdict_of(str(result.get("verdict") or ("valid" if answer.verified else "invalid")), checks)
        request.verdict, request.grade = graded.headline, graded.grade
        problems = [str(p) for p in result.get("problems") or []]
        who = request.verifier_name or "The verifier"
        request.verdict_lines = [problem_sentence(p) for p in problems] or (
            [f"{who} checked your badges and that they are yours."] if answer.verified else [])

    def close_request_qr(self) -> None:
        self.touch()
        self.state.request.qr_png = None

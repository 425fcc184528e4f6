"""Answer an OpenID4VP 1.0 request (``openid4vp://…``, pasted, photographed or scanned): read and
check it (``wallet.share.read_openid4vp_request``), show the consent screen (who asks, each claim
that goes, optional ones untickable), then send exactly that (``answer_openid4vp``)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from wallet.store import StoreError

from ..openid4vp_consent import consent_of
from ..state import RequestState, reset_fields
from ..wording import verdict_of
from .sharing import Sharing

if TYPE_CHECKING:
    from wallet.share import OpenId4VpAnswer, OpenId4VpPreview, OpenId4VpRequest


class OpenId4VpAnswering(Sharing):
    """The consent screen's work; an answer sent is a share, so it joins the history."""

    _vp_request: OpenId4VpRequest | None = None
    _vp_full: OpenId4VpPreview | None = None  # nothing withheld: every claim, ticked or not
    _vp_withheld: dict[str, set[int]] | None = None

    def clear_openid4vp(self) -> None:
        self._vp_request, self._vp_full, self._vp_withheld = None, None, None

    async def read_openid4vp(self, text: str) -> None:
        from wallet.share import RequestError, preview_openid4vp, read_openid4vp_request

        request = self.state.request
        reset_fields(request, RequestState())
        self.clear_openid4vp()
        request.busy = "Reading the request and checking who sent it…"
        client = self._client()
        if client is None:
            request.busy, request.error = "", "Satchel is offline, so it cannot fetch the request from its link."
            return

        def work() -> tuple[OpenId4VpRequest, OpenId4VpPreview]:
            read = read_openid4vp_request(text, client=client)
            return read, preview_openid4vp(self.store, read)

        try:
            read, full = await asyncio.to_thread(work)
        except (RequestError, StoreError, ValueError) as exc:
            request.busy, request.error = "", str(exc)
            return
        self._vp_request, self._vp_full, self._vp_withheld = read, full, {}
        request.verifier_name, request.online = read.verifier.name or "", True
        request.openid4vp = consent_of(full, full, {})
        request.loaded, request.busy = True, ""

    async def tick_openid4vp_claim(self, query_id: str, index: int, sent: bool) -> None:
        """The learner ticks or unticks an optional claim: what goes, and whether it still answers."""
        from wallet.share import preview_openid4vp

        self.touch()
        if self._vp_request is None or self._vp_full is None or self._vp_withheld is None:
            return
        held = self._vp_withheld.setdefault(query_id, set())
        if sent:
            held.discard(index)
        else:
            held.add(index)
        current = await asyncio.to_thread(preview_openid4vp, self.store, self._vp_request, withheld=self._vp_withheld)
        self.state.request.openid4vp = consent_of(self._vp_full, current, self._vp_withheld)

    async def answer_openid4vp(self) -> None:
        from wallet.share import RequestError, ShareError, answer_openid4vp

        request = self.state.request
        read = self._vp_request
        client = self._client()
        if read is None:
            return
        if client is None:
            request.error = "Satchel is offline, so the answer cannot be sent."
            return
        request.error, request.busy = "", f"Sending your answer to {read.verifier.named}…"
        try:
            answer = await asyncio.to_thread(answer_openid4vp, self.store, read, client=client,
                                             withheld=self._vp_withheld or {})
        except (RequestError, ShareError, StoreError) as exc:
            request.error = f"Your answer could not be sent: {exc}"
            return
        finally:
            request.busy = ""
        self._show_openid4vp_answer(answer)
        await self.load_share_history()

    def _show_openid4vp_answer(self, answer: OpenId4VpAnswer) -> None:
        """OpenID4VP answers say accepted (HTTP 200) or not, with the verifier's reason (§8.2)."""
        request = self.state.request
        accepted = answer.status == 200
        request.verified = accepted
        request.grade = verdict_of("valid" if accepted else "invalid").grade
        request.verdict = "accepted your answer" if accepted else "did not accept your answer"
        body = answer.body or {}
        reason = str(body.get("error_description") or body.get("error") or "")
        request.verdict_lines = (["They received exactly what you agreed to send."] if accepted else
                                 [reason or f"It answered HTTP {answer.status}."])
        # A button, not an automatic jump: the learner sees where it goes, and a browser lets a page
        # open another only from a tap.
        request.continue_url = answer.redirect_uri or ""


def openid4vp_link_in(source: str | bytes) -> str | None:
    """The ``openid4vp://`` link in what the learner gave (text, or a photo of its QR code); None otherwise."""
    from wallet.share import QrDecodeError, decode_qr_image, is_openid4vp_link

    text = source
    if isinstance(source, bytes):
        if source.lstrip()[:1] in (b"{", b"h", b"H"):
            return None  # JSON or an exchange URL: the VC-API request flow reads it
        try:
            text = decode_qr_image(source)
        except (QrDecodeError, ValueError):
            return None
    return text.strip() if isinstance(text, str) and is_openid4vp_link(text) else None

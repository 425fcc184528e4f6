"""The app's state: plain observable dataclasses the views read (no widgets, no store handles).

Views re-render when a field they were given changes; only the controller (``services/``)
writes these, always on the UI event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import flet as ft

from credentials import Grade

from .badge_facts import BadgeFacts
from .openid4vp_consent import OpenId4VpConsent
from .pathways import ShownPathway
from .wording import NEVER_CHECKED, ReportInPlainWords, Verdict

FIRST_RUN = "first-run"
LOCKED = "locked"
UNLOCKED = "unlocked"


@dataclass(frozen=True)
class BadgeCard:
    """One card on "My badges"."""

    id: str
    name: str
    issuer: str
    issued: str  # already formatted for reading
    verdict: str | None  # the store's: "valid" | "invalid" | "unverifiable"; None before any check
    tags: tuple[str, ...] = ()
    graded: Verdict = NEVER_CHECKED  # the verdict as the card shows it
    tells_apart: str = ""  # what differs from a card that looks the same ("Open Badge 2.0, issued 3 Dec … 14:02")


@dataclass(frozen=True)
class OutcomeLine:
    """One imported item in the import log."""

    source: str
    ok: bool
    message: str
    record_id: str | None = None
    not_yours: str = ""  # the badge names someone else: what that means and what to do (wallet.holder_binding)


@dataclass(frozen=True)
class ProfileLine:
    id: str
    label: str
    did: str
    is_default: bool


@dataclass(frozen=True)
class ShareLine:
    id: str
    credential_name: str
    recipient: str
    shared_at: str  # date and time, as people read them
    expires_at: str
    active: bool
    way: str = ""  # "QR code" | "Link" | "Answer to a request"
    withdrawable: bool = False  # a relay link can be called back; a QR code someone scanned cannot


@ft.observable
@dataclass
class SessionState:
    phase: str = FIRST_RUN
    busy: str = ""  # what is happening while the wallet is created / opened ("" when idle)
    error: str = ""
    notice: str = ""  # e.g. "Locked after 5 minutes without activity"


@ft.observable
@dataclass
class BadgeListState:
    query: str = ""
    status: str = "all"  # all | valid | invalid | unverifiable
    issuer: str = ""  # "" = every issuer
    tag: str = ""  # "" = every tag
    sort: str = "added"  # added | issued | name | issuer
    cards: list[BadgeCard] = field(default_factory=list)
    total_in_wallet: int = 0
    loading: bool = True
    error: str = ""
    issuers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # record id -> image bytes (PNG, SVG, JPEG)
    trusted: set[str] = field(default_factory=set)  # record ids whose issuer a trust list vouches for


@ft.observable
@dataclass
class DetailState:
    record_id: str = ""
    facts: BadgeFacts | None = None
    plain_report: ReportInPlainWords | None = None
    raw_text: str = ""
    media_type: str = ""
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    loading: bool = False
    checking: bool = False
    error: str = ""
    message: str = ""
    deleted: bool = False
    not_yours: str = ""  # the badge names someone else (wallet.holder_binding); "" when it is yours
    issued_to: str = ""  # whom it names, in words: "You", a name, "Someone else (not this wallet)"
    holder_did: str = ""  # the DID this wallet presents as (shown under "Technical details" only)


@dataclass(frozen=True)
class OfferShown:
    """An issuer's offer as the Import screen shows it before collecting (OpenID4VCI §12.2.4 display)."""

    link: str
    issuer: str  # the issuer's own name, or its address
    credential: str  # what the issuer calls the credential
    logo: bytes | None
    tx_code_hint: str  # "" when no transaction code is needed (§4.1.1)
    tx_code_numeric: bool = True
    tx_code_length: int | None = None
    sign_in: bool = False  # the learner signs in with the issuer in their browser


@ft.observable
@dataclass
class ImportState:
    running: bool = False
    what: str = ""  # what is being imported, for the progress line
    done: int = 0
    total: int = 0
    outcomes: list[OutcomeLine] = field(default_factory=list)
    error: str = ""
    offer: OfferShown | None = None
    on_its_way: list[str] = field(default_factory=list)  # deferred credentials not yet delivered (§9)


@ft.observable
@dataclass
class PathwaysState:
    pathways: list[ShownPathway] = field(default_factory=list)
    loading: bool = False
    error: str = ""


@ft.observable
@dataclass
class SettingsState:
    profiles: list[ProfileLine] = field(default_factory=list)
    trusted_issuers: list[str] = field(default_factory=list)
    trust_list_name: str = ""
    autolock_minutes: int = 5
    busy: str = ""
    message: str = ""
    error: str = ""
    last_backup: str = ""
    wallet_location: str = ""
    badge_count: int = 0
    verifier_url: str = ""  # where share links point and the relay lives ("" = links cannot be made)


@ft.observable
@dataclass
class ShareState:
    selected: list[str] = field(default_factory=list)  # record ids chosen to share
    disclosure: list[str] = field(default_factory=list)  # what the recipient will see, line by line
    qr_png: bytes | None = None
    qr_frames: list[str] = field(default_factory=list)  # an animated QR: the codes of one loop, shown in turn
    qr_parts: int = 0  # an animated QR: how many codes carry the presentation once
    qr_frame_rate: int = 8  # an animated QR: codes shown per second
    qr_level: str = "M"  # an animated QR: its codes' error correction (wallet.share.AnimatedQr.level)
    link: str = ""  # the last link made, shown with a Copy button
    link_kind: str = ""  # "relay" (can be withdrawn) | "inline"
    link_recipient: str = ""
    expires: str = ""
    busy: str = ""
    error: str = ""
    message: str = ""
    history: list[ShareLine] = field(default_factory=list)
    available: bool = False  # wallet.share is installed
    warnings: list[str] = field(default_factory=list)  # said before sharing (wallet.share.warnings)
    warned_way: str = ""  # "qr" | "link": how the learner was about to share when warned
    warned_for: list[str] = field(default_factory=list)  # the selection the warnings are about


@dataclass(frozen=True)
class RequestChoice:
    """A badge that could answer the request (it matches, and it was issued to this wallet's DID)."""

    id: str
    name: str
    issuer: str


@dataclass(frozen=True)
class DisclosedBadge:
    """One badge as the verifier will receive it: every field of it, since it travels signed and whole."""

    name: str
    issuer: str
    fields: tuple[str, ...]  # "achievement › name: Wound care basics" (under "Technical details")
    summary: tuple[str, ...] = ()  # what is included, in plain words, dates as people read them


@ft.observable
@dataclass
class RequestState:
    """A verifier's request being answered (Share → Answer a request)."""

    busy: str = ""
    error: str = ""
    loaded: bool = False
    verifier: str = ""  # the domain the answer is signed for (shown under "Technical details")
    verifier_name: str = ""  # the organisation's name its request gives ("" when it gives none)
    name_note: str = ""  # how sure that name is ("Given by the verifier's own address", "not confirmed")
    origin: str = ""  # the host the answer is sent to ("" when the request was pasted as JSON)
    holder: str = ""  # the DID the learner answers as (shown under "Technical details")
    online: bool = False  # an answer can be posted (the request came from the verifier's URL)
    asks: list[str] = field(default_factory=list)  # what they ask for, in plain words
    warnings: list[str] = field(default_factory=list)
    choices: list[RequestChoice] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    disclosed: list[DisclosedBadge] = field(default_factory=list)
    satisfied: bool = False
    verdict: str = ""  # the verifier's answer as a graded headline (after Send)
    grade: Grade | None = None
    verified: bool | None = None
    verdict_lines: list[str] = field(default_factory=list)  # its reasons in plain words
    continue_url: str = ""  # OpenID4VP §8.2: the verifier's page to go on to (a button opens it)
    qr_png: bytes | None = None  # the offline answer
    openid4vp: OpenId4VpConsent | None = None  # an OpenID4VP request's consent screen (who, which claims)


@dataclass
class AppState:
    """Holds the per-screen states; each view is handed the one it shows."""

    session: SessionState = field(default_factory=SessionState)
    badges: BadgeListState = field(default_factory=BadgeListState)
    detail: DetailState = field(default_factory=DetailState)
    importing: ImportState = field(default_factory=ImportState)
    pathways: PathwaysState = field(default_factory=PathwaysState)
    settings: SettingsState = field(default_factory=SettingsState)
    share: ShareState = field(default_factory=ShareState)
    request: RequestState = field(default_factory=RequestState)

    def forget_wallet_contents(self) -> None:
        """On lock: nothing the wallet holds stays in memory for the next person at the screen.

        Reset in place, so views holding these objects keep watching the live ones.
        """
        reset_fields(self.badges, BadgeListState())
        reset_fields(self.detail, DetailState())
        reset_fields(self.importing, ImportState())
        reset_fields(self.pathways, PathwaysState())
        reset_fields(self.settings, SettingsState(autolock_minutes=self.settings.autolock_minutes,
                                                  verifier_url=self.settings.verifier_url))
        reset_fields(self.share, ShareState(available=self.share.available))
        reset_fields(self.request, RequestState())


def reset_fields(target: object, fresh: object) -> None:
    for name in fresh.__dataclass_fields__:  # type: ignore[attr-defined]
        setattr(target, name, getattr(fresh, name))

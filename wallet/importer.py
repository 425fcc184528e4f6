"""The wallet's import service: anything a learner brings in is verified, then kept.

    service = ImportService(store, fetcher)          # fetcher: a Fetcher, or a function making one
    outcome = service.import_file(Path("badge.png"))
    outcome = service.import_text(pasted)            # JSON, a JWT, a URL or an offer link
    outcome = service.import_qr_image(photo_bytes)   # a photo or screenshot of a QR code
    outcome = service.redeem_offer("openid-credential-offer://?credential_offer=...")
    outcomes = service.import_paths([folder], progress=lambda done, total, last: ...)
    outcomes = service.reverify()                    # every credential, with today's status lists

Every import verifies the credential with the engine and stores the report with it; a badge that
fails verification is still kept (the learner decides what to do with it) and carries its
verdict. Input that is not a credential at all is never stored: its outcome has ``error`` set to
one plain sentence. Importing the same credential again merges into the record already there.

Offers are redeemed by ``wallet.openid4vci`` (OpenID4VCI 1.0, pre-authorized code flow); what
is read before verification (files, folders, QR photos, links) is ``wallet.import_input``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credentials import (
    Fetcher,
    FetchError,
    MalformedError,
    ParsedInput,
    SatchelError,
    VerificationReport,
    decode_vpqr_text,
    derive_selective_disclosure,
    embed_badge_class,
    has_sd_base_proof,
    parse_input,
    verify,
)
from wallet.import_input import (
    FOLDER_IMPORT_SUFFIXES,
    ImportRefused,
    credential_files,
    decode_qr_image,
    is_http_url,
    is_offer_link,
    read_bounded,
    sentence,
    too_large,
)
from wallet.openid4vci import BrowserOpener, DeferredTicket, Holder, Issued, IssuerRefusal, OfferFlow, OfferPreview
from wallet.paths import MAX_IMPORT_BYTES
from wallet.store import CredentialDisplay, ImportSource, Store, StoreError, describe_credential

if TYPE_CHECKING:
    import httpx

    from credentials import TrustList
    from wallet.store.pending import PendingIssuance

__all__ = [
    "FOLDER_IMPORT_SUFFIXES",
    "MAX_IMPORT_BYTES",
    "ImportOutcome",
    "ImportRefused",
    "ImportService",
    "decode_qr_image",
    "failed_outcome",
    "read_bounded",
    "is_offer_link",
]


# A badge checked within this long before a share is not checked again (an interview's several shares
# in a row cost the issuer nothing); older ones are, so a revocation since is caught.
RECHECK_BEFORE_SHARING = timedelta(minutes=15)

@dataclass(frozen=True)
class ImportOutcome:
    """What one import did. ``error`` is set (and ``id`` None) when nothing could be imported."""

    source: str  # what was imported (file name, "pasted text", URL, "QR image", "offer")
    id: str | None  # store record id; None when nothing was stored
    merged: bool  # True when it was a duplicate merged into an existing record
    verdict: str | None  # "valid" | "invalid" | "unverifiable"; None when not a credential at all
    problems: tuple[str, ...]
    name: str | None  # display name of the credential
    error: str | None  # one plain sentence when nothing could be imported

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "id": self.id, "merged": self.merged, "verdict": self.verdict,
                "problems": list(self.problems), "name": self.name, "error": self.error}


FetcherSource = Fetcher | Callable[[], Fetcher]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _media_type(data: bytes, parsed: ParsedInput) -> str:
    if parsed.container == "png":
        return "image/png"
    if parsed.container == "svg":
        return "image/svg+xml"
    if parsed.sd_jwt is not None:  # draft-ietf-oauth-sd-jwt-vc: the media type of an SD-JWT VC
        return "application/dc+sd-jwt"
    if parsed.jws is not None:
        typ = parsed.jws.header.get("typ")
        return "application/vc+jwt" if typ == "vc+jwt" else "application/jwt"
    if parsed.document is not None and "@context" in parsed.document:
        return "application/ld+json"
    return "application/json"


def _report_error(report: VerificationReport) -> str:
    """The engine's own sentence for input it could not read as a credential."""
    for check in report.checks:
        if check.problem in ("malformed", "unreachable") and check.message:
            return check.message
    return "It is not a credential Satchel can read."


# -- the service ------------------------------------------------------------------------------


class ImportService:
    """Imports, verifies and stores credentials in one unlocked ``Store``.

    ``fetcher`` is either a :class:`credentials.Fetcher` or a function returning a new one.
    A fetcher remembers every answer for its lifetime, so with a function each batch and each
    re-verification gets a fresh one and sees today's status lists (pass a function in a
    long-running app). ``client`` is the HTTP client for redeeming offers (token and credential
    requests are POSTs), or a function returning it (None: offline), called when first needed (making a client
    loads the system's CA certificates: ≈0.2 s an app should not spend while unlocking); by
    default the engine's guarded client (https only, no private addresses).
    """

    def __init__(
        self,
        store: Store,
        fetcher: FetcherSource,
        *,
        clock: Callable[[], datetime] | None = None,
        client: httpx.Client | Callable[[], httpx.Client | None] | None = None,
        trust: TrustList | None = None,
    ) -> None:
        self._store = store
        self._trust = trust
        self._fetcher_source = fetcher
        self._clock = clock or _utc_now
        self._client_source = client if callable(client) else None
        self._client = None if callable(client) else client
        self._owns_client = False
        self._current: Fetcher | None = None

    # -- plumbing ------------------------------------------------------------------------------

    def _new_fetcher(self) -> Fetcher:
        source = self._fetcher_source
        return source if isinstance(source, Fetcher) else source()

    def _fetcher(self) -> Fetcher:
        """The fetcher of the batch under way, or a fresh one for a single import."""
        return self._current or self._new_fetcher()

    def _http(self) -> httpx.Client:
        if self._client is None and self._client_source is not None:
            self._client = self._client_source()
            if self._client is None:  # the app's factory says offline: never fall back to a client of our own
                raise ImportRefused("Redeeming an offer needs the network, and the wallet is offline.")
        if self._client is None:
            from wallet.network import make_http_client

            client = make_http_client()  # the guarded default: https, public hosts only
            if client is None:
                raise ImportRefused("Redeeming an offer needs the network, and the wallet is offline.")
            self._client, self._owns_client = client, True
        return self._client

    def close(self) -> None:
        """Closes the HTTP client the service made for itself (never one it was given)."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None
            self._owns_client = False

    def _verify_holder_copy(self, data: bytes | str, fetcher: Fetcher) -> VerificationReport:
        """The engine's report on what the learner holds. A selective-disclosure base copy (an
        ecdsa-sd-2023 base proof) is for its holder only and no verifier checks it (vc-di-ecdsa 1.0
        §3.6.5): the wallet checks what it will show, the copy derived with every claim disclosed."""
        document = _json_object(data)
        if document is None or not has_sd_base_proof(document):
            return verify(data, fetcher=fetcher, at=self._clock(), trust=self._trust)
        try:
            derived = derive_selective_disclosure(document)
        except SatchelError:  # a base proof that cannot be derived from: the report on the copy itself says why
            return verify(data, fetcher=fetcher, at=self._clock(), trust=self._trust)
        report = verify(derived, fetcher=fetcher, at=self._clock(), trust=self._trust)
        # the wallet keeps the base copy (every later share derives from it); its claims are the derived one's
        return replace(report, credential=document) if report.credential is not None else report

    def _guarded(self, label: str, action: Callable[[], ImportOutcome]) -> ImportOutcome:
        """Runs one import; whatever goes wrong becomes an outcome with one plain sentence."""
        try:
            return action()
        except ImportRefused as exc:
            return failed_outcome(label, str(exc))
        except StoreError as exc:
            return failed_outcome(label, f"The wallet could not store it: {sentence(str(exc))}")
        except SatchelError as exc:
            return failed_outcome(label, f"It is not a credential Satchel can read: {sentence(str(exc))}")
        except Exception as exc:  # never a traceback for one bad input in a batch
            return failed_outcome(label, f"Satchel could not import it ({type(exc).__name__}: {exc}).")

    # -- single imports --------------------------------------------------------------------------

    def import_bytes(self, data: bytes, source: ImportSource) -> ImportOutcome:
        """Verifies and stores ``data`` (JSON, JWT, PNG or SVG) that came from ``source``."""
        label = source.detail or _SOURCE_LABELS.get(source.kind, source.kind)
        return self._guarded(label, lambda: self._import_bytes(bytes(data), source, label))

    def _import_bytes(self, data: bytes, source: ImportSource, label: str) -> ImportOutcome:
        if len(data) > MAX_IMPORT_BYTES:
            raise ImportRefused(too_large(len(data)))
        try:
            parsed = parse_input(data)
        except MalformedError as exc:
            offer = _offer_in_picture(data)
            if offer is not None:  # a picture of an issuer's offer QR, saved as a file
                return self._redeem_offer(offer, None, label, "qr")
            raise ImportRefused(f"It is not a credential Satchel can read: {sentence(str(exc))}") from None
        if parsed.format == "url" and parsed.url:
            return self._import_url(parsed.url, ImportSource("url", parsed.url, source.at), label)
        if parsed.sd_jwt is not None and parsed.sd_jwt.kb_jwt is not None:  # RFC 9901 §7.2: a holder rejects it
            raise ImportRefused("It is an SD-JWT presented to a verifier (it carries a key binding), not a "
                                "credential to keep: import the SD-JWT VC its issuer gave you.")
        fetcher = self._fetcher()
        report = self._verify_holder_copy(data, fetcher)
        if "malformed" in report.problems:
            raise ImportRefused(_report_error(report))
        # What the wallet shows is what was verified (issue 12): the engine's reading of the signed
        # data (a JWT's credential, an OB 2.0 issuer's hosted copy, a refreshed copy), not the raw input.
        credential = report.credential if report.credential is not None else parsed.document
        if credential is None:
            raise ImportRefused(_report_error(report))
        return self._store_verified(data, _media_type(data, parsed), dict(credential), source, report, label,
                                    _ob2_display(credential, fetcher))

    def _store_verified(
        self, data: bytes, media_type: str, credential: Mapping[str, Any], source: ImportSource,
        report: VerificationReport, label: str, display: CredentialDisplay | None = None,
    ) -> ImportOutcome:
        display = display or describe_credential(credential)
        added = self._store.add_credential(data, media_type, credential, source, report=report.to_json(),
                                           display=display)
        return ImportOutcome(
            source=label, id=added.id, merged=added.merged, verdict=str(report.verdict),
            problems=report.problems, name=display.name or None, error=None,
        )

    def import_file(self, path: Path) -> ImportOutcome:
        """A credential file: JSON, JWT / JWS, or a baked PNG / SVG badge."""
        path = Path(path)
        return self._guarded(path.name or str(path), lambda: self._import_file(path))

    def _import_file(self, path: Path) -> ImportOutcome:
        data = read_bounded(path)
        return self._import_bytes(data, ImportSource("file", path.name), path.name)

    def import_text(self, text: str) -> ImportOutcome:
        """Pasted text: a credential as JSON, a JWT, a badge URL, or an offer link."""
        stripped = text.strip()
        if is_offer_link(stripped):
            return self.redeem_offer(stripped)
        if is_http_url(stripped):
            return self.import_url(stripped)
        if _is_vpqr(stripped):
            return self._guarded("pasted text", lambda: self._import_vpqr(
                stripped, ImportSource("paste"), "pasted text"))
        return self._guarded("pasted text", lambda: self._import_bytes(
            stripped.encode("utf-8"), ImportSource("paste"), "pasted text"))

    def _import_vpqr(self, text: str, source: ImportSource, label: str) -> ImportOutcome:
        """A CBOR-LD ``VP1-`` / ``VC1-`` code (the DCC wallet's QR): each credential it carries is
        imported as its JSON (the presentation around them is a wrapper for showing, as for the DCC
        wallet itself). The outcome is the first credential's, or the first that failed."""
        try:
            doc = decode_vpqr_text(text)
        except MalformedError as exc:
            raise ImportRefused(f"It is not a credential Satchel can read: {sentence(str(exc))}") from None
        carried = doc.get("verifiableCredential", []) if "VerifiablePresentation" in _types(doc) else doc
        found = [c for c in (carried if isinstance(carried, list) else [carried]) if isinstance(c, dict)]
        if not found:
            raise ImportRefused("The CBOR-LD QR code holds a presentation with no credential in it.")
        outcomes = [self._import_bytes(json.dumps(c).encode("utf-8"), source, label) for c in found]
        return next((o for o in outcomes if o.error), outcomes[0])

    def import_url(self, url: str) -> ImportOutcome:
        """A hosted OB 2.0 assertion or a credential served at a URL: fetched, verified, stored."""
        url = url.strip()
        return self._guarded(url, lambda: self._import_url(url, ImportSource("url", url), url))

    def _import_url(self, url: str, source: ImportSource, label: str) -> ImportOutcome:
        if not is_http_url(url):
            raise ImportRefused(f"{url!r} is not an http(s) URL.")
        fetcher = self._fetcher()
        try:
            body = fetcher.get_bytes(url, accept="application/ld+json, application/json, application/jwt, */*")
        except FetchError as exc:
            raise ImportRefused(f"The credential at {url} could not be fetched ({exc.reason}).") from None
        try:
            parsed = parse_input(body)
        except MalformedError as exc:
            raise ImportRefused(f"What {url} serves is not a credential: {sentence(str(exc))}") from None
        if parsed.format == "url":
            raise ImportRefused(f"{url} answers with another URL, not a credential.")
        return self._import_bytes(body, source, label)

    def import_qr_image(self, image: bytes) -> ImportOutcome:
        """A photo or screenshot of a QR code holding an offer link, a badge URL or a credential."""
        label = "QR image"

        def run() -> ImportOutcome:
            if len(image) > MAX_IMPORT_BYTES:
                raise ImportRefused(too_large(len(image)))
            text = decode_qr_image(bytes(image)).strip()
            if is_offer_link(text):
                return self._redeem_offer(text, None, label, "qr")
            if is_http_url(text):
                return self._import_url(text, ImportSource("qr", text), label)
            if _is_vpqr(text):
                return self._import_vpqr(text, ImportSource("qr"), label)
            return self._import_bytes(text.encode("utf-8"), ImportSource("qr"), label)

        return self._guarded(label, run)

    def redeem_offer(self, offer: str, profile_id: str | None = None, *, tx_code: str | None = None,
                     browser: BrowserOpener | None = None) -> ImportOutcome:
        """Redeems an OpenID4VCI credential offer for ``profile_id``'s DID.

        ``offer`` is the ``openid-credential-offer://`` link (by value or by reference) or the
        offer's JSON; without ``profile_id`` the wallet's default profile receives it. ``tx_code``
        is the code the issuer gave the learner apart (§4.1.1); an offer that needs a sign-in opens
        ``browser`` (the system browser by default). A deferred credential (§9) is kept as pending
        (verdict ``"pending"``) and collected by :meth:`collect_pending`.
        """
        return self._guarded("offer", lambda: self._redeem_offer(offer, profile_id, "offer", "offer",
                                                                 tx_code=tx_code, browser=browser))

    def preview_offer(self, offer: str) -> OfferPreview:
        """What an offer is (issuer, credential name and logo, whether it needs a code or a sign-in),
        before anything is redeemed. Raises ImportRefused."""
        if not self._fetcher().online:
            raise ImportRefused("Redeeming an offer needs the network, and the wallet is offline.")
        return OfferFlow(self._http(), self._clock).preview(offer)

    def _holder(self, profile_id: str | None) -> tuple[str, Holder]:
        profile = self._store.get_profile(profile_id) if profile_id else self._store.default_profile()
        if profile is None:
            raise ImportRefused("The wallet has no holder profile to receive the credential; create one first.")
        return profile.id, Holder(self._store.signing_key(profile.id), profile.verification_method, profile.did)

    def _redeem_offer(self, offer: str, profile_id: str | None, label: str, kind: str, *,
                      tx_code: str | None = None, browser: BrowserOpener | None = None) -> ImportOutcome:
        from wallet.store.models import SourceKind

        fetcher = self._fetcher()
        if not fetcher.online:
            raise ImportRefused("Redeeming an offer needs the network, and the wallet is offline.")
        owner, holder = self._holder(profile_id)
        result = OfferFlow(self._http(), self._clock, browser=browser).redeem(offer, holder, tx_code=tx_code)
        if isinstance(result, DeferredTicket):
            return self._keep_pending(result, owner, label)
        source_kind: SourceKind = "qr" if kind == "qr" else "offer"
        return self._store_issued(result, ImportSource(source_kind, result.issuer), label)

    def _tell_issuer(self, issued: Issued, outcome: ImportOutcome) -> None:
        """OID4VCI §11: the issuer hears the wallet kept what it sent (advisory; failures change nothing)."""
        if issued.notification is not None and outcome.id is not None:
            OfferFlow(self._http(), self._clock).notify(issued.notification, "credential_accepted")

    def _store_issued(self, issued: Issued, source: ImportSource, label: str) -> ImportOutcome:
        """The first credential the issuer sent; copies of a batch name the same key, so one is kept."""
        received = issued.credentials[0]
        report = self._verify_holder_copy(received.data, self._fetcher())
        if "malformed" in report.problems:
            raise ImportRefused(f"The issuer sent something that is not a credential: {_report_error(report)}")
        parsed = parse_input(received.data)
        outcome = self._store_verified(received.data, _media_type(received.data, parsed), received.document,
                                       source, report, label)
        self._tell_issuer(issued, outcome)
        return outcome

    def _keep_pending(self, ticket: DeferredTicket, profile_id: str, label: str) -> ImportOutcome:
        from wallet.store.pending import PendingIssuance

        now = self._clock()
        self._store.save_pending_issuance(PendingIssuance(
            id=ticket.transaction_id, profile_id=profile_id, credential_issuer=ticket.credential_issuer,
            endpoint=ticket.endpoint, access_token=ticket.access_token, transaction_id=ticket.transaction_id,
            interval=ticket.interval, name=ticket.name, requested_at=now.isoformat(),
            next_ask_at=(now + timedelta(seconds=ticket.interval)).isoformat(),
            notification_endpoint=ticket.notification_endpoint))
        return ImportOutcome(source=label, id=None, merged=False, verdict="pending", problems=(), name=ticket.name,
                             error=None)

    def collect_pending(self, *, force: bool = False) -> list[ImportOutcome]:
        """Asks each issuer whose deferred credential is due (all with ``force``) whether it is ready:
        ready ones are verified and stored, refused ones dropped with the reason, the rest wait on."""
        due = [p for p in self._store.pending_issuances()
               if force or datetime.fromisoformat(p.next_ask_at) <= self._clock()]
        return [self.collect_pending_one(item) for item in due]

    def collect_pending_one(self, item: PendingIssuance) -> ImportOutcome:
        """One pending credential asked for now (see :meth:`collect_pending`)."""
        return self._guarded(item.name or item.credential_issuer, partial(self._collect_one, item))

    def _collect_one(self, item: PendingIssuance) -> ImportOutcome:
        from dataclasses import replace

        label = item.name or item.credential_issuer
        ticket = DeferredTicket(item.credential_issuer, item.endpoint, item.access_token, item.transaction_id,
                                item.interval, item.name, item.notification_endpoint)
        _, holder = self._holder(item.profile_id)
        try:
            result = OfferFlow(self._http(), self._clock).collect(ticket, holder)
        except IssuerRefusal:  # the issuer said no: asking again will not help (unreachable: it waits on)
            self._store.remove_pending_issuance(item.id)
            raise
        if isinstance(result, DeferredTicket):
            later = self._clock() + timedelta(seconds=result.interval)
            self._store.save_pending_issuance(replace(item, interval=result.interval, next_ask_at=later.isoformat()))
            return ImportOutcome(source=label, id=None, merged=False, verdict="pending", problems=(),
                                 name=item.name, error=None)
        outcome = self._store_issued(result, ImportSource("offer", result.issuer), label)
        self._store.remove_pending_issuance(item.id)
        return outcome

    # -- batches -------------------------------------------------------------------------------

    def import_paths(
        self, paths: Iterable[Path], progress: Callable[[int, int, ImportOutcome], None] | None = None,
    ) -> list[ImportOutcome]:
        """Files, and folders searched recursively (hidden entries skipped; only credential suffixes).

        ``progress(done, total, last)`` is called after each file. One fetcher serves the
        whole batch, so a status list or DID document is fetched once.
        """
        planned: list[Path | ImportOutcome] = []
        for path in paths:
            planned.extend(_expand(Path(path)))
        outcomes: list[ImportOutcome] = []
        with self._batch():
            for item in planned:
                outcome = item if isinstance(item, ImportOutcome) else self.import_file(item)
                outcomes.append(outcome)
                if progress is not None:
                    progress(len(outcomes), len(planned), outcome)
        return outcomes

    def reverify(
        self, ids: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None,
    ) -> list[ImportOutcome]:
        """Verifies stored credentials again (all when ``ids`` is None) and records the new reports."""
        targets = list(ids) if ids is not None else self._store.credential_ids()
        outcomes: list[ImportOutcome] = []
        with self._batch(fresh=True):
            for record_id in targets:
                outcomes.append(self._guarded(record_id, partial(self._reverify_one, record_id)))
                if progress is not None:
                    progress(len(outcomes), len(targets))
        return outcomes

    def recheck_before_sharing(self, ids: Iterable[str], *, older_than: timedelta = RECHECK_BEFORE_SHARING
                               ) -> list[ImportOutcome]:
        """Checks again, with their issuers, the records about to be shared whose last check is older than
        ``older_than`` (or that were never checked), so a badge revoked since is warned about before it is
        shown. A new verdict is recorded only when it is decisive (valid or invalid): offline, or with the
        issuer down, the last check stands (the warnings say "as of Satchel's last check"), and a
        learner in an interview without a network still shares what they had."""
        cutoff = self._clock() - older_than
        outcomes: list[ImportOutcome] = []
        with self._batch(fresh=True):
            for record_id in dict.fromkeys(ids):
                checked = self._store.get_summary(record_id).verified_at
                if checked is None or checked < cutoff:
                    outcomes.append(self._guarded(record_id, partial(self._reverify_one, record_id, keep_unsure=True)))
        return outcomes

    def _reverify_one(self, record_id: str, keep_unsure: bool = False) -> ImportOutcome:
        record = self._store.get_credential(record_id)
        report = self._verify_holder_copy(record.original, self._fetcher())
        if keep_unsure and report.verdict == "unverifiable":
            name = record.summary.display.name or None
        else:
            name = self._store.record_verification(record_id, report.to_json()).display.name or None
        return ImportOutcome(source=record_id, id=record_id, merged=False, verdict=str(report.verdict),
                             problems=report.problems, name=name, error=None)

    @contextmanager
    def _batch(self, fresh: bool = False) -> Iterator[None]:
        """One fetcher for everything inside (a new one when ``fresh`` or when none is active)."""
        outer = self._current
        if outer is None or fresh:
            self._current = self._new_fetcher()
        try:
            yield
        finally:
            self._current = outer


_SOURCE_LABELS = {"paste": "pasted text", "qr": "QR image", "offer": "offer", "file": "file", "url": "URL",
                  "backup": "backup"}


def _is_vpqr(text: str) -> bool:
    return text[:4].upper() in ("VP1-", "VC1-")


def _types(doc: Mapping[str, Any]) -> list[Any]:
    kinds = doc.get("type")
    return kinds if isinstance(kinds, list) else [kinds]


def failed_outcome(label: str, message: str) -> ImportOutcome:
    """The outcome of an import that stored nothing: ``message`` is the one sentence shown."""
    return ImportOutcome(source=label, id=None, merged=False, verdict=None, problems=(), name=None,
                         error=sentence(message))


_PICTURE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF", b"GIF8", b"BM")


def _offer_in_picture(data: bytes) -> str | None:
    """The OpenID4VCI offer link a picture's QR code holds, if it is a picture of one."""
    if not data.startswith(_PICTURE_MAGIC):
        return None
    try:
        text = decode_qr_image(data).strip()
    except ImportRefused:
        return None
    return text if is_offer_link(text) else None


def _ob2_display(credential: Mapping[str, Any], fetcher: Fetcher) -> CredentialDisplay | None:
    """An OB 2.0 assertion names its BadgeClass (and that its issuer) by URL: the list row shows
    their names. Verification has just fetched both, so the fetcher answers from memory."""
    embedded = embed_badge_class(credential, fetcher)
    return None if embedded is credential else describe_credential(embedded)


def _expand(path: Path) -> list[Path | ImportOutcome]:
    """A file as given; a folder's credential files, recursively, in a stable order."""
    if path.is_dir():
        return list(credential_files(path))
    if not path.exists():
        return [failed_outcome(path.name or str(path), f"There is no file or folder at {path}.")]
    return [path]


def _json_object(data: bytes | str) -> dict[str, Any] | None:
    """``data`` as a JSON object when it is one (a picture, a JWT or anything else: None)."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None

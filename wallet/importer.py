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

Offers follow OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow: the offer
(§4.1, by value or by reference), the Credential Issuer metadata (§12.2), the Authorization
Server metadata (RFC 8414) for the token endpoint, the Token Request (§6.1), a fresh nonce from
the Nonce Endpoint (§7) when there is one, and a Credential Request (§8) with a ``jwt`` key proof
(Appendix F.1) signed by the learner's profile key, so the credential is bound to their did:key.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from credentials import (
    Fetcher,
    FetchError,
    MalformedError,
    ParsedInput,
    SatchelError,
    VerificationReport,
    parse_input,
    verify,
)
from wallet.paths import MAX_IMPORT_BYTES
from wallet.store import CredentialDisplay, ImportSource, Store, StoreError, describe_credential

if TYPE_CHECKING:
    import httpx

    from credentials import TrustList

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

# In a folder, only files that can hold a credential are tried (photos, notes and .DS_Store are not).
FOLDER_IMPORT_SUFFIXES = frozenset({".json", ".jsonld", ".jwt", ".jws", ".png", ".svg"})
MAX_HTTP_ANSWER_BYTES = 4 * 1024 * 1024
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"
OFFER_SCHEMES = ("openid-credential-offer", "haip", "openid4vci")


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


class ImportRefused(Exception):
    """Raised inside the service for input it will not store; the message is one plain sentence."""


FetcherSource = Fetcher | Callable[[], Fetcher]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def is_offer_link(text: str) -> bool:
    """An OpenID4VCI credential offer: a link carrying ``credential_offer`` or ``credential_offer_uri``."""
    stripped = text.strip()
    scheme = stripped.split(":", 1)[0].lower()
    if scheme in OFFER_SCHEMES:
        return True
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except (ValueError, RecursionError):
            return False
        return isinstance(value, dict) and "credential_issuer" in value and "grants" in value
    query = urlsplit(stripped).query if "?" in stripped else ""
    params = parse_qs(query)
    return "credential_offer" in params or "credential_offer_uri" in params


def _is_http_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text.strip())


def _media_type(data: bytes, parsed: ParsedInput) -> str:
    if parsed.container == "png":
        return "image/png"
    if parsed.container == "svg":
        return "image/svg+xml"
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


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?")) else text + "."


# -- QR codes ---------------------------------------------------------------------------------


def decode_qr_image(image: bytes) -> str:
    """The text of the QR code in a photo or screenshot (PNG, JPEG, WebP...): the engine's reader
    (:func:`credentials.decode_qr_image`, OpenCV). Raises ImportRefused."""
    from credentials import QrDecodeError
    from credentials import decode_qr_image as read

    try:
        return read(image)
    except QrDecodeError as exc:
        raise ImportRefused(_sentence(str(exc)[:1].upper() + str(exc)[1:])) from None


# -- the service ------------------------------------------------------------------------------


class ImportService:
    """Imports, verifies and stores credentials in one unlocked ``Store``.

    ``fetcher`` is either a :class:`credentials.Fetcher` or a function returning a new one.
    A fetcher remembers every answer for its lifetime, so with a function each batch and each
    re-verification gets a fresh one and sees today's status lists (pass a function in a
    long-running app). ``client`` is the HTTP client for redeeming offers (token and credential
    requests are POSTs), or a function returning it, called when first needed (making a client
    loads the system's CA certificates: ≈0.2 s an app should not spend while unlocking); by
    default the engine's guarded client (https only, no private addresses).
    """

    def __init__(
        self,
        store: Store,
        fetcher: FetcherSource,
        *,
        clock: Callable[[], datetime] | None = None,
        client: httpx.Client | Callable[[], httpx.Client] | None = None,
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
        if self._client is None:
            from credentials import make_client

            self._client = make_client()
            self._owns_client = True
        return self._client

    def close(self) -> None:
        """Closes the HTTP client the service made for itself (never one it was given)."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None
            self._owns_client = False

    def _guarded(self, label: str, action: Callable[[], ImportOutcome]) -> ImportOutcome:
        """Runs one import; whatever goes wrong becomes an outcome with one plain sentence."""
        try:
            return action()
        except ImportRefused as exc:
            return failed_outcome(label, str(exc))
        except StoreError as exc:
            return failed_outcome(label, f"The wallet could not store it: {_sentence(str(exc))}")
        except SatchelError as exc:
            return failed_outcome(label, f"It is not a credential Satchel can read: {_sentence(str(exc))}")
        except Exception as exc:  # never a traceback for one bad input in a batch
            return failed_outcome(label, f"Satchel could not import it ({type(exc).__name__}: {exc}).")

    # -- single imports --------------------------------------------------------------------------

    def import_bytes(self, data: bytes, source: ImportSource) -> ImportOutcome:
        """Verifies and stores ``data`` (JSON, JWT, PNG or SVG) that came from ``source``."""
        label = source.detail or _SOURCE_LABELS.get(source.kind, source.kind)
        return self._guarded(label, lambda: self._import_bytes(bytes(data), source, label))

    def _import_bytes(self, data: bytes, source: ImportSource, label: str) -> ImportOutcome:
        if len(data) > MAX_IMPORT_BYTES:
            raise ImportRefused(_too_large(len(data)))
        try:
            parsed = parse_input(data)
        except MalformedError as exc:
            raise ImportRefused(f"It is not a credential Satchel can read: {_sentence(str(exc))}") from None
        if parsed.format == "url" and parsed.url:
            return self._import_url(parsed.url, ImportSource("url", parsed.url, source.at), label)
        fetcher = self._fetcher()
        report = verify(data, fetcher=fetcher, at=self._clock(), trust=self._trust)
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
        if _is_http_url(stripped):
            return self.import_url(stripped)
        return self._guarded("pasted text", lambda: self._import_bytes(
            stripped.encode("utf-8"), ImportSource("paste"), "pasted text"))

    def import_url(self, url: str) -> ImportOutcome:
        """A hosted OB 2.0 assertion or a credential served at a URL: fetched, verified, stored."""
        url = url.strip()
        return self._guarded(url, lambda: self._import_url(url, ImportSource("url", url), url))

    def _import_url(self, url: str, source: ImportSource, label: str) -> ImportOutcome:
        if not _is_http_url(url):
            raise ImportRefused(f"{url!r} is not an http(s) URL.")
        fetcher = self._fetcher()
        try:
            body = fetcher.get_bytes(url, accept="application/ld+json, application/json, application/jwt, */*")
        except FetchError as exc:
            raise ImportRefused(f"The credential at {url} could not be fetched ({exc.reason}).") from None
        try:
            parsed = parse_input(body)
        except MalformedError as exc:
            raise ImportRefused(f"What {url} serves is not a credential: {_sentence(str(exc))}") from None
        if parsed.format == "url":
            raise ImportRefused(f"{url} answers with another URL, not a credential.")
        return self._import_bytes(body, source, label)

    def import_qr_image(self, image: bytes) -> ImportOutcome:
        """A photo or screenshot of a QR code holding an offer link, a badge URL or a credential."""
        label = "QR image"

        def run() -> ImportOutcome:
            if len(image) > MAX_IMPORT_BYTES:
                raise ImportRefused(_too_large(len(image)))
            text = decode_qr_image(bytes(image)).strip()
            if is_offer_link(text):
                return self._redeem_offer(text, None, label, "qr")
            if _is_http_url(text):
                return self._import_url(text, ImportSource("qr", text), label)
            return self._import_bytes(text.encode("utf-8"), ImportSource("qr"), label)

        return self._guarded(label, run)

    def redeem_offer(self, offer: str, profile_id: str | None = None) -> ImportOutcome:
        """Redeems an OpenID4VCI credential offer (pre-authorized code) for ``profile_id``'s DID.

        ``offer`` is the ``openid-credential-offer://`` link (by value or by reference) or the
        offer's JSON; without ``profile_id`` the wallet's default profile receives it.
        """
        return self._guarded("offer", lambda: self._redeem_offer(offer, profile_id, "offer", "offer"))

    def _redeem_offer(self, offer: str, profile_id: str | None, label: str, kind: str) -> ImportOutcome:
        from wallet.store.models import SourceKind

        fetcher = self._fetcher()
        if not fetcher.online:
            raise ImportRefused("Redeeming an offer needs the network, and the wallet is offline.")
        profile = self._store.get_profile(profile_id) if profile_id else self._store.default_profile()
        if profile is None:
            raise ImportRefused("The wallet has no holder profile to receive the credential; create one first.")
        flow = _OfferFlow(self._http(), self._clock)
        credential_bytes, credential, issuer_url = flow.redeem(
            offer, signing_key=self._store.signing_key(profile.id),
            verification_method=profile.verification_method, holder_did=profile.did,
        )
        report = verify(credential_bytes, fetcher=fetcher, at=self._clock(), trust=self._trust)
        if "malformed" in report.problems:
            raise ImportRefused(f"The issuer sent something that is not a credential: {_report_error(report)}")
        parsed = parse_input(credential_bytes)
        source_kind: SourceKind = "qr" if kind == "qr" else "offer"
        return self._store_verified(credential_bytes, _media_type(credential_bytes, parsed), credential,
                                    ImportSource(source_kind, issuer_url), report, label)

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

    def _reverify_one(self, record_id: str) -> ImportOutcome:
        record = self._store.get_credential(record_id)
        report = verify(record.original, fetcher=self._fetcher(), at=self._clock(), trust=self._trust)
        summary = self._store.record_verification(record_id, report.to_json())
        return ImportOutcome(source=record_id, id=record_id, merged=False, verdict=str(report.verdict),
                             problems=report.problems, name=summary.display.name or None, error=None)

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


def failed_outcome(label: str, message: str) -> ImportOutcome:
    """The outcome of an import that stored nothing: ``message`` is the one sentence shown."""
    return ImportOutcome(source=label, id=None, merged=False, verdict=None, problems=(), name=None,
                         error=_sentence(message))


def _ob2_display(credential: Mapping[str, Any], fetcher: Fetcher) -> CredentialDisplay | None:
    """An OB 2.0 assertion names its BadgeClass (and that its issuer) by URL: the list row shows
    their names. Verification has just fetched both, so the fetcher answers from memory."""
    badge = credential.get("badge")
    if not isinstance(badge, str) or not _is_http_url(badge):
        return None
    try:
        badge_class = fetcher.get_json(badge)
        if not isinstance(badge_class, dict):
            return None
        issuer = badge_class.get("issuer")
        if isinstance(issuer, str) and _is_http_url(issuer):
            profile = fetcher.get_json(issuer)
            if isinstance(profile, dict):
                badge_class = {**badge_class, "issuer": profile}
    except SatchelError:
        return None
    return describe_credential({**credential, "badge": badge_class})


def _too_large(size: int) -> str:
    return (f"It is {size / (1024 * 1024):.1f} MB; Satchel imports files up to "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB.")


def read_bounded(path: Path) -> bytes:
    """The file's bytes, refusing anything over MAX_IMPORT_BYTES without reading it whole."""
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise ImportRefused(f"{path} is a folder; import its files instead.")
            if info.st_size > MAX_IMPORT_BYTES:
                raise ImportRefused(f"{path.name} is too large to be a credential: {_too_large(info.st_size)}")
            data = fh.read(MAX_IMPORT_BYTES + 1)
    except IsADirectoryError:
        raise ImportRefused(f"{path} is a folder; import its files instead.") from None
    except FileNotFoundError:
        raise ImportRefused(f"There is no file at {path}.") from None
    except PermissionError:
        raise ImportRefused(f"Satchel is not allowed to read {path}.") from None
    except OSError as exc:
        raise ImportRefused(f"{path} could not be read ({exc.strerror or type(exc).__name__}).") from None
    if len(data) > MAX_IMPORT_BYTES:  # it grew while we looked
        raise ImportRefused(f"{path.name} is too large to be a credential: {_too_large(len(data))}")
    return data


def _expand(path: Path) -> list[Path | ImportOutcome]:
    """A file as given; a folder's credential files, recursively, in a stable order."""
    if path.is_dir():
        found: list[Path | ImportOutcome] = []
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith(".") and Path(name).suffix.lower() in FOLDER_IMPORT_SUFFIXES:
                    found.append(Path(root) / name)
        return found
    if not path.exists():
        return [failed_outcome(path.name or str(path), f"There is no file or folder at {path}.")]
    return [path]


# -- OpenID4VCI ---------------------------------------------------------------------------------


class _OfferFlow:
    """One redemption of a pre-authorized code offer; every failure is ImportRefused."""

    def __init__(self, client: httpx.Client, clock: Callable[[], datetime]) -> None:
        self._client = client
        self._clock = clock

    def redeem(
        self, offer_text: str, *, signing_key: Any, verification_method: str, holder_did: str,
    ) -> tuple[bytes, dict[str, Any], str]:
        """Returns the credential as bytes, its parsed JSON and the credential issuer's URL."""
        offer = self._read_offer(offer_text)
        issuer = offer["credential_issuer"]
        grant = offer["grants"][PRE_AUTHORIZED_GRANT]
        metadata = self._issuer_metadata(issuer)
        configuration_id, configuration = self._configuration(offer, metadata)
        token_endpoint = self._token_endpoint(issuer, metadata, grant)
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": grant["pre-authorized_code"]}
        if grant.get("tx_code") is not None or grant.get("user_pin_required") is True:
            raise ImportRefused("This offer needs a transaction code from the issuer, which Satchel cannot enter yet.")
        token = self._post(token_endpoint, "token request", data=form)
        access_token = token.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise ImportRefused("The issuer's token endpoint gave no access token.")
        auth = {"Authorization": f"{token.get('token_type') or 'Bearer'} {access_token}"}
        if str(token.get("token_type") or "Bearer").lower() != "bearer":
            auth = {"Authorization": f"Bearer {access_token}"}  # OID4VCI uses bearer tokens (§6.2)
        request: dict[str, Any] = {}
        identifier = _credential_identifier(token, configuration_id)
        if identifier is not None:
            request["credential_identifier"] = identifier  # §8.2: when the token names identifiers
        else:
            request["credential_configuration_id"] = configuration_id
        if _needs_proof(configuration):
            nonce = self._nonce(metadata, token, auth)
            request["proofs"] = {"jwt": [self._key_proof(signing_key, verification_method, issuer, nonce)]}
        endpoint = _endpoint(metadata, "credential_endpoint", issuer)
        answer = self._post(endpoint, "credential request", json_body=request, headers=auth)
        credential = _credential_from_answer(answer)
        if isinstance(credential, str):
            data = credential.strip().encode("utf-8")
            try:
                parsed_doc = parse_input(data).document
            except MalformedError as exc:
                raise ImportRefused(f"The issuer sent something that is not a credential: {_sentence(str(exc))}") \
                    from None
            document: dict[str, Any] = dict(parsed_doc or {})
        else:
            document = credential
            data = json.dumps(credential, ensure_ascii=False, indent=2).encode("utf-8")
        subject_ids = _subject_ids(document)
        if subject_ids and holder_did not in subject_ids:
            raise ImportRefused(
                f"The issuer sent a credential issued to {subject_ids[0]}, not to your DID; it was not stored."
            )
        return data, document, issuer

    # -- §4.1 the offer ----------------------------------------------------------------------

    def _read_offer(self, text: str) -> dict[str, Any]:
        text = text.strip()
        if text.startswith("{"):
            offer = _loads_object(text, "The offer")
        else:
            params = parse_qs(urlsplit(text).query)
            if "credential_offer" in params:
                offer = _loads_object(params["credential_offer"][0], "The offer in the link")
            elif "credential_offer_uri" in params:
                offer = self._get_json(params["credential_offer_uri"][0], "credential offer")
            else:
                raise ImportRefused("The link carries no credential offer (credential_offer or credential_offer_uri).")
        issuer = offer.get("credential_issuer")
        if not isinstance(issuer, str) or not _is_http_url(issuer):
            raise ImportRefused("The offer does not name its credential issuer as an http(s) URL.")
        ids = offer.get("credential_configuration_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise ImportRefused("The offer does not say which credential it offers.")
        grants = offer.get("grants")
        grant = grants.get(PRE_AUTHORIZED_GRANT) if isinstance(grants, dict) else None
        if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str):
            raise ImportRefused(
                "The offer has no pre-authorized code; offers that need a sign-in with the issuer "
                "are not supported yet."
            )
        return offer

    # -- §12.2 / RFC 8414 metadata -----------------------------------------------------------

    def _issuer_metadata(self, issuer: str) -> dict[str, Any]:
        metadata = self._get_json(_well_known(issuer, "openid-credential-issuer"), "issuer metadata")
        if metadata.get("credential_issuer") != issuer:
            # §12.2.2: the metadata must be about the issuer the offer names, or it is not to be used.
            raise ImportRefused("The issuer's metadata names a different credential issuer than the offer.")
        return metadata

    def _configuration(self, offer: dict[str, Any], metadata: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        supported = metadata.get("credential_configurations_supported")
        if not isinstance(supported, dict):
            raise ImportRefused("The issuer's metadata lists no credential configurations.")
        for configuration_id in offer["credential_configuration_ids"]:
            configuration = supported.get(configuration_id)
            if isinstance(configuration, dict):
                return configuration_id, configuration
        raise ImportRefused("The issuer's metadata does not describe the credential it offers.")

    def _token_endpoint(self, issuer: str, metadata: dict[str, Any], grant: dict[str, Any]) -> str:
        servers = metadata.get("authorization_servers")
        chosen = grant.get("authorization_server")
        if isinstance(servers, list) and servers:
            server = chosen if isinstance(chosen, str) and chosen in servers else servers[0]
        else:
            server = issuer  # §12.2.4: the issuer is its own authorization server
        if not isinstance(server, str) or not _is_http_url(server):
            raise ImportRefused("The issuer names an authorization server that is not an http(s) URL.")
        try:
            as_metadata = self._get_json(_well_known(server, "oauth-authorization-server"),
                                         "authorization server metadata")
        except ImportRefused:
            as_metadata = {}
        endpoint = as_metadata.get("token_endpoint")
        if isinstance(endpoint, str) and _is_http_url(endpoint):
            return endpoint
        legacy = metadata.get("token_endpoint")  # issuers written to draft 13 put it here
        if isinstance(legacy, str) and _is_http_url(legacy):
            return legacy
        raise ImportRefused("The issuer's authorization server does not say where its token endpoint is.")

    # -- §7 nonce and Appendix F.1 key proof ------------------------------------------------

    def _nonce(self, metadata: dict[str, Any], token: dict[str, Any], auth: dict[str, str]) -> str:
        endpoint = metadata.get("nonce_endpoint")
        if isinstance(endpoint, str) and _is_http_url(endpoint):
            answer = self._post(endpoint, "nonce request", headers=auth)
            nonce = answer.get("c_nonce")
        else:
            nonce = token.get("c_nonce")  # draft 13 issuers hand it out with the token
        if not isinstance(nonce, str) or not nonce:
            raise ImportRefused("The issuer gave no nonce for the key proof.")
        return nonce

    def _key_proof(self, key: Any, verification_method: str, issuer: str, nonce: str) -> str:
        from credentials import sign_jws

        header = {"typ": PROOF_TYPE, "alg": "EdDSA", "kid": verification_method}
        claims = {"aud": issuer, "iat": int(self._clock().timestamp()), "nonce": nonce}
        return sign_jws(header, json.dumps(claims, separators=(",", ":")).encode("utf-8"), key)

    # -- HTTP ------------------------------------------------------------------------------

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        return self._exchange("GET", url, what, headers={"Accept": "application/json"})

    def _post(self, url: str, what: str, *, data: dict[str, str] | None = None,
              json_body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self._exchange("POST", url, what, data=data, json_body=json_body,
                              headers={"Accept": "application/json", **(headers or {})})

    def _exchange(self, method: str, url: str, what: str, *, data: dict[str, str] | None = None,
                  json_body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        import httpx

        from credentials import RefusedError

        if not _is_http_url(url):
            raise ImportRefused(f"The issuer's {what} URL is not an http(s) URL.")
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if data is not None:
            kwargs["data"] = data
        elif json_body is not None:
            kwargs["json"] = json_body
        elif method == "POST":
            kwargs["content"] = b""
        try:
            with self._client.stream(method, url, **kwargs) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_HTTP_ANSWER_BYTES:
                        raise ImportRefused(f"The issuer's answer to the {what} is too large.")
                status = response.status_code
        except RefusedError as exc:
            raise ImportRefused(f"The {what} was not sent: {_sentence(str(exc))}") from None
        except httpx.HTTPError as exc:
            raise ImportRefused(f"The issuer could not be reached for the {what} ({type(exc).__name__}).") from None
        try:
            answer = json.loads(bytes(body)) if body else {}
        except (ValueError, RecursionError):
            answer = None
        if status >= 400 or not isinstance(answer, dict):
            detail = ""
            if isinstance(answer, dict):
                detail = str(answer.get("error_description") or answer.get("error") or "")
            reason = f": {detail}" if detail else ""
            raise ImportRefused(_sentence(f"The issuer refused the {what} (HTTP {status}){reason}"))
        return answer


def _well_known(identifier: str, suffix: str) -> str:
    """RFC 8615 / OID4VCI §12.2.2: the well-known segment goes between the host and any path."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{suffix}{path}", "", ""))


def _endpoint(metadata: dict[str, Any], name: str, issuer: str) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not _is_http_url(value):
        raise ImportRefused(f"The issuer's metadata has no usable {name.replace('_', ' ')}.")
    return value


def _loads_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ImportRefused(f"{what} is not valid JSON.") from None
    if not isinstance(value, dict):
        raise ImportRefused(f"{what} is not a JSON object.")
    return value


def _needs_proof(configuration: Mapping[str, Any]) -> bool:
    """§8.2: a proof of the key is required when the configuration lists proof types."""
    proof_types = configuration.get("proof_types_supported")
    if not isinstance(proof_types, dict) or not proof_types:
        return False
    jwt = proof_types.get("jwt")
    if not isinstance(jwt, dict):
        raise ImportRefused("The issuer wants a kind of key proof Satchel cannot make (it makes jwt proofs).")
    algs = jwt.get("proof_signing_alg_values_supported")
    if isinstance(algs, list) and "EdDSA" not in algs and "Ed25519" not in algs:
        raise ImportRefused("The issuer does not accept Ed25519 key proofs, which Satchel makes.")
    methods = configuration.get("cryptographic_binding_methods_supported")
    if isinstance(methods, list) and not any(m in ("did:key", "did", "jwk") for m in methods):
        raise ImportRefused("The issuer cannot bind the credential to a did:key, which Satchel uses.")
    return True


def _credential_identifier(token: Mapping[str, Any], configuration_id: str) -> str | None:
    details = token.get("authorization_details")
    if not isinstance(details, list):
        return None
    for detail in details:
        if (isinstance(detail, dict) and detail.get("credential_configuration_id") == configuration_id
                and isinstance(detail.get("credential_identifiers"), list) and detail["credential_identifiers"]):
            first = detail["credential_identifiers"][0]
            return first if isinstance(first, str) else None
    return None


def _credential_from_answer(answer: Mapping[str, Any]) -> dict[str, Any] | str:
    """§8.3: ``credentials: [{"credential": ...}]`` (1.0), or ``credential`` (draft 13)."""
    credentials = answer.get("credentials")
    if isinstance(credentials, list) and credentials:
        first = credentials[0]
        value = first.get("credential") if isinstance(first, dict) else first
    else:
        value = answer.get("credential")
    if isinstance(value, dict | str) and value:
        return value
    if answer.get("transaction_id") is not None:
        raise ImportRefused("The issuer will deliver this credential later (deferred issuance), "
                            "which Satchel does not support yet.")
    raise ImportRefused("The issuer's answer holds no credential.")


def _subject_ids(document: Mapping[str, Any]) -> list[str]:
    credential: Mapping[str, Any] = document
    if isinstance(document.get("vc"), Mapping):
        credential = document["vc"]
        if isinstance(document.get("sub"), str):
            return [document["sub"]]
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)]

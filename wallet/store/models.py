"""The values the store hands out. All frozen; dicts inside are fresh copies per call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SourceKind = Literal["file", "url", "offer", "qr", "paste", "backup"]
SOURCE_KINDS: frozenset[str] = frozenset({"file", "url", "offer", "qr", "paste", "backup"})

SortOrder = Literal["added", "name", "issuer", "issued"]


@dataclass(frozen=True)
class ImportSource:
    """Where one import came from: ``detail`` is the file name, URL or offer endpoint."""

    kind: SourceKind
    detail: str | None = None
    at: datetime | None = None  # filled in by the store when the import is recorded

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"unknown import source {self.kind!r}; expected one of {sorted(SOURCE_KINDS)}")


@dataclass(frozen=True)
class CredentialDisplay:
    """What a list row shows, derived from the parsed credential (see ``describe_credential``)."""

    name: str
    issuer: str
    issued: str | None = None  # as written in the credential (ISO 8601 date or date-time)
    skills: tuple[str, ...] = ()
    kind: str = ""  # the most specific type, e.g. "OpenBadgeCredential" or "Assertion"
    form: str = ""  # the engine's name for it (Facts.form): "Open Badge 3.0", "Comprehensive Learner Record"...


@dataclass(frozen=True)
class CredentialSummary:
    """The small sealed part of a credential record: enough for the first screen and search."""

    id: str
    display: CredentialDisplay
    media_type: str
    added_at: datetime
    tags: tuple[str, ...] = ()
    sources: tuple[ImportSource, ...] = ()
    verdict: str | None = None  # "valid" | "invalid" | "unverifiable"; None before any verification
    verified_at: datetime | None = None
    problems: tuple[str, ...] = ()  # the latest report's problem codes ("revoked", "expired"...)

    @property
    def name(self) -> str:
        return self.display.name

    @property
    def issuer(self) -> str:
        return self.display.issuer


@dataclass(frozen=True)
class CredentialRecord:
    summary: CredentialSummary
    original: bytes  # exactly the bytes imported first (JSON, JWT, PNG, SVG)
    credential: Mapping[str, Any] | None  # the parsed credential; None if it could not be parsed
    report: Mapping[str, Any] | None  # the latest VerificationReport.to_json()

    @property
    def id(self) -> str:
        return self.summary.id


@dataclass(frozen=True)
class AddResult:
    """``merged`` is True when the import was a duplicate folded into an existing record."""

    id: str
    merged: bool


@dataclass(frozen=True)
class SearchPage:
    total: int  # how many matched, before offset/limit
    items: tuple[CredentialSummary, ...]


@dataclass(frozen=True)
class HolderProfile:
    """A learner identity. The private key stays in the store; see ``Store.signing_key``."""

    id: str
    label: str
    did: str  # did:key of the Ed25519 public key
    created_at: datetime

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"


@dataclass(frozen=True)
class ShareEntry:
    """One act of sharing: which credential, with whom (a domain), when, until when."""

    id: str
    credential_id: str
    credential_name: str  # kept so the history still reads well after the credential is deleted
    recipient: str
    shared_at: datetime
    expires_at: datetime | None = None
    unshared_at: datetime | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def is_active(self, now: datetime) -> bool:
        if self.unshared_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at

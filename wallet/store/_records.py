"""The sealed JSON of each record kind, and the small rules the store applies to records.

Shared by the store (which seals these) and the backup (whose frames carry them), so both read and
write exactly one shape.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from . import _crypto
from .models import CredentialDisplay, CredentialSummary, HolderProfile, ImportSource, ShareEntry

_MAX_PROBLEMS, _MAX_PROBLEM = 10, 60  # problem codes are short words; a summary stays small


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_record_id() -> str:
    return secrets.token_hex(16)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def required_time(text: object) -> datetime:
    moment = parse_time(text)
    if moment is None:
        raise ValueError("missing timestamp")
    return moment


def json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def aad(table: str, column: str, record_id: str) -> bytes:
    """A sealed blob's associated data: moved to another row or column, it fails authentication."""
    return f"{table}|{column}|{record_id}".encode()


def content_identity(original: bytes, credential: Mapping[str, Any] | None) -> bytes:
    """What makes two imports the same credential.

    The parsed credential when there is one, so the same badge as JSON and baked into a PNG
    is one record; sorted keys because key order is not meaning in JSON.
    """
    if credential is not None:
        return b"credential\0" + json.dumps(
            credential, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
    return b"original\0" + original


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned = (t.strip() for t in tags)
    return tuple(dict.fromkeys(t for t in cleaned if t))


def merge_sources(old: tuple[ImportSource, ...], new: ImportSource) -> tuple[ImportSource, ...]:
    if any((s.kind, s.detail) == (new.kind, new.detail) for s in old):
        return old  # the same file or URL again: the first time it came is what matters
    return (*old, new)


def with_verification(summary: CredentialSummary, report: Mapping[str, Any], fallback: datetime) -> CredentialSummary:
    """``summary`` with the verdict, time and problem codes of ``report`` (``VerificationReport.to_json()``)."""
    verdict = report.get("verdict")
    problems = report.get("problems")
    codes = [p for p in problems if isinstance(p, str)] if isinstance(problems, list) else []
    return replace(summary, verdict=verdict if isinstance(verdict, str) else None,
                   verified_at=parse_time(report.get("at")) or fallback,
                   problems=tuple(p[:_MAX_PROBLEM] for p in codes[:_MAX_PROBLEMS]))


# -- credential summaries ----------------------------------------------------------------------


def source_to_json(source: ImportSource) -> dict[str, Any]:
    return {"kind": source.kind, "detail": source.detail, "at": iso(source.at)}


def source_from_json(data: Mapping[str, Any]) -> ImportSource:
    return ImportSource(kind=data["kind"], detail=data.get("detail"), at=parse_time(data.get("at")))


def summary_to_json(summary: CredentialSummary) -> dict[str, Any]:
    d = summary.display
    return {
        "name": d.name, "issuer": d.issuer, "issued": d.issued, "skills": list(d.skills), "kind": d.kind,
        "form": d.form, "media_type": summary.media_type, "added_at": iso(summary.added_at), "tags": list(summary.tags),
        "sources": [source_to_json(s) for s in summary.sources], "verdict": summary.verdict,
        "verified_at": iso(summary.verified_at), "problems": list(summary.problems),
    }


def summary_from_json(record_id: str, data: Mapping[str, Any]) -> CredentialSummary:
    return CredentialSummary(
        id=record_id,
        display=CredentialDisplay(
            name=data["name"], issuer=data["issuer"], issued=data.get("issued"),
            skills=tuple(data.get("skills", ())), kind=data.get("kind", ""),
            form=data.get("form", ""),  # summaries written before it was kept have none
        ),
        media_type=data["media_type"],
        added_at=required_time(data["added_at"]),
        tags=tuple(data.get("tags", ())),
        sources=tuple(source_from_json(s) for s in data.get("sources", ())),
        verdict=data.get("verdict"),
        verified_at=parse_time(data.get("verified_at")),
        problems=tuple(data.get("problems", ())),  # summaries written before they were kept have none
    )


# -- holder profiles and shares ----------------------------------------------------------------


def profile_to_json(profile: HolderProfile, private_key: bytes) -> dict[str, Any]:
    return {
        "label": profile.label, "did": profile.did, "created_at": iso(profile.created_at),
        "private_key": _crypto.b64(private_key),
    }


def profile_from_json(profile_id: str, data: Mapping[str, Any]) -> HolderProfile:
    return HolderProfile(
        id=profile_id, label=data["label"], did=data["did"], created_at=required_time(data["created_at"])
    )


def share_to_json(entry: ShareEntry) -> dict[str, Any]:
    return {
        "credential_id": entry.credential_id, "credential_name": entry.credential_name,
        "recipient": entry.recipient, "shared_at": iso(entry.shared_at), "expires_at": iso(entry.expires_at),
        "unshared_at": iso(entry.unshared_at), "details": dict(entry.details),
    }


def share_from_json(share_id: str, data: Mapping[str, Any]) -> ShareEntry:
    return ShareEntry(
        id=share_id, credential_id=data["credential_id"], credential_name=data["credential_name"],
        recipient=data["recipient"], shared_at=required_time(data["shared_at"]),
        expires_at=parse_time(data.get("expires_at")), unshared_at=parse_time(data.get("unshared_at")),
        details=data.get("details") or {},
    )

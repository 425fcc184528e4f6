"""What the learner should know before sharing: a badge the verifier will refuse.

The wallet's own verdict for each record (``CredentialSummary.verdict`` and ``problems``, from the
latest verification, as the badge list shows it) says revoked, suspended, expired or tampered; the
badge's validity period is read again against today, since a badge checked last month may have
expired since (VCDM 2.0 §4.9 ``validUntil``, VCDM 1.1 ``expirationDate``, OB 2.0 ``expires``);
:func:`wallet.holder_binding.holder_binding` says whether it names someone else (``holder-mismatch``).
Warnings never block: the learner may share anyway (VCDM 2.0 §4.13 allows presenting another's
credential, and a verifier not asking for subject binding only notes it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from credentials import MalformedError, describe_problem, parse_datetime
from wallet.holder_binding import holder_binding
from wallet.store import CredentialRecord, Store

__all__ = ["ShareWarning", "WarningCode", "sharing_warnings"]

WarningCode = Literal["revoked", "suspended", "expired", "not-yet-valid", "tampered", "invalid", "someone-else"]

# Engine problem tokens (credentials._report.PROBLEMS) that say the badge was changed or is not the
# issuer's: one "tampered" warning for any of them.
TAMPERED = ("invalid-signature", "issuer-key-mismatch")
# Problems with a warning of their own; the rest of an "invalid" verdict goes in one "invalid" warning.
OWN_WARNING = frozenset({"revoked", "suspended", "expired", "not-yet-valid", *TAMPERED})
EXPIRY_FIELDS = ("validUntil", "expirationDate", "expires")


@dataclass(frozen=True)
class ShareWarning:
    """One reason a verifier will refuse (or question) a badge: ``code`` is stable, ``message`` one
    plain sentence naming the badge; ``credential_id`` the record it is about."""

    code: WarningCode
    message: str
    credential_id: str = ""

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "credential": self.credential_id}


def sharing_warnings(store: Store, record_ids: Iterable[str], *, profile_id: str | None = None,
                     now: datetime | None = None) -> list[ShareWarning]:
    """Every warning for the records about to be shared together, in their order (none: share freely).
    ``profile_id`` is the profile that will present them (the default one when None)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    warnings: list[ShareWarning] = []
    for record_id in dict.fromkeys(record_ids):
        warnings.extend(_record_warnings(store, store.get_credential(record_id), profile_id, moment))
    return warnings


def _record_warnings(store: Store, record: CredentialRecord, profile_id: str | None,
                     now: datetime) -> list[ShareWarning]:
    name = f"“{record.summary.name or 'This badge'}”"
    problems = set(record.summary.problems)
    checked = record.summary.verified_at
    when = f", as of Satchel's last check ({checked:%d %b %Y})" if checked else ""
    found: list[tuple[WarningCode, str]] = []
    if "revoked" in problems:
        found.append(("revoked", f"{name} was withdrawn (revoked) by its issuer{when}: a verifier will say "
                                 "so."))
    if "suspended" in problems:
        found.append(("suspended", f"{name} was put on hold (suspended) by its issuer{when}: a verifier will "
                                   "say so."))
    ended = _expired_on(record.credential, now)
    if "expired" in problems or ended is not None:
        on = f" on {ended:%d %b %Y}" if ended is not None else ""
        found.append(("expired", f"{name} expired{on}: a verifier will refuse it as expired."))
    if "not-yet-valid" in problems:
        found.append(("not-yet-valid", f"{name} is not valid yet: a verifier will refuse it until its start date."))
    if problems & set(TAMPERED):
        found.append(("tampered", f"{name} failed its signature check: it may have been changed since it was "
                                  "issued, and a verifier will reject it."))
    rest = sorted(p for p in problems - OWN_WARNING if record.summary.verdict == "invalid")
    if rest:
        found.append(("invalid", f"{name} did not pass Satchel's checks: "
                                 + " ".join(describe_problem(p) for p in rest)))
    binding = holder_binding(store, record, profile_id=profile_id)
    if binding.someone_else:
        found.append(("someone-else", f"{name}: {binding.message}"))
    return [ShareWarning(code, message, record.id) for code, message in found]


def _expired_on(credential: Mapping[str, Any] | None, now: datetime) -> datetime | None:
    """The end of the validity period when it is already past (unreadable dates are the engine's
    business: its report says malformed)."""
    if credential is None:
        return None
    for name in EXPIRY_FIELDS:
        if name in credential:
            try:
                ends = parse_datetime(credential[name], name)
            except MalformedError:
                return None
            return ends if ends <= now else None
    return None

"""The status methods Satchel checks, one checker per ``credentialStatus`` type.

A checker answers one entry: ``checker(credential, entry, context) -> StatusOutcome``. The bundled
ones (:data:`STATUS_CHECKERS`) are the default of ``VerifyOptions.status_checkers``; a caller may
pass its own table (vc.js style), e.g. to add a status method or to leave one out.

* Bitstring Status List v1.0 §3.2 (validate) and StatusList2021: fetch the status list credential,
  verify it (proof, validity at the time asked), check its type and that its purpose matches the
  entry's, then read the entry's bit.
* 1EdTech Revocation List Status Method 1.0: an unsigned list of revoked credential ids.

Anything that stops a check is ``status-unknown``: a status we could not check is never reported
as "not revoked". This module does not know ``VerifyOptions`` (which defaults to its table): the
pipeline hands a checker what it needs in a :class:`StatusContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .._errors import FetchError, MalformedError, SatchelError
from .._formats import ParsedInput
from .._net import Fetcher
from .._report import CheckId, CheckResult, VerificationReport, could_not_check, failed, passed, warning
from .._status.bitstring import decode_encoded_list, read_status
from .dates import human

__all__ = ["STATUS_CHECKERS", "StatusChecker", "StatusContext", "StatusOutcome", "status_unknown", "types_of"]

_LIST_ACCEPT = "application/vc+ld+json, application/vc+jwt, application/vc, application/jwt, application/json"
_PROBLEM_OF = {"revocation": "revoked", "suspension": "suspended"}


@dataclass(frozen=True)
class StatusContext:
    """What a status checker may use: the verification's fetcher and time, and the pipeline to
    verify a fetched status list credential with (its own status and refresh are not checked)."""

    fetcher: Fetcher
    at: datetime
    verify_list: Callable[[ParsedInput], VerificationReport]


@dataclass(frozen=True)
class StatusOutcome:
    """One entry's check; ``list_url``: the list it read (a stale cached copy is noted);
    ``list_document``: the verified list credential (the report says when another party keeps it)."""

    check: CheckResult
    list_url: str | None = None
    list_document: Mapping[str, Any] | None = None


StatusChecker = Callable[[dict[str, Any], dict[str, Any], StatusContext], StatusOutcome]


def types_of(node: Any) -> list[Any]:
    t = node.get("type", []) if isinstance(node, dict) else []
    return t if isinstance(t, list) else [t]


def status_unknown(check_id: CheckId, why: str) -> CheckResult:
    return could_not_check(check_id, "status-unknown", f"Could not check the status: {why}.")


def _as_of(url: str, context: StatusContext) -> str:
    """How current the status list we read is (the time asked, or when a cached copy was fetched)."""
    prov = context.fetcher.provenance(url)
    if prov is not None and prov.source == "cache" and prov.fetched_at is not None:
        stale = ", a stale copy: the list could not be fetched now" if prov.stale else ""
        return f" (status as of {human(prov.fetched_at)}{stale})"
    if prov is not None and prov.source == "local":
        # A copy handed in (``--documents``): when the issuer published it is not known here.
        return " (in the copy of the list given to Satchel)"
    fetched = prov.fetched_at if prov is not None else None  # the fetcher's clock: time stays a parameter
    if fetched is not None and context.at > fetched + timedelta(minutes=5):
        # A list fetched today cannot say what the issuer will decide by a later date.
        return f" (as of now, {human(fetched)}; what the issuer decides by {human(context.at)} cannot be known yet)"
    return f" (as of {human(context.at)})"


# ---------------------------------------------------------------------------------------------
# 1EdTech Revocation List Status Method 1.0


def _id_of(node: Any) -> Any:
    return node.get("id") if isinstance(node, dict) else node


def check_1edtech_list(cred: dict[str, Any], entry: dict[str, Any], context: StatusContext) -> StatusOutcome:
    """1EdTech Revocation List Status Method 1.0 (OB 3.0 §"Credential Status"): GET the entry's
    id; the answer lists ``revokedCredentials`` by credential id. It is not signed: it counts only
    when it names the credential's own issuer."""
    url = entry.get("id")
    return StatusOutcome(_revocation_list_check(cred, url, context), url if isinstance(url, str) else None)


def _revocation_list_check(cred: dict[str, Any], url: Any, context: StatusContext) -> CheckResult:
    check_id = CheckId.STATUS_REVOCATION
    if not isinstance(url, str):
        return status_unknown(check_id, "the revocation list entry has no id")
    try:
        doc = context.fetcher.get_json(url)
    except FetchError as exc:
        return status_unknown(check_id, f"the revocation list {url} could not be fetched ({exc.reason})")
    revoked = doc.get("revokedCredentials") if isinstance(doc, dict) else None
    list_issuer = _id_of(doc.get("issuer")) if isinstance(doc, dict) else None
    if list_issuer != _id_of(cred.get("issuer")) or not isinstance(revoked, list):
        return status_unknown(check_id, "the revocation list is not the issuer's list")
    cred_id = cred.get("id")
    when = _as_of(url, context)
    for item in revoked:
        if isinstance(item, dict) and cred_id is not None and item.get("id") == cred_id:
            reason = item.get("revocationReason")
            return failed(check_id, "revoked", "The issuer has revoked this credential"
                          + (f": {reason}" if isinstance(reason, str) and reason else "") + when + ".")
    return passed(check_id, f"Not on the issuer's revocation list{when}.")


# ---------------------------------------------------------------------------------------------
# Bitstring Status List v1.0 and StatusList2021


@dataclass(frozen=True)
class _ListKind:
    """What a status list entry type expects of its list credential."""

    list_type: str      # the list credential's type
    subject_type: str   # its credentialSubject's type
    multibase: bool     # encodedList carries the multibase "u" prefix (Bitstring), or not (2021)


_BITSTRING = _ListKind("BitstringStatusListCredential", "BitstringStatusList", True)
_STATUSLIST_2021 = _ListKind("StatusList2021Credential", "StatusList2021", False)


class _Unknown(Exception):
    """The status cannot be checked (why), with the verified list credential once it was read."""

    def __init__(self, why: str, list_document: Mapping[str, Any] | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.list_document = list_document


def _status_list_checker(kind: _ListKind) -> StatusChecker:
    def check(cred: dict[str, Any], entry: dict[str, Any], context: StatusContext) -> StatusOutcome:
        return _check_list_entry(kind, entry, context)

    return check


def _check_list_entry(kind: _ListKind, entry: dict[str, Any], context: StatusContext) -> StatusOutcome:
    """The entry's check, and the verified list credential once it was read."""
    purpose = entry.get("statusPurpose")
    check_id = CheckId.for_status_purpose(purpose)
    url = entry.get("statusListCredential")
    list_url = url if isinstance(url, str) else None
    try:
        index, size = _entry_position(entry, purpose, url)
        doc = _verified_list(kind, str(url), context)
        subject = _list_subject(kind, doc, purpose)
        value = _read_value(kind, subject, index, size, doc)
    except _Unknown as exc:
        return StatusOutcome(status_unknown(check_id, exc.why), list_url, exc.list_document)
    return StatusOutcome(_value_check(check_id, purpose, value, entry, subject, _as_of(str(url), context)),
                         list_url, doc)


def _entry_position(entry: dict[str, Any], purpose: Any, url: Any) -> tuple[int, int]:
    """The entry's index and status size in the list it names."""
    if not isinstance(url, str):
        raise _Unknown("the entry names no status list")
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        raise _Unknown("the status index is not a number") from None
    try:
        size = int(str(entry.get("statusSize", 1)))
    except ValueError:
        raise _Unknown("statusSize is not a number") from None
    if size < 1 or (purpose in _PROBLEM_OF and size != 1):
        raise _Unknown(f"statusSize {size} is not allowed for {purpose}")
    return index, size


def _list_credential(body: bytes) -> ParsedInput | None:
    """A fetched status list, read as any input is: a JSON-LD credential or a VC-JWT, else None
    (Bitstring Status List v1.0 §3.1: the list credential may be secured either way)."""
    from .._formats._detect import parse_text

    try:
        parsed = parse_text(body.decode("utf-8"))
    except (UnicodeDecodeError, SatchelError):
        return None
    return parsed if parsed.format in ("vc", "vc-jwt") else None


def _verified_list(kind: _ListKind, url: str, context: StatusContext) -> Mapping[str, Any]:
    """The status list credential at ``url``, fetched and verified: what its proof covers."""
    try:
        body = context.fetcher.get_bytes(url, accept=_LIST_ACCEPT)
    except FetchError as exc:
        raise _Unknown(f"the status list {url} could not be fetched ({exc.reason})") from None
    secured = _list_credential(body)
    if secured is None:
        raise _Unknown("the status list is neither a JSON credential nor a VC-JWT")
    if secured.format == "vc" and kind.list_type not in types_of(secured.document):
        raise _Unknown(f"the status list is not a {kind.list_type}")
    report = context.verify_list(secured)
    if report.problems:
        raise _Unknown("the status list itself does not verify (" + ", ".join(report.problems) + ")")
    doc = report.credential or {}  # what its proof covers (a JWT's payload, read by the engine)
    if kind.list_type not in types_of(doc):
        raise _Unknown(f"the status list is not a {kind.list_type}", doc)
    return doc


def _list_subject(kind: _ListKind, doc: Mapping[str, Any], purpose: Any) -> dict[str, Any]:
    """The list credential's subject, once it is a list of the kind and for the entry's purpose."""
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict) or kind.subject_type not in types_of(subject):
        raise _Unknown(f"the status list's subject is not a {kind.subject_type}", doc)
    list_purposes = subject.get("statusPurpose")
    list_purposes = list_purposes if isinstance(list_purposes, list) else [list_purposes]
    if purpose not in list_purposes:
        raise _Unknown(f"the list is for {list_purposes}, the entry for {purpose!r}", doc)
    return subject


def _read_value(kind: _ListKind, subject: dict[str, Any], index: int, size: int, doc: Mapping[str, Any]) -> int:
    """The entry's value: ``size`` bits at ``index`` of the list's encodedList."""
    try:
        bits = decode_encoded_list(subject.get("encodedList"), multibase=kind.multibase)
        return read_status(bits, index, size)
    except MalformedError as exc:
        raise _Unknown(str(exc), doc) from None
    except IndexError:
        raise _Unknown(f"index {index} is outside the status list", doc) from None


def _value_check(check_id: CheckId, purpose: Any, value: int, entry: dict[str, Any], subject: dict[str, Any],
                 when: str) -> CheckResult:
    """The entry's value in words: revoked / suspended, or the status message it stands for."""
    if purpose in _PROBLEM_OF:
        word = "revoked" if purpose == "revocation" else "suspended"
        if value:
            return failed(check_id, _PROBLEM_OF[purpose], f"The issuer has {word} this credential{when}.")
        return passed(check_id, f"Not {word}: checked the issuer's status list{when}.")
    messages = entry.get("statusMessage") or subject.get("statusMessages")
    if isinstance(messages, list):
        for m in messages:
            if isinstance(m, dict) and m.get("status") in (hex(value), str(value)):
                return warning(check_id, f"status-{purpose}", f"Status: {m.get('message', value)}{when}.")
    return warning(check_id, f"status-{purpose}", f"Status {purpose} value is {value}{when}.")


# The bundled status methods, by credentialStatus type: the default of VerifyOptions.status_checkers.
STATUS_CHECKERS: Mapping[str, StatusChecker] = {
    "BitstringStatusListEntry": _status_list_checker(_BITSTRING),
    "StatusList2021Entry": _status_list_checker(_STATUSLIST_2021),
    "1EdTechRevocationList": check_1edtech_list,
}

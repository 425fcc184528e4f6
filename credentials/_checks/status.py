"""Status checks: is the credential revoked or suspended at the time asked?

Bitstring Status List v1.0 §3.2 (validate): fetch the status list credential, verify it
(proof, validity at the time asked), check its type and that its purpose matches the
entry's, then read the entry's bit. Anything that stops that is ``status-unknown``: a
status we could not check is never reported as "not revoked".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from .._errors import FetchError, MalformedError, SatchelError
from .._formats import ParsedInput
from .._report import CheckId, CheckResult, VerificationReport, could_not_check, failed, passed, warning
from .._status.bitstring import decode_encoded_list, read_status
from ._context import VerifyOptions
from .dates import human

# Verifies a fetched status list credential, parsed like any input: JSON-LD or a VC-JWT (Bitstring
# Status List v1.0 §3.1: the list credential may be secured either way).
VerifyFn = Callable[[ParsedInput, VerifyOptions], VerificationReport]
_LIST_ACCEPT = "application/vc+ld+json, application/vc+jwt, application/vc, application/jwt, application/json"

_KINDS = {
    "BitstringStatusListEntry": ("BitstringStatusListCredential", "BitstringStatusList", True),
    "StatusList2021Entry": ("StatusList2021Credential", "StatusList2021", False),
}
_PROBLEM_OF = {"revocation": "revoked", "suspension": "suspended"}


def _types(node: Any) -> list[Any]:
    t = node.get("type", []) if isinstance(node, dict) else []
    return t if isinstance(t, list) else [t]


def check_status(cred: dict[str, Any], opts: VerifyOptions, verify: VerifyFn) -> list[CheckResult]:
    status = cred.get("credentialStatus")
    if status is None:
        return [passed(CheckId.STATUS, "No status list is named: the issuer cannot revoke it online.")]
    entries = status if isinstance(status, list) else [status]
    out: list[CheckResult] = []
    for entry in entries:
        list_doc: Mapping[str, Any] | None = None  # the verified list credential, when one was read
        if "1EdTechRevocationList" in _types(entry):
            check = _check_1edtech_list(cred, entry, opts)  # counts only when it is the issuer's own
            url = entry.get("id")
        else:
            check, list_doc = _check_entry(entry, opts, verify)
            url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        out.extend(_stale(check, url, opts) if isinstance(url, str) else [check])
        if list_doc is not None and check.status != "could-not-check":
            out.extend(_list_issuer_differs(cred, list_doc))
    return out


def _issuer_of(doc: Any) -> Any:
    issuer = doc.get("issuer") if isinstance(doc, dict) else None
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _list_issuer_differs(cred: dict[str, Any], doc: Mapping[str, Any]) -> list[CheckResult]:
    """Bitstring Status List allows a list run by another party (the DCC fixtures share one),
    and the corpus contract accepts it; but whoever signs the list decides whether this
    credential counts as revoked, so the report says so when that is not the issuer."""
    list_issuer, cred_issuer = _issuer_of(doc), _issuer_of(cred)
    if list_issuer == cred_issuer or not isinstance(list_issuer, str):
        return []
    return [warning(CheckId.STATUS_LIST_ISSUER, "status-list-issuer-differs",
                    f"The status list is kept by {list_issuer}, not by the issuer of the credential; "
                    "its word on revocation is only as good as your trust in it.")]


def _check_1edtech_list(cred: dict[str, Any], entry: dict[str, Any], opts: VerifyOptions) -> CheckResult:
    """1EdTech Revocation List Status Method 1.0 (OB 3.0 §"Credential Status"): GET the entry's
    id; the answer lists ``revokedCredentials`` by credential id. It is not signed: it counts only
    when it names the credential's own issuer."""
    check_id = CheckId.STATUS_REVOCATION
    url = entry.get("id")
    if not isinstance(url, str):
        return _unknown(check_id, "the revocation list entry has no id")
    try:
        doc = opts.fetcher.get_json(url)
    except FetchError as exc:
        return _unknown(check_id, f"the revocation list {url} could not be fetched ({exc.reason})")
    issuer = cred.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    list_issuer = doc.get("issuer") if isinstance(doc, dict) else None
    list_issuer = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
    revoked = doc.get("revokedCredentials") if isinstance(doc, dict) else None
    if list_issuer != issuer_id or not isinstance(revoked, list):
        return _unknown(check_id, "the revocation list is not the issuer's list")
    cred_id = cred.get("id")
    when = _as_of(url, opts)
    for item in revoked:
        if isinstance(item, dict) and cred_id is not None and item.get("id") == cred_id:
            reason = item.get("revocationReason")
            return failed(check_id, "revoked", "The issuer has revoked this credential"
                          + (f": {reason}" if isinstance(reason, str) and reason else "") + when + ".")
    return passed(check_id, f"Not on the issuer's revocation list{when}.")


def _as_of(url: str, opts: VerifyOptions) -> str:
    """How current the status list we read is (the time asked, or when a cached copy was fetched)."""
    prov = opts.fetcher.provenance(url)
    if prov is not None and prov.source == "cache" and prov.fetched_at is not None:
        stale = ", a stale copy: the list could not be fetched now" if prov.stale else ""
        return f" (status as of {human(prov.fetched_at)}{stale})"
    if prov is not None and prov.source == "local":
        # A copy handed in (``--documents``): when the issuer published it is not known here.
        return " (in the copy of the list given to Satchel)"
    fetched = prov.fetched_at if prov is not None else None  # the fetcher's clock: time stays a parameter
    if fetched is not None and opts.at > fetched + timedelta(minutes=5):
        # A list fetched today cannot say what the issuer will decide by a later date.
        return f" (as of now, {human(fetched)}; what the issuer decides by {human(opts.at)} cannot be known yet)"
    return f" (as of {human(opts.at)})"


def _stale(check: CheckResult, url: str, opts: VerifyOptions) -> list[CheckResult]:
    prov = opts.fetcher.provenance(url)
    if prov is None or not prov.stale or prov.fetched_at is None:
        return [check]
    return [check, warning(CheckId.STATUS_FRESHNESS, "status-stale", "The status list could not be fetched now; "
                           f"the copy used is from {human(prov.fetched_at)}.")]


def _unknown(check_id: CheckId, why: str) -> CheckResult:
    return could_not_check(check_id, "status-unknown", f"Could not check the status: {why}.")


def _list_credential(body: bytes) -> ParsedInput | None:
    """A fetched status list, read as any input is: a JSON-LD credential or a VC-JWT, else None."""
    from .._formats._detect import parse_text

    try:
        parsed = parse_text(body.decode("utf-8"))
    except (UnicodeDecodeError, SatchelError):
        return None
    return parsed if parsed.format in ("vc", "vc-jwt") else None


def _check_entry(entry: Any, opts: VerifyOptions, verify: VerifyFn) -> tuple[CheckResult, Mapping[str, Any] | None]:
    """The entry's check, and the verified list credential once it was read."""
    if not isinstance(entry, dict):
        return _unknown(CheckId.STATUS, "the status entry is not an object"), None
    purpose = entry.get("statusPurpose")
    check_id = CheckId.for_status_purpose(purpose)
    etype = next((t for t in _types(entry) if t in _KINDS), None)
    if etype is None:
        return _unknown(check_id, f"Satchel does not know the status type {entry.get('type')!r}"), None
    list_type, subject_type, multibase = _KINDS[etype]
    url = entry.get("statusListCredential")
    if not isinstance(url, str):
        return _unknown(check_id, "the entry names no status list"), None
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        return _unknown(check_id, "the status index is not a number"), None
    try:
        size = int(str(entry.get("statusSize", 1)))
    except ValueError:
        return _unknown(check_id, "statusSize is not a number"), None
    if size < 1 or (purpose in _PROBLEM_OF and size != 1):
        return _unknown(check_id, f"statusSize {size} is not allowed for {purpose}"), None
    try:
        body = opts.fetcher.get_bytes(url, accept=_LIST_ACCEPT)
    except FetchError as exc:
        return _unknown(check_id, f"the status list {url} could not be fetched ({exc.reason})"), None
    secured = _list_credential(body)
    if secured is None:
        return _unknown(check_id, "the status list is neither a JSON credential nor a VC-JWT"), None
    if secured.format == "vc" and list_type not in _types(secured.document):
        return _unknown(check_id, f"the status list is not a {list_type}"), None
    report = verify(secured, opts.nested(check_status=False, identity=None, refresh=False))
    if report.problems:
        return _unknown(check_id, "the status list itself does not verify ("
                        + ", ".join(report.problems) + ")"), None
    doc = report.credential or {}  # what its proof covers (a JWT's payload, read by the engine)
    if list_type not in _types(doc):
        return _unknown(check_id, f"the status list is not a {list_type}"), doc
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict) or subject_type not in _types(subject):
        return _unknown(check_id, f"the status list's subject is not a {subject_type}"), doc
    list_purposes = subject.get("statusPurpose")
    list_purposes = list_purposes if isinstance(list_purposes, list) else [list_purposes]
    if purpose not in list_purposes:
        return _unknown(check_id, f"the list is for {list_purposes}, the entry for {purpose!r}"), doc
    try:
        bits = decode_encoded_list(subject.get("encodedList"), multibase=multibase)
        value = read_status(bits, index, size)
    except MalformedError as exc:
        return _unknown(check_id, str(exc)), doc
    except IndexError:
        return _unknown(check_id, f"index {index} is outside the status list"), doc
    when = _as_of(url, opts)
    if purpose in _PROBLEM_OF:
        if value:
            word = "revoked" if purpose == "revocation" else "suspended"
            return failed(check_id, _PROBLEM_OF[purpose], f"The issuer has {word} this credential{when}."), doc
        word = "revoked" if purpose == "revocation" else "suspended"
        return passed(check_id, f"Not {word}: checked the issuer's status list{when}."), doc
    messages = entry.get("statusMessage") or subject.get("statusMessages")
    if isinstance(messages, list):
        for m in messages:
            if isinstance(m, dict) and m.get("status") in (hex(value), str(value)):
                return warning(check_id, f"status-{purpose}", f"Status: {m.get('message', value)}{when}."), doc
    return warning(check_id, f"status-{purpose}", f"Status {purpose} value is {value}{when}."), doc

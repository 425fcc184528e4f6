"""Status checks: is the credential revoked or suspended at the time asked?

Each ``credentialStatus`` entry goes to the checker of its type (``VerifyOptions.status_checkers``,
by default the bundled :data:`~credentials._checks.status_methods.STATUS_CHECKERS`: Bitstring Status
List v1.0, StatusList2021, 1EdTech Revocation List). An entry no checker knows is ``status-unknown``:
a status we could not check is never reported as "not revoked". Around each entry's check this
module adds what every status method shares: a stale cached list, and a list kept by another party.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._formats import ParsedInput
from .._report import CheckId, CheckResult, Status, VerificationReport, passed, warning
from ._context import VerifyOptions
from .dates import human
from .status_methods import StatusChecker, StatusContext, StatusOutcome, status_unknown, types_of

__all__ = ["VerifyFn", "check_status"]

# The pipeline that verifies a fetched status list credential, parsed like any input: JSON-LD or a
# VC-JWT (Bitstring Status List v1.0 §3.1: the list credential may be secured either way).
VerifyFn = Callable[[ParsedInput, VerifyOptions], VerificationReport]


def check_status(cred: dict[str, Any], opts: VerifyOptions, verify: VerifyFn) -> list[CheckResult]:
    status = cred.get("credentialStatus")
    if status is None:
        return [passed(CheckId.STATUS, "No status list is named: the issuer cannot revoke it online.")]
    context = StatusContext(opts.fetcher, opts.at, _list_verifier(opts, verify))
    out: list[CheckResult] = []
    for entry in status if isinstance(status, list) else [status]:
        outcome = _check_entry(cred, entry, context, opts.status_checkers)
        out.append(outcome.check)
        if outcome.list_url is not None:
            out.extend(_stale(outcome.list_url, opts))
        if outcome.list_document is not None and outcome.check.status != Status.COULD_NOT_CHECK:
            out.extend(_list_issuer_differs(cred, outcome.list_document))
    return out


def _list_verifier(opts: VerifyOptions, verify: VerifyFn) -> Callable[[ParsedInput], VerificationReport]:
    """A status list credential is verified as any credential is, but not for its own status,
    not for a recipient and without asking for a refreshed copy."""
    return lambda parsed: verify(parsed, opts.nested(check_status=False, identity=None, refresh=False))


def _checker_for(entry: dict[str, Any], checkers: Mapping[str, StatusChecker]) -> StatusChecker | None:
    """The checker of the entry's first type that has one."""
    # a type that is not a string names no checker (a hash of a list would raise here)
    return next((checkers[t] for t in types_of(entry) if isinstance(t, str) and t in checkers), None)


def _check_entry(cred: dict[str, Any], entry: Any, context: StatusContext,
                 checkers: Mapping[str, StatusChecker]) -> StatusOutcome:
    if not isinstance(entry, dict):
        return StatusOutcome(status_unknown(CheckId.STATUS, "the status entry is not an object"))
    checker = _checker_for(entry, checkers)
    if checker is None:
        url = entry.get("statusListCredential")
        return StatusOutcome(status_unknown(CheckId.for_status_purpose(entry.get("statusPurpose")),
                                            f"Satchel does not know the status type {entry.get('type')!r}"),
                             url if isinstance(url, str) else None)
    return checker(cred, entry, context)


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


def _stale(url: str, opts: VerifyOptions) -> list[CheckResult]:
    """A note when the list read was a cached copy because it could not be fetched now."""
    prov = opts.fetcher.provenance(url)
    if prov is None or not prov.stale or prov.fetched_at is None:
        return []
    return [warning(CheckId.STATUS_FRESHNESS, "status-stale", "The status list could not be fetched now; "
                    f"the copy used is from {human(prov.fetched_at)}.")]

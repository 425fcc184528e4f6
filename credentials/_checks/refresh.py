"""Refreshing a credential before it is judged.

OB 3.0 §"Verification and Validation", OpenBadgeCredential Verification step 3 (and the same step
for EndorsementCredentials): when ``refreshService`` is present and its ``type`` is
``1EdTechCredentialRefresh``, refresh the credential as the 1EdTech Verifiable Credential Refresh
Service 1.0 (VCCR-10) describes — an HTTP GET on the service's ``id`` that answers the credential
as the issuer would issue it now — and verify that copy instead; if the refresh does not succeed,
go on with the original. Refresh only once, and only after the original's proof has been checked
(OB 3.0 notes to step 3). VCDM 2.0 §5.4 "Refreshing" defines ``refreshService`` itself (one
service or a list of them, each with an ``id`` URL and a ``type``); VCDM 1.1 §5.5 the same.

:func:`refresh_credential` fetches the copy through the verification's :class:`~credentials._net.Fetcher`
(so the same SSRF rules, size cap and timeouts apply) and checks only that the answer is a signed
credential standing for the same one — same ``id``, same issuer, same subject ids. Whether the
copy verifies is for the pipeline to find out, with refreshing turned off.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from .._errors import FetchError, FetchRefusedError
from .._net import Fetcher
from .._report import CheckId, CheckResult, passed, skipped, warning

__all__ = ["REFRESH_TYPE", "refresh_credential", "refresh_service_url"]

REFRESH_TYPE = "1EdTechCredentialRefresh"
CHECK_ID = CheckId.REFRESH
WARNING = "refresh-failed"
# VCCR-10 answers the credential as JSON-LD: VCDM 2.0 media types (application/vc; drafts and
# OB 3.0 examples say application/vc+ld+json), then plain JSON-LD / JSON.
ACCEPT = "application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8"


def _types(node: Any) -> list[Any]:
    t = node.get("type", []) if isinstance(node, dict) else []
    return t if isinstance(t, list) else [t]


def _id_of(node: Any) -> Any:
    return node.get("id") if isinstance(node, dict) else node


def _subject_ids(doc: dict[str, Any]) -> list[Any]:
    subject = doc.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return sorted(str(_id_of(s)) for s in subjects if _id_of(s) is not None)


def refresh_service_url(doc: dict[str, Any]) -> tuple[str | None, CheckResult | None]:
    """The URL of the credential's first ``1EdTechCredentialRefresh`` service; else ``None`` and
    the check that says why (skipped: none to use; warning: one that cannot be used)."""
    services = doc.get("refreshService")
    if services is None:
        return None, skipped(CHECK_ID, "It names no refresh service.")
    listed = services if isinstance(services, list) else [services]
    for service in listed:
        if isinstance(service, dict) and REFRESH_TYPE in _types(service):
            url = service.get("id")
            if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
                return None, _failed(f"Its {REFRESH_TYPE} service has no http(s) URL.")
            return url, None
    kinds = sorted({str(t) for s in listed for t in _types(s)})
    return None, skipped(CHECK_ID, f"Its refresh service ({', '.join(kinds) or 'untyped'}) is not one Satchel "
                         f"uses; only {REFRESH_TYPE} is (OB 3.0).")


def _failed(message: str) -> CheckResult:
    return warning(CHECK_ID, WARNING, f"{message} The credential as it is held is checked instead.")


def refresh_credential(doc: dict[str, Any], fetcher: Fetcher) -> tuple[dict[str, Any] | None, CheckResult]:
    """Fetch the refreshed copy of ``doc`` once from its refresh service.

    Returns ``(refreshed, passed "refresh")`` on success; ``(None, warning "refresh-failed")`` when
    the service cannot be reached or answers something that is not this credential, signed;
    ``(None, skipped "refresh")`` when there is nothing to refresh with (no service, a type other
    than ``1EdTechCredentialRefresh``, or no network was allowed). Never raises.
    """
    try:
        return _refresh(doc, fetcher)
    except Exception as exc:  # a refresh problem must never take the verification down with it
        return None, _failed(f"Refreshing it went wrong ({type(exc).__name__}).")


def _refresh(doc: dict[str, Any], fetcher: Fetcher) -> tuple[dict[str, Any] | None, CheckResult]:
    url, why_not = refresh_service_url(doc)
    if url is None:
        return None, why_not or skipped(CHECK_ID, "It names no refresh service.")
    body = _fetch(url, fetcher)
    if isinstance(body, CheckResult):
        return None, body
    fresh = _signed_credential(body, url)
    if isinstance(fresh, CheckResult):
        return None, fresh
    other = _not_the_same_credential(fresh, doc, url)
    if other is not None:
        return None, other
    return fresh, passed(CHECK_ID, f"Refreshed from the issuer's refresh service {url}.")


def _fetch(url: str, fetcher: Fetcher) -> bytes | CheckResult:
    """The refresh service's answer, or why there is none (skipped when no network was allowed)."""
    try:
        return fetcher.get_bytes(url, accept=ACCEPT)
    except FetchRefusedError as exc:
        if not fetcher.online:
            return skipped(CHECK_ID, f"Not refreshed: no network access was allowed ({url}).")
        return _failed(f"The refresh service {url} was not asked: {exc.reason}.")
    except FetchError as exc:
        return _failed(f"The refresh service {url} could not be reached ({exc.reason}).")


def _signed_credential(body: bytes, url: str) -> dict[str, Any] | CheckResult:
    """The answer as a JSON-LD verifiable credential with an embedded proof, or why it is not one."""
    try:
        fresh = json.loads(body)
    except (ValueError, RecursionError):
        text = body[:2048].strip()
        if text.count(b".") == 2 and not text.startswith((b"{", b"[")):
            return _failed(f"The refresh service {url} answered a JWT; Satchel takes a refreshed "
                           "credential with an embedded proof only.")
        return _failed(f"The refresh service {url} did not answer JSON.")
    if not isinstance(fresh, dict) or "VerifiableCredential" not in _types(fresh):
        return _failed(f"The refresh service {url} did not answer a verifiable credential.")
    if "proof" not in fresh:
        return _failed(f"The refresh service {url} answered an unsigned credential.")
    return fresh


def _not_the_same_credential(fresh: dict[str, Any], doc: dict[str, Any], url: str) -> CheckResult | None:
    """The copy must stand for the same credential: a refresh updates it, it does not swap it
    for another one (another id, another issuer, another learner)."""
    if doc.get("id") is not None and fresh.get("id") != doc.get("id"):
        return _failed(f"The refresh service {url} answered another credential ({fresh.get('id')!r}).")
    if _id_of(fresh.get("issuer")) != _id_of(doc.get("issuer")):
        return _failed(f"The refresh service {url} answered a credential from another issuer "
                       f"({_id_of(fresh.get('issuer'))!r}).")
    if _subject_ids(fresh) != _subject_ids(doc):
        return _failed(f"The refresh service {url} answered a credential about someone else.")
    return None

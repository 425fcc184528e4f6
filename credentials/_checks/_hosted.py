"""What Open Badges 1.0 and 2.0 verification share: both trust the issuer's hosted copy and the
documents it names by URL, require the same kinds of fields, and date a badge by ``issuedOn`` /
``expires`` (OB 2.0 "Badge Verification"; OBI 1.0 "Assertion Verification")."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .._errors import FetchError, GoneError, MalformedError
from .._report import CheckId, CheckResult, could_not_check, failed
from ._context import VerifyOptions
from .dates import parse_datetime, period_checks

__all__ = ["fetch_document", "fetch_hosted", "hosted_dates", "origin", "require_fields"]


def origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}"


def fetch_document(url: Any, what: str, opts: VerifyOptions) -> dict[str, Any]:
    if not isinstance(url, str):
        raise MalformedError(f"the {what} is not named by a URL")
    doc = opts.fetcher.get_json(url)
    if not isinstance(doc, dict):
        raise MalformedError(f"the {what} at {url} is not a JSON object")
    return doc


def fetch_hosted(url: str, check_id: CheckId, opts: VerifyOptions) -> tuple[dict[str, Any] | None, CheckResult | None]:
    """The issuer's hosted copy of a badge, or the check that says why there is none: OB 2.0
    "HostedBadge" and OBI 1.0 alike, a 410 Gone answer means the issuer revoked it."""
    try:
        return fetch_document(url, "hosted assertion", opts), None
    except GoneError:
        return None, failed(CheckId.STATUS_REVOCATION, "revoked",
                            f"The issuer has withdrawn this badge: {url} answers 410 Gone.")
    except FetchError as exc:
        return None, could_not_check(check_id, "unreachable",
                                     f"The issuer's copy at {url} could not be fetched ({exc.reason}).")


def _ob2_time(value: Any, name: str) -> datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from datetime import UTC

        return datetime.fromtimestamp(value, UTC)
    return parse_datetime(value, name)


def require_fields(doc: dict[str, Any], names: tuple[str, ...], what: str) -> None:
    """OB 2.0 §Assertion / §BadgeClass: properties every valid one has."""
    missing = [n for n in names if n not in doc or doc[n] in (None, "", [], {})]
    if missing:
        raise MalformedError(f"the {what} lacks {', '.join(missing)}")


def hosted_dates(assertion: dict[str, Any], opts: VerifyOptions) -> list[CheckResult]:
    """``issuedOn`` / ``expires`` (a date-time, or a Unix time) judged like every validity period."""
    issued = _ob2_time(assertion.get("issuedOn"), "issuedOn") if "issuedOn" in assertion else None
    expires = _ob2_time(assertion["expires"], "expires") if "expires" in assertion else None
    return period_checks(issued, expires, opts.at, start_is_issue=True)

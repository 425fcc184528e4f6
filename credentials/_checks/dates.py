"""Validity period: VCDM 2.0 §4.9 validFrom / validUntil; VCDM 1.1 §4.6/§4.8 issuanceDate /
expirationDate; JWT nbf / exp (RFC 7519 §4.1.4–5)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .._errors import MalformedError
from .._report import CheckId, CheckResult, failed, passed, skipped

# XML Schema dateTime as VCDM uses it; a timezone is required in 2.0, assumed UTC otherwise.
_DT = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def parse_datetime(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or not _DT.match(value):
        raise MalformedError(f"{name} is not a date-time: {value!r}")
    text = value.replace("Z", "+00:00")
    if "." in text:  # Python wants at most 6 fractional digits
        head, tail = text.split(".", 1)
        digits = re.match(r"\d+", tail)
        frac = digits.group(0) if digits else ""
        text = f"{head}.{frac[:6].ljust(6, '0')}{tail[len(frac):]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedError(f"{name} is not a date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def human(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")


def check_validity(cred: dict[str, Any], at: datetime, *, v2: bool,
                   not_before: datetime | None = None, expires: datetime | None = None) -> list[CheckResult]:
    """``validity.not-yet-valid`` and ``validity.expired`` at the time asked."""
    start_name, end_name = ("validFrom", "validUntil") if v2 else ("issuanceDate", "expirationDate")
    starts = [d for d in [not_before] if d]
    ends = [d for d in [expires] if d]
    if start_name in cred:
        starts.append(parse_datetime(cred[start_name], start_name))
    if end_name in cred:
        ends.append(parse_datetime(cred[end_name], end_name))
    if not v2 and "validFrom" in cred:  # VCDM 1.1 credentials sometimes carry 2.0 names too
        starts.append(parse_datetime(cred["validFrom"], "validFrom"))
    if not v2 and "validUntil" in cred:
        ends.append(parse_datetime(cred["validUntil"], "validUntil"))
    return period_checks(max(starts) if starts else None, min(ends) if ends else None, at)


def period_checks(start: datetime | None, end: datetime | None, at: datetime, *,
                  start_is_issue: bool = False) -> list[CheckResult]:
    """The one judge of a validity period: ``validity.not-yet-valid`` and ``validity.expired`` at
    ``at``. ``start_is_issue``: the start is an issue date (OB 1.0 / 2.0 ``issuedOn``), worded so."""
    if start is None:
        first = skipped(CheckId.VALIDITY_NOT_YET_VALID,
                        "No issue date." if start_is_issue else "No start date is given.")
    elif start > at:
        first = failed(CheckId.VALIDITY_NOT_YET_VALID, "not-yet-valid",
                       f"Issued in the future ({human(start)})." if start_is_issue
                       else f"Not valid yet: it becomes valid on {human(start)}.")
    else:
        first = passed(CheckId.VALIDITY_NOT_YET_VALID,
                       f"Issued on {human(start)}." if start_is_issue else f"Valid since {human(start)}.")
    if end is None:
        second = passed(CheckId.VALIDITY_EXPIRED, "Does not expire.")
    elif end < at:
        second = failed(CheckId.VALIDITY_EXPIRED, "expired", f"Expired on {human(end)}.")
    else:
        second = passed(CheckId.VALIDITY_EXPIRED, f"Not expired: valid until {human(end)}.")
    return [first, second]

"""Open Badges 1.0 hosted badges (Mozilla OBI 1.0, 2013; still in old backpacks, Badgr imports them).

OBI 1.0 "Assertion": ``uid``, ``recipient`` (IdentityObject), ``badge`` (the BadgeClass URL),
``verify`` (VerificationObject: ``type`` hosted | signed, ``url``), ``issuedOn``, optional
``expires`` (ISO 8601 or a Unix time). "Badge Verification", hosted: GET ``verify.url``; 410 Gone
means revoked; the copy served there is the one trusted. The BadgeClass names its
IssuerOrganization by URL. As the 1EdTech validator does when it reads a 1.0 badge in 2.0 terms,
the hosted URL must share the issuer's origin (where its profile is served, or its ``url``).
Signed 1.0 badges (a JWS, key at ``verify.url``) are named but not checked yet.
"""

from __future__ import annotations

import re
from typing import Any

from .._errors import FetchError, MalformedError
from .._report import CheckId, CheckResult, could_not_check, failed, passed
from ._context import VerifyOptions
from ._hosted import fetch_document, fetch_hosted, hosted_dates, origin, require_fields
from .proofs import short

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fetch(url: Any, what: str, opts: VerifyOptions) -> dict[str, Any]:
    """OBI 1.0 names every document by an http(s) URL; the fetch itself is the shared one."""
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise MalformedError(f"the {what} is not named by a URL")
    return fetch_document(url, what, opts)


def _iso_dates(assertion: dict[str, Any]) -> dict[str, Any]:
    """OBI 1.0 DateTime: an ISO 8601 date-time *or date*, or a Unix time; a bare date is midnight UTC."""
    out = dict(assertion)
    for name in ("issuedOn", "expires"):
        value = out.get(name)
        if isinstance(value, str) and _DATE.match(value):
            out[name] = value + "T00:00:00Z"
        elif isinstance(value, str) and value.isdigit():
            out[name] = int(value)
    return out


def verify_ob1(url: str, presented: dict[str, Any] | None,
               opts: VerifyOptions) -> tuple[list[CheckResult], dict[str, Any] | None]:
    """Checks of a hosted OB 1.0 badge whose ``verify.url`` is ``url``; (checks, the hosted copy)."""
    from .._formats._detect import is_ob1

    checks: list[CheckResult] = [passed(CheckId.FORMAT, "An Open Badges 1.0 badge (hosted by its issuer).")]
    try:
        hosted, failure = fetch_hosted(url, CheckId.OB1_HOSTED, opts)
        if hosted is None:
            assert failure is not None
            return [*checks, failure], presented
        if not is_ob1(hosted):
            raise MalformedError(f"what {url} serves is not an Open Badges 1.0 assertion")
        require_fields(hosted, ("uid", "recipient", "badge", "verify", "issuedOn"), "Open Badges 1.0 assertion")
        verify = hosted["verify"] if isinstance(hosted.get("verify"), dict) else {}
        if verify.get("url") != url:
            raise MalformedError("the hosted copy's verify.url is not the address it is served at")
        if presented is not None and presented.get("uid") != hosted.get("uid"):
            raise MalformedError("the badge is not the one its issuer hosts at its verify.url (uid differs)")
        checks.append(passed(CheckId.OB1_HOSTED, f"The issuer hosts this badge at {url}."))
        badge = _fetch(hosted["badge"], "badge class", opts)
        require_fields(badge, ("name", "description", "image", "criteria", "issuer"), "Open Badges 1.0 badge class")
        issuer_url = badge["issuer"]
        issuer = _fetch(issuer_url, "issuer organization", opts)
        require_fields(issuer, ("name", "url"), "Open Badges 1.0 issuer organization")
        checks.append(passed(CheckId.OB1_DOCUMENTS, f"Badge class {short(str(hosted['badge']))} and issuer "
                             f"{issuer.get('name')} were found."))
        origins = {origin(str(issuer_url)), origin(str(issuer.get("url")))}
        if origin(url) in origins:
            checks.append(passed(CheckId.OB1_SCOPE, "The badge is hosted where its issuer is."))
        else:
            checks.append(failed(CheckId.OB1_SCOPE, "issuer-key-mismatch",
                                 f"{url} is not where {issuer.get('name')} is ({', '.join(sorted(origins))}): "
                                 "anyone could host this badge there."))
        checks.append(passed(CheckId.STATUS_REVOCATION, "The issuer still hosts it, so it has not been revoked."))
        checks.extend(hosted_dates(_iso_dates(hosted), opts))
    except FetchError as exc:
        checks.append(could_not_check(CheckId.OB1_DOCUMENTS, "unreachable", f"A document could not be fetched: {exc}."))
        return checks, presented
    except MalformedError as exc:
        return [failed(CheckId.FORMAT, "malformed", f"Not a readable Open Badges 1.0 badge: {exc}.")], presented
    return checks, {**hosted, "badge": {**badge, "issuer": {**issuer, "id": issuer_url}}}

"""The verification pipeline: any input in, an immutable check-by-check report out.

    verify(data, ...)                 bytes / text / parsed JSON of any supported format
    verify_credential(doc, ...)       a JSON-LD credential (VCDM 1.1 / 2.0)
    verify_presentation(doc, ...)     a JSON-LD presentation with its credentials nested

Nothing raises out of here: bad input becomes a failed check (``malformed``), a document
that cannot be had becomes could-not-check. Time and network are parameters, and so are the proof
suites and status methods a verification may use (``suites``, ``status_checkers``; vc.js style).
Presentations are verified in ``credentials._presentation``; what both share is in
``credentials._pipeline``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from ._checks._context import VerifyOptions
from ._checks.dates import check_validity
from ._checks.jwt import check_jwt_signature, claim_time, credential_from_jwt
from ._checks.ob2 import verify_ob2
from ._checks.proofs import check_data_integrity
from ._checks.recipient import check_recipient
from ._checks.status import check_status
from ._checks.status_methods import STATUS_CHECKERS, StatusChecker
from ._checks.structure import check_credential_structure, issuer_id, types_of, vc_version
from ._envelope import enveloped_jwt
from ._errors import MalformedError, SatchelError, UnsupportedFormatError
from ._formats import ParsedInput, parse_input
from ._formats.sd_jwt import SdJwt
from ._jsonld._rdfc import work_budget
from ._net import Fetcher
from ._pipeline import (
    MAX_NESTED,
    jwt_input,
    malformed_report,
    nested_credential,
    one_safe_mode,
    read_signed,
    unsupported_format_report,
)
from ._presentation import verify_presentation_document
from ._proofs import SUITES
from ._report import CheckId, CheckResult, Status, VerificationReport, could_not_check, failed, passed, warning
from ._trust import TrustList, check_issuer_trust

__all__ = ["VerifyOptions", "verify", "verify_credential", "verify_parsed", "verify_presentation"]


def _options(fetcher: Fetcher | None, at: datetime | None, challenge: str | None,
             domain: str | None, identity: str | None = None, trust: TrustList | None = None,
             refresh: bool = True, subject_binding: bool = True, suites: Mapping[str, ModuleType] = SUITES,
             status_checkers: Mapping[str, StatusChecker] = STATUS_CHECKERS) -> VerifyOptions:
    return VerifyOptions(fetcher=fetcher or Fetcher(None), at=(at or datetime.now(UTC)).astimezone(UTC),
                         challenge=challenge, domain=domain, identity=identity, trust=trust, refresh=refresh,
                         subject_binding=subject_binding, suites=suites, status_checkers=status_checkers)


def verify(data: bytes | str | Mapping[str, Any], *, fetcher: Fetcher | None = None,
           at: datetime | None = None, challenge: str | None = None, domain: str | None = None,
           source: str | None = None, identity: str | None = None,
           trust: TrustList | None = None, refresh: bool = True,
           subject_binding: bool = True, suites: Mapping[str, ModuleType] = SUITES,
           status_checkers: Mapping[str, StatusChecker] = STATUS_CHECKERS) -> VerificationReport:
    """Verify anything a learner may import: JSON, JWT, baked image, or a badge URL.

    ``identity`` (an email, URL or phone) is checked against the badge's recipient;
    ``trust`` says which issuers the verifier knows; ``refresh=False`` judges the copy as held
    without asking the issuer's refresh service for a current one; ``subject_binding=False``
    accepts a presentation of credentials issued to someone other than its holder (a warning).
    ``suites`` (cryptosuite or proof type name -> suite module) are the Data Integrity suites it
    may check, a proof of any other is unsupported-proof-type; ``status_checkers``
    (credentialStatus type -> checker) the status methods, an entry of any other type is
    status-unknown. Both default to the bundled ones.
    """
    opts = _options(fetcher, at, challenge, domain, identity, trust, refresh, subject_binding, suites,
                    status_checkers)
    try:
        if isinstance(data, Mapping):
            from ._formats._detect import classify_json

            parsed = classify_json(dict(data))
        else:
            parsed = parse_input(data)
    except UnsupportedFormatError as exc:
        return unsupported_format_report(str(exc), opts, source)
    except SatchelError as exc:
        return malformed_report("unknown", f"Not a credential Satchel can read: {exc}", opts, source=source)
    except Exception as exc:  # never a traceback for bad input
        return malformed_report("unknown", f"Not a credential Satchel can read ({type(exc).__name__}).",
                                opts, source=source)
    return verify_parsed(parsed, opts, source=source)


def verify_parsed(parsed: ParsedInput, opts: VerifyOptions, source: str | None = None) -> VerificationReport:
    try:
        with work_budget():  # one bound on canonicalization work for the whole verification
            return _dispatch(parsed, opts, source)
    except UnsupportedFormatError as exc:
        return unsupported_format_report(str(exc), opts, source)
    except SatchelError as exc:
        return malformed_report(parsed.format, f"Not a credential Satchel can read: {exc}", opts,
                                parsed.document, source)
    except RecursionError:
        return malformed_report(parsed.format, "The data is nested too deeply to be a credential.", opts,
                                None, source)
    except Exception as exc:  # a bug must not show a tampered badge as anything but failed
        return malformed_report(parsed.format, f"Satchel could not read it ({type(exc).__name__}: {exc}).",
                                opts, parsed.document, source)


# -- one path per input format ----------------------------------------------------------------------

# A path: the parsed input, the options, the format as reported (with its container) and the source.
_Path = Callable[[ParsedInput, VerifyOptions, str, str | None], VerificationReport]


def _dispatch(parsed: ParsedInput, opts: VerifyOptions, source: str | None) -> VerificationReport:
    fmt = parsed.format if not parsed.container else f"{parsed.format} (baked {parsed.container})"
    path = _PATHS.get(parsed.format)
    if path is None:
        raise MalformedError(f"unsupported input {parsed.format}")
    return path(parsed, opts, fmt, source)


def _relay_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    return _verify_relay(parsed, opts, source)


def _vc_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    assert parsed.document is not None
    enveloped = enveloped_jwt(parsed.document)
    if enveloped is not None:  # VCDM 2.0 §4.13: the JWT inside is what was secured
        return verify_parsed(jwt_input(enveloped), opts, source)
    return _with(verify_credential_options(parsed.document, opts), fmt, source)


def _vp_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    assert parsed.document is not None
    return _with(verify_presentation_document(parsed.document, opts, verify_parsed), fmt, source)


def _jwt_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    return _with(_verify_jwt(parsed, opts), fmt, source)


def _ob1_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    from ._checks.ob1 import verify_ob1

    checks, hosted = verify_ob1(parsed.url or "", parsed.document, opts)
    if opts.identity is not None and hosted is not None and checks[0].problem is None:
        checks.append(check_recipient(hosted, opts.identity))
    return VerificationReport(fmt, tuple(checks), opts.at, credential=hosted, source=source)


def _ob2_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    """An OB 2.0 assertion as JSON, as a hosted URL or as a signed JWS; its format check first."""
    doc = parsed.document if parsed.format in ("ob2", "ob2-jws") else None
    checks, assertion = verify_ob2(doc, parsed.url, opts, jws=parsed.jws)
    if opts.identity is not None and assertion is not None:
        checks.append(check_recipient(assertion, opts.identity))
    baked = {"svg": " baked in an SVG image", "png": " baked in a PNG image"}.get(parsed.container or "", "")
    first = passed(CheckId.FORMAT, f"An Open Badges 2.0 badge{baked}.")
    if any(c.id == CheckId.FORMAT for c in checks):
        first = next(c for c in checks if c.id == CheckId.FORMAT)
        checks = [c for c in checks if c.id != CheckId.FORMAT]
    return VerificationReport(fmt, (first, *checks), opts.at, credential=assertion, source=source)


def _url_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    return _verify_url(parsed.url or "", opts, source)


def _sd_jwt_path(parsed: ParsedInput, opts: VerifyOptions, fmt: str, source: str | None) -> VerificationReport:
    """An SD-JWT VC (RFC 9901, draft-ietf-oauth-sd-jwt-vc): ``credentials._checks.sd_jwt``."""
    from ._checks.sd_jwt import processed_payload, vc_jose_cose_kind, verify_sd_jwt

    assert parsed.sd_jwt is not None
    try:
        processed, mismatch = processed_payload(parsed.sd_jwt)
        kind = vc_jose_cose_kind(parsed.sd_jwt, processed)
        if kind == "vc":
            report = _verify_vc_sd_jwt(parsed.sd_jwt, processed, mismatch, opts)
        elif kind == "vp":
            report = _verify_vp_sd_jwt(parsed.sd_jwt, processed, mismatch, opts)
        else:
            report = verify_sd_jwt(parsed.sd_jwt, opts)
    except MalformedError as exc:
        return malformed_report("sd-jwt", f"Not a credential Satchel can read: {exc}", opts, source=source)
    return VerificationReport(report.format, report.checks, report.at, report.credential, report.nested, source)


_PATHS: Mapping[str, _Path] = {
    "relay": _relay_path,
    "vc": _vc_path,
    "vp": _vp_path,
    "vc-jwt": _jwt_path,
    "vp-jwt": _jwt_path,
    "ob1": _ob1_path,
    "ob2": _ob2_path,
    "ob2-url": _ob2_path,
    "ob2-jws": _ob2_path,
    "url": _url_path,
    "sd-jwt": _sd_jwt_path,
}


def _with(report: VerificationReport, fmt: str, source: str | None) -> VerificationReport:
    return VerificationReport(fmt, report.checks, report.at, report.credential, report.nested, source,
                              report.extra_warnings, report.attached)


def _verify_url(url: str, opts: VerifyOptions, source: str | None) -> VerificationReport:
    """A URL given directly: a hosted credential or OB 2.0 assertion; fetch and verify it."""
    from ._errors import FetchError

    try:
        body = opts.fetcher.get_bytes(url, accept="application/ld+json, application/json, */*")
    except FetchError as exc:
        return VerificationReport("url", (could_not_check_url(url, exc.reason),), opts.at, source=source)
    parsed = parse_input(body)
    if parsed.format == "ob2":
        parsed = ParsedInput("ob2", document=parsed.document)
    return verify_parsed(parsed, opts, source or url)


def _verify_relay(parsed: ParsedInput, opts: VerifyOptions, source: str | None) -> VerificationReport:
    """A relay share link: fetch the sealed blob, open it with the key from the link, verify."""
    from ._errors import FetchError, GoneError
    from ._formats.share_links import decrypt_from_relay

    assert parsed.url is not None and parsed.key is not None
    try:
        blob = opts.fetcher.get_bytes(parsed.url, accept="application/octet-stream")
    except GoneError:
        return VerificationReport("relay", (could_not_check(
            CheckId.SHARE_LINK, "unreachable", "This share link was withdrawn by the learner or has expired."),),
            opts.at, source=source)
    except FetchError as exc:
        return VerificationReport("relay", (could_not_check(
            CheckId.SHARE_LINK, "unreachable", f"The shared presentation could not be fetched ({exc.reason})."),),
            opts.at, source=source)
    from ._formats._detect import classify_json

    return verify_parsed(classify_json(decrypt_from_relay(blob, parsed.key), "link"), opts, source)


def could_not_check_url(url: str, reason: str) -> CheckResult:
    return could_not_check(CheckId.FETCH, "unreachable", f"{url} could not be fetched ({reason}).")


def verify_credential(doc: Mapping[str, Any], *, fetcher: Fetcher | None = None, at: datetime | None = None,
                      check_status: bool = True) -> VerificationReport:
    opts = _options(fetcher, at, None, None)
    if not check_status:
        opts = opts.nested(check_status=False)
    return verify_parsed(ParsedInput("vc", document=dict(doc)), opts)


def verify_presentation(doc: Mapping[str, Any], *, fetcher: Fetcher | None = None, at: datetime | None = None,
                        challenge: str | None = None, domain: str | None = None) -> VerificationReport:
    return verify_parsed(ParsedInput("vp", document=dict(doc)), _options(fetcher, at, challenge, domain))


# -- credentials --------------------------------------------------------------------------------------


def _schema_checks(doc: dict[str, Any], fetcher: Fetcher) -> list[CheckResult]:
    if "credentialSchema" not in doc:
        return []
    # jsonschema is imported only for credentials that declare a schema: it costs start-up time.
    from ._checks.schema import check_schema

    return check_schema(doc, fetcher)


def _common_tail(cred: dict[str, Any], opts: VerifyOptions, *, v2: bool, not_before: datetime | None = None,
                 expires: datetime | None = None) -> list[CheckResult]:
    checks = check_validity(cred, opts.at, v2=v2, not_before=not_before, expires=expires)
    if opts.identity is not None:
        checks.append(check_recipient(cred, opts.identity))
    if opts.check_status and opts.depth < MAX_NESTED:
        checks.extend(check_status(cred, opts, verify_parsed))
    return checks


def verify_credential_options(doc: dict[str, Any], opts: VerifyOptions) -> VerificationReport:
    try:
        read = read_signed(doc)
        ctx = read[0]
        checks: list[CheckResult] = [check_credential_structure(doc)]
        v2 = vc_version(doc) == 2
        issuer = issuer_id(doc)
        checks.append(check_issuer_trust(issuer, doc, opts.trust))
        checks.extend(read)
        checks.extend(_schema_checks(doc, opts.fetcher))
        if ctx.status == Status.PASSED:
            checks.extend(check_data_integrity(doc, opts, purpose="assertionMethod", controller=issuer))
        elif "proof" not in doc:
            checks.append(failed(CheckId.PROOF_PRESENT, "no-proof", "It carries no signature."))
        refreshed = _refreshed_report(doc, checks, opts)
        if refreshed is not None:
            return refreshed
        checks.extend(_common_tail(doc, opts, v2=v2))
    except MalformedError as exc:
        return malformed_report("vc", f"Not a credential Satchel can read: {exc}", opts, doc)
    return VerificationReport("vc", tuple(one_safe_mode(checks)), opts.at, credential=doc,
                              attached=_attached(doc, opts))


# Problems that mean the refreshed copy is not the issuer's word (OB 3.0 §"Verification"
# step 3: the refreshed credential is checked for conformance and proof again).
_NOT_THE_ISSUERS_WORD = frozenset({"malformed", "unknown-context", "jsonld-safe-mode", "no-proof",
                                   "unsupported-proof-type", "invalid-signature", "unresolvable-key",
                                   "issuer-key-mismatch", "schema-invalid"})


def _refreshed_report(doc: dict[str, Any], checks: list[CheckResult],
                      opts: VerifyOptions) -> VerificationReport | None:
    """OB 3.0 refreshService: once the held copy's proof checks out, ask the issuer once for a
    current copy and judge that one; fall back to the held copy (with a warning) if the
    refreshed one is not the issuer's word. Only a signed original may send us to a URL."""
    if not opts.refresh or "refreshService" not in doc or opts.depth >= MAX_NESTED:
        return None
    if any(c.problem for c in checks) or not any(c.id == CheckId.PROOF_SIGNATURE for c in checks):
        return None
    from ._checks.refresh import refresh_credential

    refreshed, note = refresh_credential(doc, opts.fetcher)
    if refreshed is None:
        checks.append(note)
        return None
    sub = verify_credential_options(refreshed, replace(opts, refresh=False))
    if _NOT_THE_ISSUERS_WORD & set(sub.problems):
        checks.append(warning(CheckId.REFRESH, "refresh-failed", "The issuer's refreshed copy does not verify ("
                              + ", ".join(sorted(_NOT_THE_ISSUERS_WORD & set(sub.problems)))
                              + "); the credential as it is held is checked instead."))
        return None
    return VerificationReport("vc", (note, *sub.checks), opts.at, credential=refreshed, attached=sub.attached)


def _endorsements(doc: dict[str, Any]) -> list[Any]:
    """OB 3.0 §B.1: ``endorsement`` / ``endorsementJwt`` on the credential, its issuer profile
    and its achievement."""
    holders: list[Any] = [doc, doc.get("issuer")]
    subject = doc.get("credentialSubject")
    for s in subject if isinstance(subject, list) else [subject]:
        if isinstance(s, dict):
            holders.append(s.get("achievement"))
    found: list[Any] = []
    for node in holders:
        if not isinstance(node, dict):
            continue
        for key in ("endorsement", "endorsementJwt"):
            value = node.get(key)
            found.extend(value if isinstance(value, list) else [value] if value is not None else [])
    return found


def _attached(doc: dict[str, Any], opts: VerifyOptions) -> tuple[VerificationReport, ...]:
    if opts.depth >= MAX_NESTED:
        return ()
    out: list[VerificationReport] = []
    for item in _endorsements(doc):
        out.append(_relabel(nested_credential(item, opts, verify_parsed), "endorsement"))
    if "ClrCredential" in types_of(doc):
        # CLR 2.0 §4: ClrSubject.verifiableCredential holds the achievements it bundles.
        subject = doc.get("credentialSubject")
        parts = subject.get("verifiableCredential") if isinstance(subject, dict) else None
        for item in parts if isinstance(parts, list) else [parts] if parts else []:
            out.append(_relabel(nested_credential(item, opts, verify_parsed), "clr-part"))
    return tuple(out)


def _relabel(report: VerificationReport, role: str) -> VerificationReport:
    return VerificationReport(role, report.checks, report.at, report.credential, report.nested, report.source,
                              report.extra_warnings, report.attached)


def _verify_jwt(parsed: ParsedInput, opts: VerifyOptions) -> VerificationReport:
    assert parsed.jws is not None and parsed.document is not None
    claim = "vp" if parsed.format == "vp-jwt" else "vc"
    cred, claims = credential_from_jwt(parsed.document, claim)
    not_before = claim_time(claims, "nbf")
    expires = claim_time(claims, "exp")
    if claim == "vp":
        return verify_presentation_document(cred, opts, verify_parsed, jwt=parsed)
    jws = parsed.jws
    return _verify_jose_credential(cred, opts, "vc-jwt", lambda issuer: check_jwt_signature(jws, issuer, opts),
                                   not_before=not_before, expires=expires)


def _verify_jose_credential(cred: dict[str, Any], opts: VerifyOptions, fmt: str,
                            signature: Callable[[str | None], list[CheckResult]], *,
                            not_before: datetime | None, expires: datetime | None) -> VerificationReport:
    """A VCDM credential secured by a JOSE signature (VC-JOSE-COSE §3.1 ``vc+jwt``, §3.2 ``vc+sd-jwt``):
    the payload signed is the credential itself, read by the JSON-LD gate (safe mode), then checked
    like any credential; ``signature(issuer)`` checks the signature and that the key is the issuer's."""
    try:
        checks: list[CheckResult] = [check_credential_structure(cred)]
        v2 = vc_version(cred) == 2
        issuer = issuer_id(cred)
        checks.append(check_issuer_trust(issuer, cred, opts.trust))
        checks.extend(read_signed(cred, spelling=False))
        checks.extend(_schema_checks(cred, opts.fetcher))
        checks.extend(signature(issuer))
        checks.extend(_common_tail(cred, opts, v2=v2, not_before=not_before, expires=expires))
    except MalformedError as exc:
        return malformed_report(fmt, f"Not a credential Satchel can read: {exc}", opts, cred)
    return VerificationReport(fmt, tuple(checks), opts.at, credential=cred, attached=_attached(cred, opts))


def _verify_vc_sd_jwt(sd_jwt: SdJwt, processed: dict[str, Any], mismatch: str | None,
                      opts: VerifyOptions) -> VerificationReport:
    """W3C VC-JOSE-COSE §3.2.1: a VCDM 2.0 credential secured with SD-JWT (``vc+sd-jwt``). Its Processed
    SD-JWT Payload (RFC 9901 §7.1, what the holder disclosed) is the credential, verified as a
    ``vc+jwt`` payload is; the issuer's signature covers every Disclosure presented, and a Key Binding
    JWT, when present or asked for, is checked as for any SD-JWT (RFC 9901 §7.3)."""
    from ._checks.sd_jwt import with_key_binding

    cred, claims = credential_from_jwt(processed, "vc")
    jws = sd_jwt.issuer_jwt
    credential = _verify_jose_credential(
        cred, opts, "vc-sd-jwt",
        lambda issuer: check_jwt_signature(jws, issuer, opts, what="SD-JWT", tampered=mismatch),
        not_before=claim_time(claims, "nbf"), expires=claim_time(claims, "exp"))
    return with_key_binding(sd_jwt, credential, opts)


def _verify_vp_sd_jwt(sd_jwt: SdJwt, processed: dict[str, Any], mismatch: str | None,
                      opts: VerifyOptions) -> VerificationReport:
    """W3C VC-JOSE-COSE §3.2.2: a VCDM 2.0 presentation secured with SD-JWT (``vp+sd-jwt``), signed by
    its holder: verified as a VP-JWT is (holder's key by ``kid``, ``nonce`` / ``aud``), its credentials
    nested; a Disclosure the holder's signature does not cover makes that signature count for nothing."""
    jwt = ParsedInput("vp-jwt", document=processed, jws=sd_jwt.issuer_jwt, sd_jwt=sd_jwt, tampered=mismatch)
    report = verify_presentation_document(processed, opts, verify_parsed, jwt=jwt)
    return VerificationReport("vp-sd-jwt", report.checks, report.at, report.credential, report.nested,
                              report.source, report.extra_warnings, report.attached)

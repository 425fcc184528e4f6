"""The verification pipeline: any input in, an immutable check-by-check report out.

    verify(data, ...)                 bytes / text / parsed JSON of any supported format
    verify_credential(doc, ...)       a JSON-LD credential (VCDM 1.1 / 2.0)
    verify_presentation(doc, ...)     a JSON-LD presentation with its credentials nested

Nothing raises out of here: bad input becomes a failed check (``malformed``), a document
that cannot be had becomes could-not-check. Time and network are parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ._checks._context import VerifyOptions
from ._checks.dates import check_validity
from ._checks.jwt import check_jwt_signature, claim_time, credential_from_jwt
from ._checks.ob2 import verify_ob2
from ._checks.proofs import check_data_integrity, short
from ._checks.recipient import check_recipient
from ._checks.status import check_status
from ._checks.structure import check_contexts, check_credential_structure, is_url, issuer_id, types_of, vc_version
from ._envelope import enveloped_jwt
from ._errors import MalformedError, SafeModeError, SatchelError, UnsupportedFormatError
from ._formats import ParsedInput, parse_input
from ._formats.jws import parse_compact_jws
from ._jsonld import check_signed_spelling, expand_safe
from ._jsonld._rdfc import work_budget
from ._net import Fetcher
from ._report import CheckId, CheckResult, Status, VerificationReport, failed, passed, warning
from ._trust import TrustList, check_issuer_trust

__all__ = ["VerifyOptions", "verify", "verify_credential", "verify_parsed", "verify_presentation"]

MAX_NESTED = 4


def _options(fetcher: Fetcher | None, at: datetime | None, challenge: str | None,
             domain: str | None, identity: str | None = None, trust: TrustList | None = None,
             refresh: bool = True, subject_binding: bool = True) -> VerifyOptions:
    return VerifyOptions(fetcher=fetcher or Fetcher(None), at=(at or datetime.now(UTC)).astimezone(UTC),
                         challenge=challenge, domain=domain, identity=identity, trust=trust, refresh=refresh,
                         subject_binding=subject_binding)


def _malformed(fmt: str, message: str, opts: VerifyOptions, doc: Any = None,
               source: str | None = None) -> VerificationReport:
    return VerificationReport(fmt, (failed(CheckId.FORMAT, "malformed", message),), opts.at,
                              credential=doc if isinstance(doc, dict) else None, source=source)


def _unsupported_format(sentence: str, opts: VerifyOptions, source: str | None) -> VerificationReport:
    from ._report import could_not_check

    return VerificationReport("unknown", (could_not_check(CheckId.FORMAT, "unsupported-proof-type", sentence + "."),),
                              opts.at, source=source)


def verify(data: bytes | str | Mapping[str, Any], *, fetcher: Fetcher | None = None,
           at: datetime | None = None, challenge: str | None = None, domain: str | None = None,
           source: str | None = None, identity: str | None = None,
           trust: TrustList | None = None, refresh: bool = True,
           subject_binding: bool = True) -> VerificationReport:
    """Verify anything a learner may import: JSON, JWT, baked image, or a badge URL.

    ``identity`` (an email, URL or phone) is checked against the badge's recipient;
    ``trust`` says which issuers the verifier knows; ``refresh=False`` judges the copy as held
    without asking the issuer's refresh service for a current one; ``subject_binding=False``
    accepts a presentation of credentials issued to someone other than its holder (a warning).
    """
    opts = _options(fetcher, at, challenge, domain, identity, trust, refresh, subject_binding)
    try:
        if isinstance(data, Mapping):
            from ._formats._detect import classify_json

            parsed = classify_json(dict(data))
        else:
            parsed = parse_input(data)
    except UnsupportedFormatError as exc:
        return _unsupported_format(str(exc), opts, source)
    except SatchelError as exc:
        return _malformed("unknown", f"Not a credential Satchel can read: {exc}", opts, source=source)
    except Exception as exc:  # never a traceback for bad input
        return _malformed("unknown", f"Not a credential Satchel can read ({type(exc).__name__}).",
                          opts, source=source)
    return verify_parsed(parsed, opts, source=source)


def verify_parsed(parsed: ParsedInput, opts: VerifyOptions, source: str | None = None) -> VerificationReport:
    try:
        with work_budget():  # one bound on canonicalization work for the whole verification
            return _dispatch(parsed, opts, source)
    except UnsupportedFormatError as exc:
        return _unsupported_format(str(exc), opts, source)
    except SatchelError as exc:
        return _malformed(parsed.format, f"Not a credential Satchel can read: {exc}", opts,
                          parsed.document, source)
    except RecursionError:
        return _malformed(parsed.format, "The data is nested too deeply to be a credential.", opts,
                          None, source)
    except Exception as exc:  # a bug must not show a tampered badge as anything but failed
        return _malformed(parsed.format, f"Satchel could not read it ({type(exc).__name__}: {exc}).",
                          opts, parsed.document, source)


def _dispatch(parsed: ParsedInput, opts: VerifyOptions, source: str | None) -> VerificationReport:
    fmt = parsed.format if not parsed.container else f"{parsed.format} (baked {parsed.container})"
    if parsed.format == "relay":
        return _verify_relay(parsed, opts, source)
    if parsed.format == "vc":
        assert parsed.document is not None
        enveloped = enveloped_jwt(parsed.document)
        if enveloped is not None:  # VCDM 2.0 §4.13: the JWT inside is what was secured
            return verify_parsed(_jwt_input(enveloped), opts, source)
        return _with(verify_credential_options(parsed.document, opts), fmt, source)
    if parsed.format == "vp":
        assert parsed.document is not None
        return _with(verify_presentation_options(parsed.document, opts), fmt, source)
    if parsed.format in ("vc-jwt", "vp-jwt"):
        return _with(_verify_jwt(parsed, opts), fmt, source)
    if parsed.format == "ob1":
        from ._checks.ob1 import verify_ob1

        checks1, hosted = verify_ob1(parsed.url or "", parsed.document, opts)
        if opts.identity is not None and hosted is not None and checks1[0].problem is None:
            checks1.append(check_recipient(hosted, opts.identity))
        return VerificationReport(fmt, tuple(checks1), opts.at, credential=hosted, source=source)
    if parsed.format in ("ob2", "ob2-url", "ob2-jws", "url"):
        doc = parsed.document if parsed.format in ("ob2", "ob2-jws") else None
        if parsed.format == "url":
            return _verify_url(parsed.url or "", opts, source)
        checks, assertion = verify_ob2(doc, parsed.url, opts, jws=parsed.jws)
        if opts.identity is not None and assertion is not None:
            checks.append(check_recipient(assertion, opts.identity))
        baked = {"svg": " baked in an SVG image", "png": " baked in a PNG image"}.get(parsed.container or "", "")
        first = passed(CheckId.FORMAT, f"An Open Badges 2.0 badge{baked}.")
        if any(c.id == CheckId.FORMAT for c in checks):
            first = next(c for c in checks if c.id == CheckId.FORMAT)
            checks = [c for c in checks if c.id != CheckId.FORMAT]
        return VerificationReport(fmt, (first, *checks), opts.at, credential=assertion, source=source)
    raise MalformedError(f"unsupported input {parsed.format}")


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
    from ._report import could_not_check

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
    from ._report import could_not_check

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


def _read_signed(doc: dict[str, Any], *, spelling: bool = True) -> list[CheckResult]:
    """The gate before anything reads a JSON-LD document: its contexts are bundled, it is JSON-LD
    that safe mode accepts, and (``spelling``) its JSON spells exactly the signed meaning
    (``credentials._jsonld.check_signed_spelling``), so every check and display after this reads
    what the proofs cover. A JWT's payload is signed as the very JSON that is read, so for it
    only safe mode applies. Returns the contexts check (first) and any safe-mode failure;
    raises MalformedError for a document that spells its meaning another way."""
    ctx = check_contexts(doc)
    if ctx.status != Status.PASSED:
        return [ctx]
    try:
        if spelling:
            check_signed_spelling(doc)
        else:
            expand_safe(doc)
    except SafeModeError as exc:
        return [ctx, failed(CheckId.JSONLD_SAFE_MODE, "jsonld-safe-mode",
                            f"Part of the data is not defined by its contexts, so what it says cannot be "
                            f"read reliably: {exc}")]
    return [ctx]


def _one_safe_mode(checks: list[CheckResult]) -> list[CheckResult]:
    """The gate and a Data Integrity proof may both judge safe mode: one failure is kept, and no
    "passed" from a proof that never expanded the document (JCS) beside it."""
    failed_once = any(c.id == CheckId.JSONLD_SAFE_MODE and c.problem is not None for c in checks)
    out: list[CheckResult] = []
    seen = False
    for c in checks:
        if c.id == CheckId.JSONLD_SAFE_MODE and (seen or (failed_once and c.problem is None)):
            continue
        seen = seen or (c.id == CheckId.JSONLD_SAFE_MODE and c.problem is not None)
        out.append(c)
    return out


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
        read = _read_signed(doc)
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
        return _malformed("vc", f"Not a credential Satchel can read: {exc}", opts, doc)
    return VerificationReport("vc", tuple(_one_safe_mode(checks)), opts.at, credential=doc,
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
        out.append(_relabel(_nested_credential(item, opts), "endorsement"))
    if "ClrCredential" in types_of(doc):
        # CLR 2.0 §4: ClrSubject.verifiableCredential holds the achievements it bundles.
        subject = doc.get("credentialSubject")
        parts = subject.get("verifiableCredential") if isinstance(subject, dict) else None
        for item in parts if isinstance(parts, list) else [parts] if parts else []:
            out.append(_relabel(_nested_credential(item, opts), "clr-part"))
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
        return _verify_vp_core(cred, opts, jwt=parsed)
    try:
        checks: list[CheckResult] = [check_credential_structure(cred)]
        v2 = vc_version(cred) == 2
        issuer = issuer_id(cred)
        checks.append(check_issuer_trust(issuer, cred, opts.trust))
        checks.extend(_read_signed(cred, spelling=False))
        checks.extend(_schema_checks(cred, opts.fetcher))
        checks.extend(check_jwt_signature(parsed.jws, issuer, opts))
        checks.extend(_common_tail(cred, opts, v2=v2, not_before=not_before, expires=expires))
    except MalformedError as exc:
        return _malformed("vc-jwt", f"Not a credential Satchel can read: {exc}", opts, cred)
    return VerificationReport("vc-jwt", tuple(checks), opts.at, credential=cred, attached=_attached(cred, opts))


def verify_presentation_options(doc: dict[str, Any], opts: VerifyOptions) -> VerificationReport:
    return _verify_vp_core(doc, opts)


def _verify_vp_core(doc: dict[str, Any], opts: VerifyOptions, jwt: ParsedInput | None = None) -> VerificationReport:
    """VCDM 2.0 §4.13 presentations: the holder signs (authentication) over the challenge and
    domain the verifier chose; each credential is verified on its own and nested."""
    fmt = "vp-jwt" if jwt else "vp"
    try:
        read = _read_signed(doc, spelling=jwt is None)
        ctx = read[0]
        vc_version(doc)
        if "VerifiablePresentation" not in types_of(doc):
            raise MalformedError("its type does not include VerifiablePresentation")
        holder = doc.get("holder")
        holder = holder.get("id") if isinstance(holder, dict) else holder
        if holder is not None and not is_url(holder):
            raise MalformedError("holder is not a URL")
        checks: list[CheckResult] = [passed(CheckId.FORMAT, "A Verifiable Presentation"
                                            + (f" by {short(holder)}." if holder else "."))]
        if holder is None:
            # No holder stated (VCDM 2.0 §4.13 makes it optional): the one who signed it presents it.
            holder = _signer_of(doc, jwt)
        checks.extend(read)
        if jwt is not None:
            assert jwt.jws is not None
            checks.extend(check_jwt_signature(jwt.jws, holder, opts, purpose="authentication", who="holder"))
            claims = jwt.document or {}
            expires, not_before = claim_time(claims, "exp"), claim_time(claims, "nbf")
            if expires is not None and expires < opts.at:
                checks.append(failed(CheckId.VALIDITY_EXPIRED, "expired", "The presentation expired on "
                                     f"{expires:%d %b %Y %H:%M} UTC; ask for a fresh one."))
            if not_before is not None and not_before > opts.at:
                checks.append(failed(CheckId.VALIDITY_NOT_YET_VALID, "not-yet-valid", "The presentation is not valid "
                                     f"before {not_before:%d %b %Y %H:%M} UTC."))
            if opts.challenge is not None and claims.get("nonce") != opts.challenge:
                checks.append(failed(CheckId.PROOF_CHALLENGE, "challenge-mismatch",
                                     "It answers another request (nonce differs); it may be a replay."))
            aud = claims.get("aud")
            audiences = aud if isinstance(aud, list) else [aud]  # RFC 7519 §4.1.3: a string or a list
            if opts.domain is not None and opts.domain not in audiences:
                checks.append(failed(CheckId.PROOF_DOMAIN, "challenge-mismatch",
                                     f"It was made for {claims.get('aud')!r}, not for {opts.domain}."))
        elif ctx.status == Status.PASSED:
            checks.extend(check_data_integrity(doc, opts, purpose="authentication", controller=holder,
                                               who="holder", challenge=opts.challenge, domain=opts.domain))
        elif "proof" not in doc:
            checks.append(failed(CheckId.PROOF_PRESENT, "no-proof", "The presentation is not signed."))
        nested: list[VerificationReport] = []
        creds = doc.get("verifiableCredential", [])
        for item in creds if isinstance(creds, list) else [creds]:
            sub = _nested_credential(item, opts)
            nested.append(sub)
            subj = (sub.credential or {}).get("credentialSubject")
            for s in subj if isinstance(subj, list) else [subj]:
                sid = s.get("id") if isinstance(s, dict) else None
                if sid is not None and holder is not None and sid != holder:
                    checks.append(_not_the_subject(sid, holder, opts))
        if not any(c.id == CheckId.PRESENTATION_HOLDER for c in checks) and nested:
            checks.append(passed(CheckId.PRESENTATION_HOLDER, "Every credential was issued to the one presenting it."))
    except MalformedError as exc:
        return _malformed(fmt, f"Not a presentation Satchel can read: {exc}", opts, doc)
    return VerificationReport(fmt, tuple(_one_safe_mode(checks)), opts.at, credential=doc, nested=tuple(nested))


def _not_the_subject(subject: str, holder: str, opts: VerifyOptions) -> CheckResult:
    """Presented by the person it was issued to? A problem when the verifier asks for subject
    binding (the default), a warning otherwise (VCDM 2.0 §4.13 allows holder ≠ subject)."""
    sentence = f"A credential was issued to {short(subject)}, not to the holder {short(holder)} who presents it."
    if opts.subject_binding:
        return failed(CheckId.PRESENTATION_HOLDER, "holder-mismatch", sentence)
    return warning(CheckId.PRESENTATION_HOLDER, "holder-not-subject",
                   sentence + " It is not presented by the person it was issued to.")


def _signer_of(doc: dict[str, Any], jwt: ParsedInput | None) -> str | None:
    """The controller a presentation's (first) proof names, for a presentation without holder."""
    if jwt is not None and jwt.jws is not None:
        iss = (jwt.document or {}).get("iss") or jwt.jws.header.get("iss")
        kid = jwt.jws.header.get("kid")
        ref = iss if isinstance(iss, str) else kid if isinstance(kid, str) else None
    else:
        proof = doc.get("proof")
        first = proof[0] if isinstance(proof, list) and proof else proof
        vm = first.get("verificationMethod") if isinstance(first, dict) else None
        ref = vm if isinstance(vm, str) else None
    if ref is None or not ref.startswith("did:"):
        return None
    return ref.split("#", 1)[0]


def _nested_credential(item: Any, opts: VerifyOptions) -> VerificationReport:
    # The holder's proof covers the copy presented, so no refresh inside presentations.
    sub_opts = opts.nested(challenge=None, domain=None, identity=None, refresh=False)
    if isinstance(item, str):
        try:
            return verify_parsed(_jwt_input(item), sub_opts)
        except UnsupportedFormatError as exc:
            return _unsupported_format(str(exc), sub_opts, None)
        except SatchelError as exc:
            return _malformed("vc-jwt", f"Not a credential Satchel can read: {exc}", sub_opts)
    if isinstance(item, dict) and item.get("type") == "EnvelopedVerifiableCredential":
        try:
            jwt = enveloped_jwt(item)
        except MalformedError:
            return _malformed("vc", "An enveloped credential without a data: URL.", sub_opts)
        assert jwt is not None
        return verify_parsed(_jwt_input(jwt), sub_opts)
    if isinstance(item, dict):
        return verify_parsed(ParsedInput("vc", document=item), sub_opts)
    return _malformed("vc", "A presentation entry that is not a credential.", sub_opts)


def _jwt_input(text: str) -> ParsedInput:
    from ._formats._detect import classify_jws

    return classify_jws(parse_compact_jws(text.strip()))

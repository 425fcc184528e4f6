"""Verifying presentations (VCDM 2.0 §4.13): the holder signs (authentication) over the challenge
and domain the verifier chose; each credential is verified on its own and nested.

A JSON-LD presentation is secured by Data Integrity proofs, a VP-JWT by its JWS (with its ``exp``,
``nbf``, ``nonce`` and ``aud`` claims). The pipeline that verifies the nested credentials is
handed in (a :data:`~credentials._pipeline.VerifyFn`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ._checks._context import VerifyOptions
from ._checks.dates import period_checks
from ._checks.jwt import check_jwt_signature, claim_time
from ._checks.proofs import check_data_integrity, short
from ._checks.structure import is_url, types_of, vc_version
from ._errors import MalformedError
from ._formats import ParsedInput
from ._pipeline import VerifyFn, malformed_report, nested_credential, one_safe_mode, read_signed
from ._report import CheckId, CheckResult, Status, VerificationReport, failed, passed, warning

__all__ = ["verify_presentation_document"]


def verify_presentation_document(doc: dict[str, Any], opts: VerifyOptions, verify: VerifyFn,
                                 jwt: ParsedInput | None = None) -> VerificationReport:
    """A presentation (``jwt``: the VP-JWT it was read from) and the credentials it carries."""
    fmt = "vp-jwt" if jwt else "vp"
    try:
        checks, nested = _presentation_checks(doc, opts, verify, jwt)
    except MalformedError as exc:
        return malformed_report(fmt, f"Not a presentation Satchel can read: {exc}", opts, doc)
    return VerificationReport(fmt, tuple(one_safe_mode(checks)), opts.at, credential=doc, nested=tuple(nested))


def _presentation_checks(doc: dict[str, Any], opts: VerifyOptions, verify: VerifyFn,
                         jwt: ParsedInput | None) -> tuple[list[CheckResult], list[VerificationReport]]:
    read = read_signed(_meaning_of(doc, jwt), spelling=jwt is None)
    vc_version(doc)
    holder = _stated_holder(doc)
    checks: list[CheckResult] = [passed(CheckId.FORMAT, "A Verifiable Presentation"
                                        + (f" by {short(holder)}." if holder else "."))]
    if holder is None:
        # No holder stated (VCDM 2.0 §4.13 makes it optional): the one who signed it presents it.
        holder = _signer_of(doc, jwt)
    checks.extend(read)
    checks.extend(_holder_proof_checks(doc, read[0], holder, opts, jwt))
    creds = doc.get("verifiableCredential", [])
    nested = [nested_credential(item, opts, verify) for item in (creds if isinstance(creds, list) else [creds])]
    checks.extend(_subject_checks(nested, holder, opts))
    return checks, nested


def _meaning_of(doc: dict[str, Any], jwt: ParsedInput | None) -> dict[str, Any]:
    """What of a presentation is read as JSON-LD. A VP-JWT may carry its credentials as compact VC-JWTs
    (VC-JWT 1.1 §6.3.1; OpenID4VP 1.0 B.1.3.1.5 ``jwt_vc_json``): strings the contexts define as IRIs,
    which they are not. They are left out of the reading, not of the checks: each is verified as a
    credential of its own (:func:`nested_credential`), and the VP-JWT's signature covers them as sent."""
    creds = doc.get("verifiableCredential")
    if jwt is None or not isinstance(creds, (list, str)):
        return doc
    kept = [c for c in (creds if isinstance(creds, list) else [creds]) if not _is_compact_jws(c)]
    if len(kept) == (len(creds) if isinstance(creds, list) else 1):
        return doc
    reading = {k: v for k, v in doc.items() if k != "verifiableCredential"}
    return {**reading, "verifiableCredential": kept} if kept else reading


def _is_compact_jws(value: Any) -> bool:
    """Three base64url segments (RFC 7515 §7.1), the first a JSON header: a compact JWS, not an IRI."""
    if not isinstance(value, str) or value.count(".") != 2 or ":" in value:
        return False
    header = value.split(".", 1)[0]
    return header.startswith("eyJ") and all(c.isalnum() or c in "-_" for c in header)


def _stated_holder(doc: dict[str, Any]) -> Any:
    """The presentation's ``holder`` (its id), once it is a presentation with a URL holder, if any."""
    if "VerifiablePresentation" not in types_of(doc):
        raise MalformedError("its type does not include VerifiablePresentation")
    holder = doc.get("holder")
    holder = holder.get("id") if isinstance(holder, dict) else holder
    if holder is not None and not is_url(holder):
        raise MalformedError("holder is not a URL")
    return holder


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


# -- the holder's signature -------------------------------------------------------------------------


def _holder_proof_checks(doc: dict[str, Any], ctx: CheckResult, holder: Any, opts: VerifyOptions,
                         jwt: ParsedInput | None) -> list[CheckResult]:
    """The holder's signature: the VP-JWT's, or the Data Integrity proofs (once the contexts are
    known), over the verifier's challenge and domain."""
    if jwt is not None:
        return _jwt_checks(jwt, holder, opts)
    if ctx.status == Status.PASSED:
        return check_data_integrity(doc, opts, purpose="authentication", controller=holder,
                                    who="holder", challenge=opts.challenge, domain=opts.domain)
    if "proof" not in doc:
        return [failed(CheckId.PROOF_PRESENT, "no-proof", "The presentation is not signed.")]
    return []


def _jwt_checks(jwt: ParsedInput, holder: Any, opts: VerifyOptions) -> list[CheckResult]:
    assert jwt.jws is not None
    what = "JWT" if jwt.sd_jwt is None else "SD-JWT"
    checks = list(check_jwt_signature(jwt.jws, holder, opts, purpose="authentication", who="holder", what=what,
                                      tampered=jwt.tampered))
    claims = jwt.document or {}
    checks.extend(_jwt_time_checks(claims, opts))
    checks.extend(_jwt_request_checks(claims, opts))
    return checks


def _jwt_time_checks(claims: dict[str, Any], opts: VerifyOptions) -> list[CheckResult]:
    """RFC 7519 §4.1.4 ``exp`` and §4.1.5 ``nbf``, judged like every validity period
    (:func:`period_checks`); only a failure is reported: a presentation is meant to be used at once."""
    period = period_checks(claim_time(claims, "nbf"), claim_time(claims, "exp"), opts.at)
    return [replace(c, message=c.message.removesuffix(".") + "; ask for a fresh presentation.")
            if c.id == CheckId.VALIDITY_EXPIRED else c for c in period if c.status == Status.FAILED]


def _jwt_request_checks(claims: dict[str, Any], opts: VerifyOptions) -> list[CheckResult]:
    """The verifier's challenge as the ``nonce``, its domain among the audiences (``aud``)."""
    out: list[CheckResult] = []
    if opts.challenge is not None and claims.get("nonce") != opts.challenge:
        out.append(failed(CheckId.PROOF_CHALLENGE, "challenge-mismatch",
                          "It answers another request (nonce differs); it may be a replay."))
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]  # RFC 7519 §4.1.3: a string or a list
    if opts.domain is not None and opts.domain not in audiences:
        out.append(failed(CheckId.PROOF_DOMAIN, "challenge-mismatch",
                          f"It was made for {claims.get('aud')!r}, not for {opts.domain}."))
    return out


# -- whose credentials they are ---------------------------------------------------------------------


def _subject_checks(nested: list[VerificationReport], holder: Any, opts: VerifyOptions) -> list[CheckResult]:
    """Every credential's subject is the holder (or the verifier does not ask for that)."""
    out: list[CheckResult] = []
    for sub in nested:
        subj = (sub.credential or {}).get("credentialSubject")
        for s in subj if isinstance(subj, list) else [subj]:
            sid = s.get("id") if isinstance(s, dict) else None
            if sid is not None and holder is not None and sid != holder:
                out.append(_not_the_subject(sid, holder, opts))
    if not out and nested:
        out.append(passed(CheckId.PRESENTATION_HOLDER, "Every credential was issued to the one presenting it."))
    return out


def _not_the_subject(subject: str, holder: str, opts: VerifyOptions) -> CheckResult:
    """Presented by the person it was issued to? A problem when the verifier asks for subject
    binding (the default), a warning otherwise (VCDM 2.0 §4.13 allows holder ≠ subject)."""
    sentence = f"A credential was issued to {short(subject)}, not to the holder {short(holder)} who presents it."
    if opts.subject_binding:
        return failed(CheckId.PRESENTATION_HOLDER, "holder-mismatch", sentence)
    return warning(CheckId.PRESENTATION_HOLDER, "holder-not-subject",
                   sentence + " It is not presented by the person it was issued to.")

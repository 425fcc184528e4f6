"""What every verification path shares (credentials, presentations, what they carry).

The gate before a JSON-LD document is read (:func:`read_signed`), one safe-mode verdict per report
(:func:`one_safe_mode`), the reports for input that cannot be read, and how a credential carried
inside another document is verified (:func:`nested_credential`). The pipeline itself
(``credentials._verify``) is handed in as a :data:`VerifyFn`, so the paths do not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._checks._context import VerifyOptions
from ._checks.structure import check_contexts
from ._errors import SafeModeError, SatchelError, UnsupportedFormatError
from ._formats import ParsedInput
from ._formats.jws import parse_compact_jws
from ._jsonld import check_signed_spelling, expand_safe
from ._report import CheckId, CheckResult, Status, VerificationReport, could_not_check, failed

__all__ = ["MAX_NESTED", "VerifyFn", "jwt_input", "malformed_report", "nested_credential", "one_safe_mode",
           "read_signed", "unsupported_format_report"]

MAX_NESTED = 4

# The pipeline: a parsed input and the options to verify it with, in; its report out.
VerifyFn = Callable[[ParsedInput, VerifyOptions], VerificationReport]


def malformed_report(fmt: str, message: str, opts: VerifyOptions, doc: Any = None,
                     source: str | None = None) -> VerificationReport:
    return VerificationReport(fmt, (failed(CheckId.FORMAT, "malformed", message),), opts.at,
                              credential=doc if isinstance(doc, dict) else None, source=source)


def unsupported_format_report(sentence: str, opts: VerifyOptions, source: str | None) -> VerificationReport:
    return VerificationReport("unknown", (could_not_check(CheckId.FORMAT, "unsupported-proof-type", sentence + "."),),
                              opts.at, source=source)


# JWT claims (IANA "JSON Web Token Claims" registry) that a VC-JOSE-COSE payload carries beside the VCDM
# properties and that the VCDM 2.0 context leaves undefined, unlike iss, sub, aud, exp, nbf, iat and cnf:
# ``nonce`` (OpenID Connect Core 1.0 §2; the verifier's challenge, checked as such) and ``jti`` (RFC 7519
# §4.1.7). The JWT gives them their meaning, so the JSON-LD reading leaves them out; only as strings,
# so nothing else can hide under those names.
_JWT_ONLY_CLAIMS = ("nonce", "jti")


def _jose_reading(doc: dict[str, Any]) -> dict[str, Any]:
    if not any(isinstance(doc.get(name), str) for name in _JWT_ONLY_CLAIMS):
        return doc
    return {k: v for k, v in doc.items() if not (k in _JWT_ONLY_CLAIMS and isinstance(v, str))}


def read_signed(doc: dict[str, Any], *, spelling: bool = True) -> list[CheckResult]:
    """The gate before anything reads a JSON-LD document: its contexts are bundled, it is JSON-LD
    that safe mode accepts, and (``spelling``) its JSON spells exactly the signed meaning
    (``credentials._jsonld.check_signed_spelling``), so every check and display after this reads
    what the proofs cover. A JWT's payload is signed as the very JSON that is read, so for it
    only safe mode applies, to all but its JWT-only claims (``_JWT_ONLY_CLAIMS``). Returns the
    contexts check (first) and any safe-mode failure; raises MalformedError for a document that
    spells its meaning another way."""
    ctx = check_contexts(doc)
    if ctx.status != Status.PASSED:
        return [ctx]
    try:
        if spelling:
            check_signed_spelling(doc)
        else:
            expand_safe(_jose_reading(doc))
    except SafeModeError as exc:
        return [ctx, failed(CheckId.JSONLD_SAFE_MODE, "jsonld-safe-mode",
                            f"Part of the data is not defined by its contexts, so what it says cannot be "
                            f"read reliably: {exc}")]
    return [ctx]


def one_safe_mode(checks: list[CheckResult]) -> list[CheckResult]:
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


def jwt_input(text: str) -> ParsedInput:
    """A compact JWT, or an SD-JWT (RFC 9901 §4; VC-JOSE-COSE §3.2 ``vc+sd-jwt``), given as text."""
    from ._formats._detect import classify_jws
    from ._formats.sd_jwt import looks_like_sd_jwt, parse_sd_jwt

    text = text.strip()
    if "~" in text and looks_like_sd_jwt(text):
        sd_jwt = parse_sd_jwt(text)
        return ParsedInput("sd-jwt", document=sd_jwt.payload, jws=sd_jwt.issuer_jwt, sd_jwt=sd_jwt)
    return classify_jws(parse_compact_jws(text))


def nested_credential(item: Any, opts: VerifyOptions, verify: VerifyFn) -> VerificationReport:
    """A credential inside a presentation (or an endorsement, a CLR's part): a VC-JWT, an
    enveloped credential (VCDM 2.0 §4.13) or a JSON-LD credential, verified one level down."""
    # The holder's proof covers the copy presented, so no refresh inside presentations.
    sub_opts = opts.nested(challenge=None, domain=None, identity=None, refresh=False)
    if isinstance(item, str):
        try:
            return verify(jwt_input(item), sub_opts)
        except UnsupportedFormatError as exc:
            return unsupported_format_report(str(exc), sub_opts, None)
        except SatchelError as exc:
            return malformed_report("vc-jwt", f"Not a credential Satchel can read: {exc}", sub_opts)
    if isinstance(item, dict):  # enveloped ones too: the "vc" path unwraps them (credentials._envelope)
        return verify(ParsedInput("vc", document=item), sub_opts)
    return malformed_report("vc", "A presentation entry that is not a credential.", sub_opts)

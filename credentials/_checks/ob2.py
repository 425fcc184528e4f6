"""Open Badges 2.0 verification (1EdTech OB 2.0, "Badge Verification" / "HostedBadge" /
"SignedBadge"): the hosted copy is the one trusted; the badge class and issuer come from the
URLs they name; the assertion must lie in the issuer's verification scope."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .._errors import FetchError, MalformedError, UnsupportedFormatError, UnsupportedProofError
from .._formats._detect import OB1_SENTENCE, OB2_CONTEXT, is_ob1
from .._formats.jws import CompactJws, verify_jws_signature
from .._report import CheckId, CheckResult, Status, could_not_check, failed, passed
from ._context import VerifyOptions
from ._hosted import fetch_document, fetch_hosted, hosted_dates, origin, require_fields
from .proofs import short


def _in_scope(assertion_id: str, issuer: dict[str, Any]) -> bool:
    """OB 2.0 "VerificationObject": startsWith / allowedOrigins, else the issuer's origin."""
    found = issuer.get("verification")
    rules: dict[str, Any] = found if isinstance(found, dict) else {}
    starts = rules.get("startsWith")
    origins = rules.get("allowedOrigins")
    if starts is not None:
        prefixes = starts if isinstance(starts, list) else [starts]
        if not any(isinstance(p, str) and assertion_id.startswith(p) for p in prefixes):
            return False
    if origins is not None:
        allowed = origins if isinstance(origins, list) else [origins]
        return urlsplit(assertion_id).netloc in allowed
    if starts is not None:
        return True
    return isinstance(issuer.get("id"), str) and origin(assertion_id) == origin(issuer["id"])


def _check_assertion_shape(assertion: dict[str, Any]) -> None:
    """OB 2.0 "Assertion": JSON-LD in the OB 2.0 context, of type Assertion (the 1EdTech
    validator's own tests reject either missing)."""
    ctx = assertion.get("@context")
    contexts = ctx if isinstance(ctx, list) else [ctx]
    if OB2_CONTEXT not in contexts:
        raise MalformedError(f"its @context is not the Open Badges 2.0 context ({OB2_CONTEXT})")
    kind = assertion.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if not ({"Assertion", "https://w3id.org/openbadges#Assertion"} & {k for k in kinds if isinstance(k, str)}):
        raise MalformedError("its type is not Assertion")


_Result = tuple[list[CheckResult], "dict[str, Any] | None"]


def verify_ob2(assertion: dict[str, Any] | None, url: str | None, opts: VerifyOptions,
               jws: CompactJws | None = None) -> tuple[list[CheckResult], dict[str, Any] | None]:
    """Checks of an OB 2.0 assertion given as JSON, as a hosted URL, or as a signed JWS."""
    checks: list[CheckResult] = []
    signed = jws is not None
    if signed and assertion is not None and is_ob1(assertion):  # a signed OB 1.0 badge (JSON ones never get here)
        raise UnsupportedFormatError(OB1_SENTENCE)
    try:
        if not signed:
            early, assertion = _read_hosted(assertion, url, opts, checks)
            if early is not None:
                return early
        assert assertion is not None
        _check_assertion_shape(assertion)
        badge_ref, issuer = _documents(assertion, opts, checks)
        if signed:
            checks.extend(_check_signed(jws, assertion, issuer, opts))
        else:
            checks.append(_scope_check(assertion, badge_ref, issuer))
        checks.append(_revocation_check(assertion))
    except FetchError as exc:
        checks.append(could_not_check(CheckId.OB2_DOCUMENTS, "unreachable", f"A document could not be fetched: {exc}."))
        return checks, assertion
    except MalformedError as exc:
        checks.append(failed(CheckId.FORMAT, "malformed", f"Not a readable Open Badges 2.0 badge: {exc}."))
        return checks, assertion
    checks.extend(hosted_dates(assertion, opts))
    return checks, assertion


def _hosted_url(assertion: dict[str, Any] | None, url: str | None) -> str:
    """Where a hosted badge is verified: its own id (a hosted assertion is its URL)."""
    if assertion is not None:
        verification = assertion.get("verification")
        vtype = verification.get("type", "hosted") if isinstance(verification, dict) else "hosted"
        if str(vtype).lower() in ("signed", "signedbadge"):
            raise MalformedError("a signed OB 2.0 badge must be given as its JWS")
        url = assertion.get("id") if isinstance(assertion.get("id"), str) else url
    if url is None:
        raise MalformedError("the assertion has no id URL to verify it at")
    return url


def _read_hosted(assertion: dict[str, Any] | None, url: str | None, opts: VerifyOptions,
                 checks: list[CheckResult]) -> tuple[_Result | None, dict[str, Any] | None]:
    """The issuer's hosted copy, which is the one trusted; or the whole result when there is none
    (withdrawn, unreachable) or it is an Open Badges 1.0 badge."""
    url = _hosted_url(assertion, url)
    hosted, failure = fetch_hosted(url, CheckId.OB2_HOSTED, opts)
    if hosted is None:
        assert failure is not None
        return ([*checks, failure], assertion), assertion
    if is_ob1(hosted):  # a URL that leads to an Open Badges 1.0 badge
        from .ob1 import verify_ob1

        return verify_ob1(url, None, opts), assertion
    if hosted.get("id") != url and assertion is not None:
        raise MalformedError("the hosted assertion's id is not the URL it is served at")
    checks.append(passed(CheckId.OB2_HOSTED, f"The issuer hosts this badge at {url}."))
    return None, hosted


def _documents(assertion: dict[str, Any], opts: VerifyOptions,
               checks: list[CheckResult]) -> tuple[Any, dict[str, Any]]:
    """The badge class and the issuer profile it names: (the assertion's badge reference, issuer)."""
    badge_ref = assertion.get("badge")
    badge = badge_ref if isinstance(badge_ref, dict) else fetch_document(badge_ref, "badge class", opts)
    issuer_ref = badge.get("issuer")
    # Always the issuer's own copy: an embedded profile could grant itself any scope.
    issuer = fetch_document(issuer_ref.get("id") if isinstance(issuer_ref, dict) else issuer_ref,
                            "issuer profile", opts)
    require_fields(assertion, ("recipient", "badge", "issuedOn"), "assertion")
    require_fields(badge, ("name", "criteria", "image"), "badge class")
    checks.append(passed(CheckId.OB2_DOCUMENTS, f"Badge class {short(str(badge.get('id')))} and issuer "
                         f"{issuer.get('name', issuer.get('id'))} were found."))
    return badge_ref, issuer


def _scope_check(assertion: dict[str, Any], badge_ref: Any, issuer: dict[str, Any]) -> CheckResult:
    aid = str(assertion.get("id"))
    hosted_ids = [aid] + ([badge_ref] if isinstance(badge_ref, str) else [])
    outside = [h for h in hosted_ids if not _in_scope(h, issuer)]
    if not outside:
        return passed(CheckId.OB2_SCOPE, "The issuer vouches for badges hosted at that address.")
    # The hosting plays the part of the signature: hosted where the issuer does not
    # vouch, it is not the issuer's word (OB 2.0 "HostedBadge Verification").
    return failed(CheckId.OB2_SCOPE, "issuer-key-mismatch",
                  f"{outside[0]} is outside what {issuer.get('id')} vouches for: anyone could host this badge there.")


def _revocation_check(assertion: dict[str, Any]) -> CheckResult:
    if assertion.get("revoked") is True:
        reason = assertion.get("revocationReason")
        return failed(CheckId.STATUS_REVOCATION, "revoked",
                      "The issuer has revoked this badge" + (f": {reason}." if reason else "."))
    return passed(CheckId.STATUS_REVOCATION, "The issuer has not revoked it.")


def _check_signed(jws: CompactJws | None, assertion: dict[str, Any], issuer: dict[str, Any],
                  opts: VerifyOptions) -> list[CheckResult]:
    """OB 2.0 SignedBadge: RS256 JWS; the key (verification.creator) must be one of the
    issuer profile's publicKey entries and owned by the issuer; revocationList checked."""
    assert jws is not None
    listed = issuer.get("publicKey")
    listed_ids = {k.get("id") if isinstance(k, dict) else k for k in (listed if isinstance(listed, list) else [listed])}
    found = assertion.get("verification")
    creator = found.get("creator") if isinstance(found, dict) else None
    if not isinstance(creator, str):
        creator = next((k for k in listed_ids if isinstance(k, str)), None)
    if creator is None:
        return [could_not_check(CheckId.PROOF_KEY, "unresolvable-key", "The badge names no signing key.")]
    key_doc, key_or_failure = _signing_key(creator, opts)
    if isinstance(key_or_failure, CheckResult):
        return [key_or_failure]
    signature = _signature_check(jws, key_or_failure, creator)
    if signature.status != Status.PASSED:
        return [signature]
    out = [signature]
    if creator not in listed_ids or key_doc.get("owner") != issuer.get("id"):
        out.append(failed(CheckId.PROOF_KEY_BINDING, "issuer-key-mismatch",
                          "The signing key is not one the issuer's profile lists as its own."))
    else:
        out.append(passed(CheckId.PROOF_KEY_BINDING, "The signing key is listed by the issuer."))
    rev_url = issuer.get("revocationList")
    if isinstance(rev_url, str):
        out.append(_revocation_list_check(rev_url, assertion, opts))
    return out


_VerifyKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def _signing_key(creator: str, opts: VerifyOptions) -> tuple[dict[str, Any], _VerifyKey | CheckResult]:
    """The creator's key document and its PEM key, or the check that says why there is none."""
    try:
        key_doc = fetch_document(creator, "signing key", opts)
        key = load_pem_public_key(str(key_doc.get("publicKeyPem", "")).encode())
        if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            raise ValueError("not an RSA or EC key")
    except FetchError as exc:
        return {}, could_not_check(CheckId.PROOF_KEY, "unresolvable-key",
                                   f"The signing key could not be fetched: {exc}.")
    except ValueError:
        return {}, could_not_check(CheckId.PROOF_KEY, "unresolvable-key", "The signing key is not a PEM public key.")
    return key_doc, key


def _signature_check(jws: CompactJws, key: _VerifyKey, creator: str) -> CheckResult:
    try:
        ok = verify_jws_signature(str(jws.header.get("alg")), jws.signing_input, jws.signature, key)
    except UnsupportedProofError:
        return could_not_check(CheckId.PROOF_SIGNATURE, "unsupported-proof-type",
                               f"Satchel cannot check {jws.header.get('alg')} signatures.")
    if not ok:
        return failed(CheckId.PROOF_SIGNATURE, "invalid-signature", "The badge's signature does not match.")
    return passed(CheckId.PROOF_SIGNATURE, f"Signed by {short(creator)}.")


def _revocation_list_check(rev_url: str, assertion: dict[str, Any], opts: VerifyOptions) -> CheckResult:
    """OB 2.0 RevocationList: ``revokedAssertions`` names revoked assertions by id or uid."""
    try:
        rev = fetch_document(rev_url, "revocation list", opts)
    except FetchError as exc:
        return could_not_check(CheckId.STATUS_REVOCATION, "status-unknown",
                               f"The revocation list could not be fetched ({exc.reason}).")
    revoked = rev.get("revokedAssertions") or []
    aid, uid = assertion.get("id"), assertion.get("uid")
    for item in revoked if isinstance(revoked, list) else []:
        ident = item.get("id", item.get("uid")) if isinstance(item, dict) else item
        if ident is not None and ident in (aid, uid):
            reason = item.get("revocationReason") if isinstance(item, dict) else None
            return failed(CheckId.STATUS_REVOCATION_LIST, "revoked",
                          "The issuer has revoked this badge" + (f": {reason}." if reason else "."))
    return passed(CheckId.STATUS_REVOCATION_LIST, "Not on the issuer's revocation list.")

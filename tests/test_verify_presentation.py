"""Presentations: the holder's proof, challenge and domain, and each credential nested."""

from __future__ import annotations

from datetime import UTC, datetime

from credentials._verify import verify
from tests.helpers import VC2, ed25519_signer, ob3_credential

AT = datetime(2026, 11, 22, tzinfo=UTC)


def _presentation(holder_signer, credentials, challenge="c-123", domain="hire.example.com"):
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder_signer.did,
          "verifiableCredential": credentials}
    return holder_signer.sign(vp, proof_purpose="authentication", challenge=challenge, domain=domain)


def test_presentation_with_right_challenge_verifies_with_nested_reports() -> None:
    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    report = verify(_presentation(holder, [cred]), at=AT, challenge="c-123", domain="hire.example.com")
    assert report.verdict == "valid", report.to_json()
    assert len(report.nested) == 1 and report.nested[0].verdict == "valid"


def test_presentation_answering_another_challenge_is_refused() -> None:
    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    vp = _presentation(holder, [cred])
    assert verify(vp, at=AT, challenge="c-999", domain="hire.example.com").problems == ("challenge-mismatch",)
    assert verify(vp, at=AT, challenge="c-123", domain="evil.example").problems == ("challenge-mismatch",)


def test_presenting_someone_elses_credential_is_holder_mismatch() -> None:
    issuer, holder, victim = ed25519_signer(), ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=victim.did))
    report = verify(_presentation(holder, [cred]), at=AT, challenge="c-123", domain="hire.example.com")
    assert report.problems == ("holder-mismatch",)


def test_presentation_signed_by_a_key_the_holder_does_not_control_is_holder_mismatch() -> None:
    issuer, holder, mallory = ed25519_signer(), ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
          "verifiableCredential": [cred]}
    forged = mallory.sign(vp, proof_purpose="authentication", challenge="c-123", domain="hire.example.com")
    report = verify(forged, at=AT, challenge="c-123", domain="hire.example.com")
    assert report.problems == ("holder-mismatch",)


def test_revoked_or_tampered_credential_inside_presentation_makes_it_fail() -> None:
    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    cred["name"] = "Heart surgery"
    report = verify(_presentation(holder, [cred]), at=AT, challenge="c-123", domain="hire.example.com")
    assert report.problems == ("invalid-signature",)
    assert report.nested[0].problems == ("invalid-signature",)


def test_vp_jwt_audience_may_be_a_list() -> None:
    import json

    from credentials._formats.jws import sign_jws

    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [cred]}
    claims = {"vp": vp, "iss": holder.did, "aud": ["hire.example.com", "other.example"], "nonce": "n-1"}
    token = sign_jws({"alg": "EdDSA", "kid": holder.vm}, json.dumps(claims).encode(), holder.key)
    assert verify(token, at=AT, challenge="n-1", domain="hire.example.com").verdict == "valid"
    assert verify(token, at=AT, challenge="n-1", domain="evil.example").problems == ("challenge-mismatch",)


def test_a_vp_jwt_carrying_its_credential_as_a_vc_jwt_verifies_and_checks_that_credential() -> None:
    """VC-JWT 1.1 §6.3.1 / OpenID4VP 1.0 B.1.3.1.5 (jwt_vc_json): the credential travels as a compact JWT."""
    import json

    from credentials._formats.jws import sign_jws

    issuer, holder = ed25519_signer(), ed25519_signer()
    vc = ob3_credential(issuer.did, subject=holder.did)
    vc_jwt = sign_jws({"alg": "EdDSA", "kid": issuer.vm, "typ": "vc+jwt"}, json.dumps(vc).encode(), issuer.key)

    def vp_jwt(credential: str) -> str:
        vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [credential]}
        claims = {"vp": vp, "iss": holder.did, "aud": "hire.example.com", "nonce": "n-1"}
        return sign_jws({"alg": "EdDSA", "kid": holder.vm}, json.dumps(claims).encode(), holder.key)

    report = verify(vp_jwt(vc_jwt), at=AT, challenge="n-1", domain="hire.example.com")
    assert report.verdict == "valid", report.to_json()
    assert [n.format for n in report.nested] == ["vc-jwt"] and report.nested[0].verdict == "valid"
    head, body, sig = vc_jwt.split(".")
    forged = ".".join((head, body, sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")))
    assert "invalid-signature" in verify(vp_jwt(forged), at=AT, challenge="n-1", domain="hire.example.com").problems
    someone_elses = sign_jws({"alg": "EdDSA", "kid": issuer.vm, "typ": "vc+jwt"},
                             json.dumps(ob3_credential(issuer.did, subject=issuer.did)).encode(), issuer.key)
    assert verify(vp_jwt(someone_elses), at=AT, challenge="n-1",
                  domain="hire.example.com").problems == ("holder-mismatch",)


def test_top_level_enveloped_credential_is_unwrapped() -> None:
    import json

    from credentials._formats.jws import sign_jws

    issuer = ed25519_signer()
    token = sign_jws({"alg": "EdDSA", "kid": issuer.vm, "typ": "vc+jwt"},
                     json.dumps(ob3_credential(issuer.did)).encode(), issuer.key)
    enveloped = {"@context": [VC2], "type": "EnvelopedVerifiableCredential",
                 "id": f"data:application/vc+jwt,{token}"}
    assert verify(enveloped, at=AT).verdict == "valid"


def test_presentation_without_holder_is_bound_to_whoever_signed_it() -> None:
    issuer, holder, victim = ed25519_signer(), ed25519_signer(), ed25519_signer()
    own = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [own]}
    signed = holder.sign(vp, proof_purpose="authentication", challenge="c-1", domain="d.example")
    assert verify(signed, at=AT, challenge="c-1", domain="d.example").verdict == "valid"
    other = issuer.sign(ob3_credential(issuer.did, subject=victim.did))
    vp2 = {**vp, "verifiableCredential": [other]}
    signed2 = holder.sign(vp2, proof_purpose="authentication", challenge="c-1", domain="d.example")
    assert verify(signed2, at=AT, challenge="c-1", domain="d.example").problems == ("holder-mismatch",)


def test_presentation_of_someone_elses_credential_is_holder_mismatch_unless_binding_is_not_asked() -> None:
    from credentials._verify import verify as verify_any
    from tests.helpers import VC2, ed25519_signer, ob3_credential

    issuer, learner, other = ed25519_signer(), ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=learner.did))
    vp = other.sign({"@context": [VC2], "type": ["VerifiablePresentation"], "holder": other.did,
                     "verifiableCredential": [cred]}, proof_purpose="authentication", challenge="c")
    assert verify_any(vp, challenge="c").problems == ("holder-mismatch",)
    relaxed = verify_any(vp, challenge="c", subject_binding=False)
    assert relaxed.verdict == "valid" and "holder-not-subject" in relaxed.warnings
    check = relaxed.check("presentation.holder")
    assert check is not None and "not presented by the person it was issued to" in check.message


def test_an_expired_or_premature_vp_jwt_is_judged_like_any_validity_period() -> None:
    import json

    from credentials import sign_jws

    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [cred]}

    def token(**times: int) -> str:
        claims = {"vp": vp, "iss": holder.did, "aud": "hire.example.com", "nonce": "n-1", **times}
        return sign_jws({"alg": "EdDSA", "kid": holder.vm}, json.dumps(claims).encode(), holder.key)

    now = int(AT.timestamp())
    expired = verify(token(exp=now - 60), at=AT, challenge="n-1", domain="hire.example.com")
    assert expired.problems == ("expired",)
    assert "ask for a fresh presentation" in expired.check("validity.expired").message
    early = verify(token(nbf=now + 3600), at=AT, challenge="n-1", domain="hire.example.com")
    assert early.problems == ("not-yet-valid",) and "Not valid yet" in early.check("validity.not-yet-valid").message
    fresh = verify(token(nbf=now - 60, exp=now + 60), at=AT, challenge="n-1", domain="hire.example.com")
    assert fresh.verdict == "valid" and fresh.check("validity.expired") is None  # only a failure is reported


def test_a_broken_enveloped_credential_is_one_bad_entry_not_a_malformed_presentation() -> None:
    holder = ed25519_signer()
    issuer = ed25519_signer()
    good = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    broken = {"@context": VC2, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,not.a.jwt"}
    report = verify(_presentation(holder, [good, broken]), at=AT, challenge="c-123", domain="hire.example.com")
    assert len(report.nested) == 2 and report.nested[0].verdict == "valid"
    assert report.nested[1].problems == ("malformed",)

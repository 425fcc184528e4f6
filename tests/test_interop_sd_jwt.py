"""Interop: the OpenWallet Foundation SD-JWT packages (@sd-jwt/sd-jwt-vc and @sd-jwt/crypto-nodejs,
pinned in scripts/interop/sdjwt/package-lock.json, run with node) and Satchel, both ways: they issue
and present, we verify; we present their credential (our KB-JWT) and issue our own, they verify.

Set up with ``npm ci --prefix scripts/interop/sdjwt`` (``make interop-deps``); skipped without node or it.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import (
    Concealed,
    b64url_decode,
    issue_sd_jwt,
    parse_sd_jwt,
    present_sd_jwt,
    public_key_to_jwk,
    read_facts,
    verify,
)
from credentials._did import did_jwk_from_jwk
from tests.helpers import NODE, node_package_skips

ROOT = Path(__file__).resolve().parent.parent
SDJWT = ROOT / "scripts" / "interop" / "sdjwt"

pytestmark = node_package_skips(SDJWT, "@sd-jwt/sd-jwt-vc")
AUD = "https://verifier.example.org"


def node(command: str, given: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    proc = subprocess.run([NODE, str(SDJWT / "sdjwt.mjs"), command], input=json.dumps(given), capture_output=True,
                          text=True, timeout=120, cwd=SDJWT)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


@pytest.fixture(scope="module")
def theirs() -> dict[str, Any]:
    now = int(time.time())
    return {"now": now, **node("issue", {"nonce": "their-nonce", "aud": AUD, "iat": now})}


def test_we_verify_the_sd_jwt_vc_they_issue(theirs: dict[str, Any]) -> None:
    report = verify(theirs["issued"], at=datetime.fromtimestamp(theirs["now"], UTC))
    assert report.verdict == "valid", report.to_json()
    assert report.format == "sd-jwt-vc"
    facts = read_facts(report.credential)
    assert facts.name == "Wound care basics" and facts.subject_name == "Ada Lovelace"
    assert report.credential is not None and report.credential["skills"] == ["wound cleaning", "dressing"]


def test_we_verify_their_key_bound_presentation(theirs: dict[str, Any]) -> None:
    at = datetime.fromtimestamp(theirs["now"], UTC)
    report = verify(theirs["presented"], at=at, challenge="their-nonce", domain=AUD)
    assert report.verdict == "valid", report.to_json()
    shown = report.nested[0].credential
    assert shown is not None and shown["achievement"] == {"achievementType": "Badge", "name": "Wound care basics"}
    assert shown["skills"] == ["dressing"] and "given_name" not in shown
    replayed = verify(theirs["presented"], at=at, challenge="a-later-request", domain=AUD)
    assert replayed.problems == ("challenge-mismatch",)


def _holder_key(jwk: dict[str, str]) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(b64url_decode(jwk["d"]), "big"), ec.SECP256R1())


def test_they_verify_our_presentation_of_their_credential(theirs: dict[str, Any]) -> None:
    holder = _holder_key(theirs["holderJwk"])
    ours = present_sd_jwt(theirs["issued"], lambda d: d.name in ("achievement", "name", "given_name"),
                          holder_key=holder, nonce="our-nonce", aud=AUD, iat=int(time.time()))
    answer = node("verify", {"sdjwt": ours, "issuerJwk": theirs["issuerJwk"], "nonce": "our-nonce"})
    assert answer["ok"], answer
    assert answer["payload"]["given_name"] == "Ada" and "family_name" not in answer["payload"]
    assert answer["kb"]["sd_hash"] == parse_sd_jwt(ours).kb_payload["sd_hash"]
    # their verifier refuses it for another nonce, and after a disclosure is dropped (sd_hash)
    assert not node("verify", {"sdjwt": ours, "issuerJwk": theirs["issuerJwk"], "nonce": "other"})["ok"]
    dropped = ours.replace(parse_sd_jwt(ours).disclosures[0].encoded + "~", "", 1)
    refused = node("verify", {"sdjwt": dropped, "issuerJwk": theirs["issuerJwk"], "nonce": "our-nonce"})
    assert not refused["ok"] and "sd_hash" in refused["error"]


def test_they_verify_the_sd_jwt_vc_we_issue_with_its_recursive_disclosures() -> None:
    issuer, holder = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    jwk = public_key_to_jwk(issuer.public_key())
    did = did_jwk_from_jwk(jwk)
    claims = {"iss": did, "vct": "https://credentials.example.edu/wound-care", "iat": int(time.time()) - 60,
              "cnf": {"jwk": public_key_to_jwk(holder.public_key())},
              "achievement": Concealed({"name": Concealed("Wound care basics"), "achievementType": "Badge"}),
              "skills": [Concealed("wound cleaning"), "dressing"]}
    issued = issue_sd_jwt(claims, issuer, {"alg": "ES256", "typ": "dc+sd-jwt", "kid": f"{did}#0"}, decoys=2)
    answer = node("verify", {"sdjwt": issued, "issuerJwk": jwk, "nonce": ""})
    assert answer["ok"], answer
    assert answer["payload"]["achievement"] == {"name": "Wound care basics", "achievementType": "Badge"}
    assert answer["payload"]["skills"] == ["wound cleaning", "dressing"]
    bound = present_sd_jwt(issued, lambda d: d.name == "achievement", holder_key=holder, nonce="n-9", aud=AUD,
                           iat=int(time.time()))
    kb_answer = node("verify", {"sdjwt": bound, "issuerJwk": jwk, "nonce": "n-9"})
    assert kb_answer["ok"], kb_answer
    assert kb_answer["payload"]["achievement"] == {"achievementType": "Badge"}  # its name withheld
    assert kb_answer["payload"]["skills"] == ["dressing"]

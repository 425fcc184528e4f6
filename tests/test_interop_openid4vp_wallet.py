"""Satchel's wallet answers an independent OpenID4VP 1.0 verifier on loopback.

The verifier is scripts/interop/oid4vp-verifier/verifier.mjs: Animo's @openid4vc/openid4vp
(Openid4vpVerifier) makes the Authorization Request with a DCQL query, signed for a DID or an
X.509 certificate or passed plainly for redirect_uri, and reads the answer (direct_post, or
direct_post.jwt decrypted by jose); @sd-jwt/core checks SD-JWT VCs and their Key Binding JWT,
Digital Bazaar's jsonld-signatures checks ldp_vc presentations (challenge = nonce, domain =
client_id). The wallet is the real one: a sealed store, its holder key, real HTTP through the
wallet's guarded client. Skipped without node or without ``make interop-deps``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from credentials import Concealed, Fetcher, issue_sd_jwt, make_client, public_key_to_jwk
from credentials._did.jwk import did_jwk_from_jwk
from issuer_stub.forms import ob3_vc_jwt
from tests.helpers import NODE, PASSPHRASE, ed25519_signer, fast_kdf, node_package_skips, ob3_credential
from wallet.importer import ImportService
from wallet.share import RequestError, answer_openid4vp, preview_openid4vp, read_openid4vp_request
from wallet.store import Store

DRIVER = Path(__file__).resolve().parents[1] / "scripts" / "interop" / "oid4vp-verifier"
pytestmark = node_package_skips(DRIVER, "@openid4vc/openid4vp")

VCT = "https://credentials.example.edu/wound-care"
OB3 = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
VC = "https://www.w3.org/2018/credentials#VerifiableCredential"

SD_QUERY = {"credentials": [{"id": "badge", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
                             "claims": [{"path": ["given_name"]}, {"path": ["achievement", "name"]}]}]}
LDP_QUERY = {"credentials": [{"id": "open_badge", "format": "ldp_vc", "meta": {"type_values": [[VC, OB3]]},
                              "claims": [{"path": ["credentialSubject", "achievement", "name"]}]}]}
# §6.4.1 claim_sets: the verifier prefers the full name but accepts the given name alone.
OPTIONAL_QUERY = {"credentials": [{
    "id": "badge", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
    "claims": [{"id": "given", "path": ["given_name"]}, {"id": "family", "path": ["family_name"]},
               {"id": "achievement", "path": ["achievement", "name"]}],
    "claim_sets": [["given", "family", "achievement"], ["given", "achievement"]]}]}


@dataclasses.dataclass
class Wallet:
    store: Store
    issuer_jwk: dict[str, Any]
    sd_id: str
    ldp_id: str
    jwt_id: str


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wallet]:
    path = tmp_path_factory.mktemp("wallet") / "wallet.satchel"
    with Store.create(path, PASSPHRASE, kdf=fast_kdf()) as store:
        profile = store.create_profile("Me")
        holder = store.signing_key(profile.id)
        issuer_key = ec.generate_private_key(ec.SECP256R1())
        did = did_jwk_from_jwk(public_key_to_jwk(issuer_key.public_key()))
        now = int(time.time())
        claims = {"iss": did, "vct": VCT, "iat": now - 60, "cnf": {"jwk": public_key_to_jwk(holder.public_key())},
                  "given_name": Concealed("Ada"), "family_name": Concealed("Lovelace"),
                  "achievement": Concealed({"name": Concealed("Wound care basics"), "achievementType": "Badge"})}
        sd_jwt = issue_sd_jwt(claims, issuer_key, {"alg": "ES256", "typ": "dc+sd-jwt", "kid": f"{did}#0"}, decoys=2)
        signer = ed25519_signer()
        badge = signer.sign(ob3_credential(signer.did, subject=profile.did))
        service = ImportService(store, lambda: Fetcher(None))
        kid = f"{signer.did}#{signer.did.removeprefix('did:key:')}"
        vc_jwt = ob3_vc_jwt(ob3_credential(signer.did, subject=profile.did, name="Safe moving and handling"),
                            signer.key, kid, datetime.now(UTC), None)
        sd = service.import_text(sd_jwt)
        ldp = service.import_text(json.dumps(badge))
        jwt = service.import_text(vc_jwt)
        assert sd.id and ldp.id and jwt.id and sd.verdict == ldp.verdict == jwt.verdict == "valid", (sd, ldp, jwt)
        yield Wallet(store, public_key_to_jwk(issuer_key.public_key()), sd.id, ldp.id, jwt.id)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with make_client(allow_loopback=True) as c:
        yield c


@dataclasses.dataclass
class Oracle:
    link: str
    base: str
    client_id: str

    def results(self) -> list[dict[str, Any]]:
        with httpx.Client() as c:
            return list(c.get(f"{self.base}/results").json()["results"])


@pytest.fixture
def oracle() -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start(**config: Any) -> Oracle:
        assert NODE is not None
        proc = subprocess.Popen([NODE, str(DRIVER / "verifier.mjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=DRIVER)
        started.append(proc)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(config))
        proc.stdin.close()
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the oracle did not start: {proc.stderr.read() if proc.stderr else ''}")
        return Oracle(**json.loads(line))

    yield start
    for proc in started:
        proc.kill()  # only the processes this fixture started
        proc.wait(timeout=10)


def _certificate(dns: str, *, days: int = 30) -> tuple[str, list[str], str]:
    """A self-signed P-256 certificate whose subjectAltName dNSName is ``dns``: key PEM, x5c, SHA-256."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Interop Verifier")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
            .sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    der = cert.public_bytes(serialization.Encoding.DER)
    return pem, [base64.b64encode(der).decode()], cert.fingerprint(hashes.SHA256()).hex()


def test_an_sd_jwt_vc_goes_to_a_did_verifier_with_only_the_claims_asked(wallet: Wallet, client: httpx.Client,
                                                                        oracle: Any) -> None:
    verifier = oracle(prefix="decentralized_identifier", dcql_query=SD_QUERY, issuer_jwk=wallet.issuer_jwk,
                      client_name="Acme Hiring")
    request = read_openid4vp_request(verifier.link, client=client)
    assert request.verifier.confirmed and request.verifier.name == "Acme Hiring"
    preview = preview_openid4vp(wallet.store, request)
    assert preview.satisfied
    [choice] = preview.choices
    assert choice.credential_id == wallet.sd_id and not choice.whole
    assert [(c.label, c.value) for c in choice.claims] == [("given_name", "Ada"), ("achievement.name",
                                                                                   "Wound care basics")]
    answer = answer_openid4vp(wallet.store, request, client=client)
    assert answer.status == 200 and answer.redirect_uri == f"{verifier.base}/done"
    [result] = verifier.results()
    assert result["accepted"], result["errors"]
    disclosed = result["disclosed"]["badge"]
    assert disclosed["given_name"] == "Ada" and disclosed["achievement"]["name"] == "Wound care basics"
    assert "family_name" not in disclosed  # not asked, so not disclosed
    assert result["state"] == request.state


def test_an_open_badge_goes_to_an_x509_verifier_encrypted(wallet: Wallet, client: httpx.Client, oracle: Any) -> None:
    pem, x5c, fingerprint = _certificate("127.0.0.1")
    verifier = oracle(prefix="x509_san_dns", response_mode="direct_post.jwt", dcql_query=LDP_QUERY,
                      x509={"key_pem": pem, "x5c": x5c, "dns": "127.0.0.1"})
    unknown = read_openid4vp_request(verifier.link, client=client)
    assert not unknown.verifier.confirmed and "does not know" in unknown.verifier.how
    request = read_openid4vp_request(verifier.link, client=client, trusted_certificates=[fingerprint])
    assert request.verifier.confirmed and request.response_mode == "direct_post.jwt"
    preview = preview_openid4vp(wallet.store, request)
    [choice] = preview.choices
    assert choice.credential_id == wallet.ldp_id and choice.whole  # a Data Integrity badge goes whole
    assert any("sent whole" in w for w in preview.warnings)
    answer = answer_openid4vp(wallet.store, request, client=client)
    assert answer.status == 200, answer.body
    [result] = verifier.results()
    assert result["accepted"] and result["encrypted"], result["errors"]
    [vc] = result["disclosed"]["open_badge"]
    assert vc["credentialSubject"]["achievement"]["name"]


def test_the_learner_unticks_an_optional_claim_for_a_redirect_uri_verifier(wallet: Wallet, client: httpx.Client,
                                                                           oracle: Any) -> None:
    verifier = oracle(prefix="redirect_uri", dcql_query=OPTIONAL_QUERY, issuer_jwk=wallet.issuer_jwk)
    request = read_openid4vp_request(verifier.link, client=client)
    assert not request.verifier.confirmed and request.verifier.address == f"{verifier.base}/response"
    [choice] = preview_openid4vp(wallet.store, request).choices
    assert {c.label: c.optional for c in choice.claims} == {"given_name": False, "family_name": True,
                                                           "achievement.name": False}
    family = next(c.index for c in choice.claims if c.label == "family_name")
    [fewer] = preview_openid4vp(wallet.store, request, withheld={"badge": {family}}).choices
    assert [c.label for c in fewer.claims] == ["given_name", "achievement.name"]
    answer = answer_openid4vp(wallet.store, request, client=client, withheld={"badge": {family}})
    assert answer.status == 200
    [result] = verifier.results()
    assert result["accepted"] and "family_name" not in result["disclosed"]["badge"], result


def test_a_request_fetched_by_post_echoes_the_wallet_nonce(wallet: Wallet, client: httpx.Client, oracle: Any) -> None:
    verifier = oracle(prefix="decentralized_identifier", dcql_query=SD_QUERY, issuer_jwk=wallet.issuer_jwk,
                      request_uri_method="post")
    request = read_openid4vp_request(verifier.link, client=client)
    assert request.params["wallet_nonce"]
    assert answer_openid4vp(wallet.store, request, client=client).status == 200


def test_a_jwt_badge_goes_as_a_vp_jwt_with_the_nonce_and_audience(wallet: Wallet, client: httpx.Client,
                                                                  oracle: Any) -> None:
    query = {"credentials": [{"id": "jwt_badge", "format": "jwt_vc_json",
                              "meta": {"type_values": [["OpenBadgeCredential"]]}, "claims": [{"path": ["name"]}]}]}
    verifier = oracle(prefix="decentralized_identifier", dcql_query=query)
    request = read_openid4vp_request(verifier.link, client=client)
    [choice] = preview_openid4vp(wallet.store, request).choices
    assert choice.credential_id == wallet.jwt_id and choice.whole
    assert answer_openid4vp(wallet.store, request, client=client).status == 200
    [result] = verifier.results()
    assert result["accepted"], result["errors"]
    assert [vc["name"] for vc in result["disclosed"]["jwt_badge"]] == ["Safe moving and handling"]


# -- refusals ---------------------------------------------------------------------------------------


def test_a_request_signed_by_a_key_its_did_does_not_have_is_refused(client: httpx.Client, oracle: Any) -> None:
    verifier = oracle(prefix="decentralized_identifier", dcql_query=SD_QUERY, sign_with_other_key=True)
    with pytest.raises(RequestError, match="signature does not match the verifier it names"):
        read_openid4vp_request(verifier.link, client=client)


def test_a_certificate_for_another_name_is_refused(client: httpx.Client, oracle: Any) -> None:
    pem, x5c, _ = _certificate("hire.example")
    verifier = oracle(prefix="x509_san_dns", dcql_query=LDP_QUERY, client_id="x509_san_dns:127.0.0.1",
                      x509={"key_pem": pem, "x5c": x5c, "dns": "127.0.0.1"})
    with pytest.raises(RequestError, match="certificate is not for 127.0.0.1"):
        read_openid4vp_request(verifier.link, client=client)


def test_their_verifier_refuses_an_answer_for_another_nonce(wallet: Wallet, client: httpx.Client,
                                                            oracle: Any) -> None:
    verifier = oracle(prefix="decentralized_identifier", dcql_query=SD_QUERY, issuer_jwk=wallet.issuer_jwk)
    request = read_openid4vp_request(verifier.link, client=client)
    replayed = dataclasses.replace(request, nonce="a-nonce-from-another-request")
    answer = answer_openid4vp(wallet.store, replayed, client=client)
    assert answer.status == 400 and answer.redirect_uri is None
    [result] = verifier.results()
    assert not result["accepted"] and "nonce" in " ".join(result["errors"]).lower(), result


def test_an_ldp_presentation_for_another_domain_is_refused_by_their_verifier(wallet: Wallet, client: httpx.Client,
                                                                             oracle: Any) -> None:
    verifier = oracle(prefix="decentralized_identifier", dcql_query=LDP_QUERY)
    request = read_openid4vp_request(verifier.link, client=client)
    other = dataclasses.replace(request, verifier=dataclasses.replace(request.verifier,
                                                                      client_id="decentralized_identifier:did:x"))
    assert answer_openid4vp(wallet.store, other, client=client).status == 400
    assert not verifier.results()[0]["accepted"]

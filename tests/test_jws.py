"""Tests for credentials._formats.jws (compact JWS primitives)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials._errors import MalformedError, UnsupportedProofError
from credentials._formats.jws import (
    CompactJws,
    PrivateKey,
    b64url_decode,
    b64url_encode,
    jwk_to_public_key,
    parse_compact_jws,
    parse_detached_jws,
    public_key_to_jwk,
    sign_jws,
    verify_jws_signature,
)

# RFC 8037 Appendix A.1 (Ed25519 private key) and A.4 (JWS over "Example of Ed25519 signing").
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

# RFC 7515 Appendix A.3 (ECDSA P-256 SHA-256): key (A.3.1) and the complete JWS.
RFC7515_A3_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
}
RFC7515_A3_JWS = (
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
)
RFC7515_PAYLOAD = b'{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}'


def _keys() -> dict[str, PrivateKey]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "EdDSA": ed25519.Ed25519PrivateKey.generate(),
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "ES384": ec.generate_private_key(ec.SECP384R1()),
        "ES512": ec.generate_private_key(ec.SECP521R1()),
        "RS256": rsa_key,
        "RS384": rsa_key,
        "RS512": rsa_key,
        "PS256": rsa_key,
        "PS384": rsa_key,
        "PS512": rsa_key,
    }


KEYS = _keys()
SIG_LEN = {"EdDSA": 64, "ES256": 64, "ES384": 96, "ES512": 132}


# --------------------------------------------------------------------------- base64url


def test_b64url_round_trip_and_strictness() -> None:
    for n in range(0, 10):
        data = bytes(range(250, 250 - n, -1))
        enc = b64url_encode(data)
        assert "=" not in enc and "+" not in enc and "/" not in enc
        assert b64url_decode(enc) == data
    for bad in ["QQ==", "QQ=", "a+b/", "a b", "QR", "A", "QQ\n", "é"]:
        with pytest.raises(MalformedError):
            b64url_decode(bad)
    assert b64url_decode("") == b""
    assert b64url_decode("QQ") == b"A"


# --------------------------------------------------------------------------- spec vectors


def test_rfc8037_ed25519_vector() -> None:
    priv = ed25519.Ed25519PrivateKey.from_private_bytes(b64url_decode(RFC8037_D))
    assert public_key_to_jwk(priv) == {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}
    jws = parse_compact_jws(RFC8037_JWS)
    assert jws.header == {"alg": "EdDSA"}
    assert jws.payload == b"Example of Ed25519 signing"
    pub = jwk_to_public_key({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "d": RFC8037_D})
    assert verify_jws_signature("EdDSA", jws.signing_input, jws.signature, pub)
    # Ed25519 is deterministic: signing again reproduces the RFC's JWS exactly.
    assert sign_jws({"alg": "EdDSA"}, b"Example of Ed25519 signing", priv) == RFC8037_JWS


def test_rfc7515_a3_es256_vector() -> None:
    d = int.from_bytes(b64url_decode(RFC7515_A3_JWK["d"]), "big")
    priv = ec.derive_private_key(d, ec.SECP256R1())
    public_jwk = {k: v for k, v in RFC7515_A3_JWK.items() if k != "d"}
    assert public_key_to_jwk(priv) == public_jwk  # the RFC's x, y, d are consistent
    jws = parse_compact_jws(RFC7515_A3_JWS)
    assert jws.header == {"alg": "ES256"}
    assert jws.payload == RFC7515_PAYLOAD
    pub = jwk_to_public_key(RFC7515_A3_JWK)
    assert verify_jws_signature("ES256", jws.signing_input, jws.signature, pub)
    tampered = jws.signing_input.replace(b"eyJpc3Mi", b"eyJpc3Ni")
    assert not verify_jws_signature("ES256", tampered, jws.signature, pub)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("alg", sorted(KEYS))
def test_sign_verify_round_trip(alg: str) -> None:
    key = KEYS[alg]
    payload = json.dumps({"vc": {"type": ["VerifiableCredential"]}, "iss": "did:example:1"}).encode()
    text = sign_jws({"alg": alg, "kid": "k1", "typ": "JWT"}, payload, key)
    jws = parse_compact_jws(text)
    assert jws.header == {"alg": alg, "kid": "k1", "typ": "JWT"}
    assert jws.payload == payload
    if alg in SIG_LEN:
        assert len(jws.signature) == SIG_LEN[alg]
    pub = jwk_to_public_key(public_key_to_jwk(key.public_key()))
    assert verify_jws_signature(alg, jws.signing_input, jws.signature, pub)
    # tampered payload / signature -> False
    h, p, s = text.split(".")
    bad = parse_compact_jws(f"{h}.{b64url_encode(payload + b' ')}.{s}")
    assert not verify_jws_signature(alg, bad.signing_input, bad.signature, pub)
    flipped = bytes([jws.signature[0] ^ 1]) + jws.signature[1:]
    assert not verify_jws_signature(alg, jws.signing_input, flipped, pub)
    # wrong length / format -> False, never an exception
    for sig in (b"", jws.signature[:-1], jws.signature + b"\x00", b"\x30\x06\x02\x01\x01\x02\x01\x01"):
        assert not verify_jws_signature(alg, jws.signing_input, sig, pub)


def test_ed448_round_trip() -> None:
    key = ed448.Ed448PrivateKey.generate()
    jws = parse_compact_jws(sign_jws({"alg": "EdDSA"}, b"x", key))
    jwk = public_key_to_jwk(key)
    assert jwk["crv"] == "Ed448"
    assert verify_jws_signature("EdDSA", jws.signing_input, jws.signature, jwk_to_public_key(jwk))


def test_es256_der_signature_is_rejected() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signing_input = b"eyJhbGciOiJFUzI1NiJ9.e30"
    der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    assert not verify_jws_signature("ES256", signing_input, der, key.public_key())


def test_wrong_key_type_is_false() -> None:
    text = sign_jws({"alg": "ES256"}, b"hi", KEYS["ES256"])
    jws = parse_compact_jws(text)
    for other in ("EdDSA", "ES384", "RS256"):
        assert not verify_jws_signature("ES256", jws.signing_input, jws.signature, KEYS[other].public_key())
    # a different key of the right type
    assert not verify_jws_signature("ES256", jws.signing_input, jws.signature,
                                    ec.generate_private_key(ec.SECP256R1()).public_key())


def test_unknown_alg() -> None:
    pub = KEYS["EdDSA"].public_key()
    for alg in ("none", "HS256", "ES256K", "eddsa", ""):
        with pytest.raises(UnsupportedProofError):
            verify_jws_signature(alg, b"a.b", b"", pub)
    with pytest.raises(UnsupportedProofError):
        sign_jws({"alg": "HS256"}, b"x", KEYS["EdDSA"])


def test_sign_with_unfit_key() -> None:
    with pytest.raises(ValueError):
        sign_jws({"alg": "ES256"}, b"x", KEYS["EdDSA"])
    with pytest.raises(ValueError):
        sign_jws({"alg": "ES256"}, b"x", KEYS["ES384"])
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(ValueError):
        sign_jws({"alg": "RS256"}, b"x", small)


# --------------------------------------------------------------------------- detached / b64=false


def test_detached_b64_false_round_trip() -> None:
    key = KEYS["EdDSA"]
    payload = b"$.02 raw payload, not base64url"
    header: dict[str, Any] = {"alg": "EdDSA", "b64": False, "crit": ["b64"]}
    text = sign_jws(header, payload, key)
    h64, empty, _ = text.split(".")
    assert empty == ""
    jws = parse_detached_jws(text, payload)
    assert jws.header == header
    assert jws.signing_input == h64.encode() + b"." + payload  # RFC 7797 §3
    assert verify_jws_signature("EdDSA", jws.signing_input, jws.signature, key.public_key())
    other = parse_detached_jws(text, payload + b"!")
    assert not verify_jws_signature("EdDSA", other.signing_input, other.signature, key.public_key())
    with pytest.raises(MalformedError, match="b64"):
        parse_compact_jws(text)


def test_detached_b64_true() -> None:
    key = KEYS["ES256"]
    full = sign_jws({"alg": "ES256"}, b"payload", key)
    h, _, s = full.split(".")
    jws = parse_detached_jws(f"{h}..{s}", b"payload")
    assert jws.signing_input == parse_compact_jws(full).signing_input
    assert verify_jws_signature("ES256", jws.signing_input, jws.signature, key.public_key())


def test_detached_rejections() -> None:
    key = KEYS["EdDSA"]
    text = sign_jws({"alg": "EdDSA"}, b"x", key)
    with pytest.raises(MalformedError):
        parse_detached_jws(text, b"x")  # payload part not empty
    h64 = b64url_encode(json.dumps({"alg": "EdDSA", "b64": False}).encode())
    with pytest.raises(MalformedError, match="crit"):
        parse_detached_jws(f"{h64}..AAAA", b"x")  # RFC 7797 §6
    h64 = b64url_encode(json.dumps({"alg": "EdDSA", "b64": "no", "crit": ["b64"]}).encode())
    with pytest.raises(MalformedError, match="boolean"):
        parse_detached_jws(f"{h64}..AAAA", b"x")


# --------------------------------------------------------------------------- parse errors


def _h(obj: object) -> str:
    return b64url_encode(json.dumps(obj).encode())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",
        ".e30.",
        f" {RFC8037_JWS}",
        f"{RFC8037_JWS}\n",
        RFC8037_JWS + "=",
        RFC8037_JWS.replace("-", "+"),
        "eyJhbGciOiJFZERTQSJ9=.e30.",
        f"{b64url_encode(b'[1,2]')}.e30.",
        f"{b64url_encode(b'not json')}.e30.",
        f"{b64url_encode(bytes([0xff, 0xfe]))}.e30.",
        f"{b64url_encode(b'{}')}.e30.",
        f"{_h({'alg': 5})}.e30.",
        b64url_encode(b'{"alg":"EdDSA","alg":"none"}') + ".e30.",
        b64url_encode(b'{"alg":"EdDSA","x":NaN}') + ".e30.",
        f"{b64url_encode(b'[' * 100000)}.e30.",
        f"{_h({'alg': 'EdDSA', 'crit': ['exp'], 'exp': 1})}.e30.",
        f"{_h({'alg': 'EdDSA', 'crit': ['alg']})}.e30.",
        f"{_h({'alg': 'EdDSA', 'crit': ['zz']})}.e30.",
        f"{_h({'alg': 'EdDSA', 'crit': []})}.e30.",
        f"{_h({'alg': 'EdDSA'})}.e30.QQ=",
        "x" * (5 * 1024 * 1024 + 1),
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(MalformedError):
        parse_compact_jws(text)


def test_parse_accepts_alg_none_and_empty_parts() -> None:
    jws = parse_compact_jws(f"{_h({'alg': 'none'})}..")
    assert jws == CompactJws({"alg": "none"}, b"", jws.signing_input, b"")
    assert jws.signing_input.endswith(b".")


def test_parse_rejects_non_str() -> None:
    with pytest.raises(MalformedError):
        parse_compact_jws(RFC8037_JWS.encode())  # type: ignore[arg-type]


# --------------------------------------------------------------------------- JWK


def test_jwk_round_trips() -> None:
    for alg in ("EdDSA", "ES256", "ES384", "ES512", "RS256"):
        pub = KEYS[alg].public_key()
        jwk = public_key_to_jwk(pub)
        assert public_key_to_jwk(jwk_to_public_key(jwk)) == jwk
        assert "d" not in jwk
    rsa_jwk = public_key_to_jwk(KEYS["RS256"])
    assert rsa_jwk["e"] == "AQAB"


@pytest.mark.parametrize(
    "jwk",
    [
        None,
        [],
        {},
        {"kty": "oct", "k": "AAAA"},
        {"kty": "OKP", "crv": "X25519", "x": RFC8037_X},
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X[:-2]},
        {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X + "="},
        {"kty": "OKP", "crv": "Ed25519", "x": 5},
        {"kty": "EC", "crv": "P-256", "x": RFC7515_A3_JWK["x"]},
        {"kty": "EC", "crv": "secp256k1", "x": RFC7515_A3_JWK["x"], "y": RFC7515_A3_JWK["y"]},
        {"kty": "EC", "crv": "P-256", "x": RFC7515_A3_JWK["x"], "y": RFC7515_A3_JWK["x"]},  # off curve
        {"kty": "EC", "crv": "P-384", "x": RFC7515_A3_JWK["x"], "y": RFC7515_A3_JWK["y"]},  # wrong size
        {"kty": "RSA", "n": "AQAB"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},  # invalid modulus
        {"kty": "RSA", "n": b64url_encode(b"\xff" * 4097), "e": "AQAB"},  # too large
    ],
)
def test_jwk_rejects(jwk: Any) -> None:
    with pytest.raises(MalformedError):
        jwk_to_public_key(jwk)


def test_jwk_private_members_ignored() -> None:
    priv = KEYS["ES256"]
    assert isinstance(priv, ec.EllipticCurvePrivateKey)
    jwk = public_key_to_jwk(priv) | {"d": "not even base64!"}
    pub = jwk_to_public_key(jwk)
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    assert pub.public_numbers() == priv.public_key().public_numbers()


# --------------------------------------------------------------------------- fuzzing


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("AZaz09-_.=+/ {}\"é"), max_size=200))
def test_fuzz_parse_text(text: str) -> None:
    try:
        jws = parse_compact_jws(text)
    except MalformedError:
        return
    assert isinstance(jws.header, dict) and isinstance(jws.header["alg"], str)


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=10),
       st.binary(max_size=64), st.binary(max_size=80))
def test_fuzz_parse_structured(header: Any, payload: bytes, sig: bytes) -> None:
    text = f"{b64url_encode(json.dumps(header).encode())}.{b64url_encode(payload)}.{b64url_encode(sig)}"
    try:
        jws = parse_compact_jws(text)
    except MalformedError:
        return
    assert jws.payload == payload and jws.signature == sig
    alg = jws.header["alg"]
    try:
        ok = verify_jws_signature(alg, jws.signing_input, jws.signature, KEYS["ES256"].public_key())
    except UnsupportedProofError:
        return
    assert ok is False


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=140))
def test_fuzz_signature_bytes_never_raise(sig: bytes) -> None:
    for alg in ("EdDSA", "ES256", "ES384", "ES512", "RS256", "PS256"):
        assert verify_jws_signature(alg, b"a.b", sig, KEYS[alg].public_key()) is False

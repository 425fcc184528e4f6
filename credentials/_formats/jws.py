"""Compact JWS primitives: parsing, signing, signature checks, JWK conversion.

No verification policy lives here (which keys, which algorithms are acceptable for a given
credential): only the mechanics of

* RFC 7515 (JWS) §7.1 Compact Serialization, §5.2 message validation, §4.1.11 ``crit``,
  Appendix C (base64url without padding);
* RFC 7797 (JWS Unencoded Payload Option), ``b64: false`` with a detached payload;
* RFC 7518 (JWA) §3.3 RSASSA-PKCS1-v1_5, §3.4 ECDSA (raw ``R || S`` signatures), §3.5 RSASSA-PSS,
  §6.2 EC keys, §6.3 RSA keys;
* RFC 8037 (CFRG curves in JOSE) §2 OKP keys, §3.1 EdDSA.

Anything wrong with the input raises :class:`~credentials._errors.MalformedError`; an algorithm
Satchel cannot check raises :class:`~credentials._errors.UnsupportedProofError`; a signature that
does not verify (wrong length or format included) makes ``verify_jws_signature`` return False.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from credentials._encoding import b64url_decode, b64url_encode
from credentials._errors import MalformedError, UnsupportedFormatError, UnsupportedProofError

__all__ = [
    "CompactJws",
    "MAX_JWS_CHARS",
    "PrivateKey",
    "PublicKey",
    "SUPPORTED_ALGS",
    "b64url_decode",
    "b64url_encode",
    "jwk_to_public_key",
    "parse_compact_jws",
    "parse_detached_jws",
    "public_key_to_jwk",
    "sign_jws",
    "verify_jws_signature",
]

#: Largest compact JWS (or detached payload) accepted.
MAX_JWS_CHARS = 5 * 1024 * 1024
#: Largest RSA modulus accepted in a JWK (bounds the cost of a hostile key).
MAX_RSA_BITS = 16384
#: RFC 7518 §3.3 / §3.5: "A key of size 2048 bits or larger MUST be used".
MIN_RSA_BITS = 2048

PublicKey = (
    ed25519.Ed25519PublicKey | ed448.Ed448PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
)
PrivateKey = (
    ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
)

# alg -> (family, hash, EC curve name / None)   RFC 7518 §3.1 table, RFC 8037 §3.1
_ALGS: dict[str, tuple[str, type[hashes.HashAlgorithm] | None, str | None]] = {
    "EdDSA": ("eddsa", None, None),
    "ES256": ("ecdsa", hashes.SHA256, "secp256r1"),
    "ES384": ("ecdsa", hashes.SHA384, "secp384r1"),
    "ES512": ("ecdsa", hashes.SHA512, "secp521r1"),
    "RS256": ("rsa", hashes.SHA256, None),
    "RS384": ("rsa", hashes.SHA384, None),
    "RS512": ("rsa", hashes.SHA512, None),
    "PS256": ("pss", hashes.SHA256, None),
    "PS384": ("pss", hashes.SHA384, None),
    "PS512": ("pss", hashes.SHA512, None),
}
SUPPORTED_ALGS = frozenset(_ALGS)

# JWK "crv" -> (cryptography curve, coordinate length in bytes)   RFC 7518 §6.2.1.1-2
_EC_CURVES: dict[str, tuple[type[ec.EllipticCurve], int]] = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
    "P-521": (ec.SECP521R1, 66),
}
_EC_JWK_NAME = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}

# Header parameters defined by RFC 7515 §4.1 / RFC 7518 §4.1: never allowed in "crit" (§4.1.11).
_REGISTERED_HEADERS = frozenset(
    ["alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
     "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c"]
)
# Extensions this module understands when named in "crit".
_UNDERSTOOD_CRIT = frozenset(["b64"])


@dataclass(frozen=True)
class CompactJws:
    """A parsed compact JWS. ``signing_input`` is exactly what the signature covers."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes


# --------------------------------------------------------------------------- base64url



# --------------------------------------------------------------------------- parsing


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            # RFC 7515 §5.2 step 4: reject a header with duplicate parameter names.
            raise MalformedError(f"the JWS header repeats the parameter {k!r}")
        out[k] = v
    return out


def _bad_constant(name: str) -> Any:
    raise MalformedError(f"the JWS header contains {name}, which is not JSON")


def _parse_header(segment: str) -> dict[str, Any]:
    raw = b64url_decode(segment)
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                            parse_constant=_bad_constant)
    except UnicodeDecodeError:
        raise MalformedError("the JWS header is not UTF-8") from None
    except RecursionError:
        raise MalformedError("the JWS header is nested too deeply") from None
    except ValueError as exc:
        raise MalformedError(f"the JWS header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise MalformedError("the JWS header is not a JSON object")
    # RFC 7515 §4.1.1: "alg" MUST be present (its value is judged by the verifier: "none" is
    # reported by the caller, unknown values by verify_jws_signature).
    if not isinstance(header.get("alg"), str):
        raise MalformedError("the JWS header has no \"alg\"")
    _check_crit(header)
    return header


# ETSI TS 119 182-1 (JAdES) header parameters: the signatures of European Digital Credentials.
_JADES = frozenset({"sigT", "sigD", "x5t#o", "sigX5ts", "srCms", "srAts", "sigPl", "sigPId", "adoTst", "etsiU"})


def _check_crit_names(header: dict[str, Any], crit: object) -> None:
    """RFC 7515 §4.1.11: ``crit`` is a non-empty list of distinct, present, understood extension names."""
    if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
        raise MalformedError("the JWS \"crit\" parameter is not a non-empty list of names")
    if len(set(crit)) != len(crit):
        raise MalformedError("the JWS \"crit\" parameter repeats a name")
    for name in crit:
        if name in _REGISTERED_HEADERS:
            raise MalformedError(f"the JWS \"crit\" parameter names the registered parameter {name!r}")
        if name not in header:
            raise MalformedError(f"the JWS \"crit\" parameter names {name!r}, absent from the header")
        if name not in _UNDERSTOOD_CRIT:
            raise MalformedError(f"the JWS requires the unknown extension {name!r} (crit)")


def _check_b64(b64: object, crit: object) -> None:
    """RFC 7797 §3 and §6 for a header that has ``b64``."""
    if not isinstance(b64, bool):
        raise MalformedError("the JWS \"b64\" parameter is not a boolean")
    # RFC 7797 §6: "b64" MUST be listed in "crit". Enforced for b64=false, where ignoring it
    # would change the meaning of the signature; b64=true is the default anyway.
    if b64 is False and (not isinstance(crit, list) or "b64" not in crit):
        raise MalformedError("the JWS uses \"b64\": false without listing it in \"crit\"")


def _check_crit(header: dict[str, Any]) -> None:
    """RFC 7515 §4.1.11 and RFC 7797 §6."""
    if _JADES & set(header):
        raise UnsupportedFormatError(
            "It is sealed with a JAdES signature (ETSI TS 119 182-1), as European Digital Credentials "
            "are; Satchel cannot check JAdES signatures yet")
    crit = header.get("crit")
    if crit is not None:
        _check_crit_names(header, crit)
    if "b64" in header:
        _check_b64(header["b64"], crit)


def _split(text: str) -> tuple[str, str, str]:
    if not isinstance(text, str):
        raise MalformedError("a compact JWS must be text")
    if len(text) > MAX_JWS_CHARS:
        raise MalformedError("the JWS is larger than 5 MB")
    parts = text.split(".")
    if len(parts) != 3:
        # RFC 7515 §7.1: exactly three segments (five would be a JWE, RFC 7516 §7.1).
        raise MalformedError(f"a compact JWS has 3 dot-separated parts, not {len(parts)}")
    header, payload, signature = parts
    if not header:
        raise MalformedError("the JWS header is empty")
    return header, payload, signature


def parse_compact_jws(text: str) -> CompactJws:
    """Parse ``header.payload.signature`` (RFC 7515 §7.1, validated per §5.2).

    The text must be exact: no surrounding whitespace, strict unpadded base64url in every part,
    header a JSON object with "alg" and no duplicate names. A header with ``"b64": false`` is
    refused here: use :func:`parse_detached_jws` with the payload.
    """
    h64, p64, s64 = _split(text)
    header = _parse_header(h64)
    if header.get("b64") is False:
        raise MalformedError("the JWS has an unencoded payload (b64: false); it needs the detached payload")
    payload = b64url_decode(p64)
    signature = b64url_decode(s64)
    return CompactJws(header, payload, f"{h64}.{p64}".encode("ascii"), signature)


def parse_detached_jws(text: str, payload: bytes) -> CompactJws:
    """Parse a detached compact JWS ``header..signature`` with its payload given separately.

    With ``"b64": false`` (RFC 7797 §3) the signing input is ``ASCII(BASE64URL(header)) || "."
    || payload`` with the raw payload bytes; otherwise (RFC 7515 Appendix F) the payload is
    base64url-encoded into the signing input as usual.
    """
    h64, p64, s64 = _split(text)
    if p64:
        raise MalformedError("a detached JWS has an empty payload part (header..signature)")
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise MalformedError("the detached payload must be bytes")
    payload = bytes(payload)
    if len(payload) > MAX_JWS_CHARS:
        raise MalformedError("the detached payload is larger than 5 MB")
    header = _parse_header(h64)
    signature = b64url_decode(s64)
    if header.get("b64") is False:
        signing_input = h64.encode("ascii") + b"." + payload
    else:
        signing_input = f"{h64}.{b64url_encode(payload)}".encode("ascii")
    return CompactJws(header, payload, signing_input, signature)


# --------------------------------------------------------------------------- signing


def _alg_info(alg: object) -> tuple[str, type[hashes.HashAlgorithm] | None, str | None]:
    if not isinstance(alg, str) or alg not in _ALGS:
        raise UnsupportedProofError(f"unsupported JWS algorithm {alg!r}")
    return _ALGS[alg]


def _raw_sign(alg: str, signing_input: bytes, key: PrivateKey) -> bytes:
    family, hash_cls, curve = _alg_info(alg)
    if family == "eddsa":
        if not isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
            raise ValueError("EdDSA needs an Ed25519 or Ed448 private key")
        return key.sign(signing_input)
    assert hash_cls is not None
    if family == "ecdsa":
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != curve:
            raise ValueError(f"{alg} needs an EC private key on {curve}")
        der = key.sign(signing_input, ec.ECDSA(hash_cls()))
        r, s = decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        # RFC 7518 §3.4: the JWS signature is R || S, each a fixed-length big-endian integer.
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_RSA_BITS:
        raise ValueError(f"{alg} needs an RSA private key of at least {MIN_RSA_BITS} bits")
    if family == "rsa":
        return key.sign(signing_input, padding.PKCS1v15(), hash_cls())
    # RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
    h = hash_cls()
    pss = padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size)
    return key.sign(signing_input, pss, h)


def sign_jws(header: dict[str, Any], payload: bytes, key: PrivateKey) -> str:
    """Sign ``payload`` and return the compact JWS.

    ``header["alg"]`` selects the algorithm. With ``"b64": false`` (RFC 7797, "crit" must list it)
    the detached form ``header..signature`` is returned, since the raw payload is not part of
    the serialization. Raises UnsupportedProofError for an unknown alg, MalformedError for a bad
    header and ValueError when the key does not fit the algorithm.
    """
    if not isinstance(header, dict):
        raise MalformedError("the JWS header must be a dict")
    alg = header.get("alg")
    _alg_info(alg)
    assert isinstance(alg, str)
    _check_crit(header)
    h64 = b64url_encode(json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    payload = bytes(payload)
    if header.get("b64") is False:
        signature = _raw_sign(alg, h64.encode("ascii") + b"." + payload, key)
        return f"{h64}..{b64url_encode(signature)}"
    p64 = b64url_encode(payload)
    signature = _raw_sign(alg, f"{h64}.{p64}".encode("ascii"), key)
    return f"{h64}.{p64}.{b64url_encode(signature)}"


def _verify_eddsa(signing_input: bytes, signature: bytes, public_key: PublicKey) -> bool:
    if not isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return False
    public_key.verify(signature, signing_input)
    return True


def _verify_ecdsa(signing_input: bytes, signature: bytes, public_key: PublicKey,
                  hash_cls: type[hashes.HashAlgorithm], curve: str | None) -> bool:
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != curve:
        return False
    size = (public_key.curve.key_size + 7) // 8
    # RFC 7518 §3.4: exactly 2 * size octets, R then S; anything else (DER included) fails.
    if len(signature) != 2 * size:
        return False
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    if r == 0 or s == 0:
        return False
    public_key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hash_cls()))
    return True


def _verify_rsa(family: str, signing_input: bytes, signature: bytes, public_key: PublicKey,
                hash_cls: type[hashes.HashAlgorithm]) -> bool:
    """RS* (``family`` "rsa", PKCS #1 v1.5) or PS* (RSASSA-PSS)."""
    if not isinstance(public_key, rsa.RSAPublicKey) or public_key.key_size < MIN_RSA_BITS:
        return False
    if len(signature) != (public_key.key_size + 7) // 8:
        return False
    if family == "rsa":
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hash_cls())
    else:
        h = hash_cls()
        pss = padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size)
        public_key.verify(signature, signing_input, pss, h)
    return True


def verify_jws_signature(alg: str, signing_input: bytes, signature: bytes, public_key: PublicKey) -> bool:
    """True iff ``signature`` is a valid ``alg`` signature of ``signing_input`` by ``public_key``.

    An unknown (or ``none``) alg raises UnsupportedProofError. A signature of the wrong length or
    format, or a key of the wrong type for ``alg``, gives False.
    """
    family, hash_cls, curve = _alg_info(alg)
    signing_input = bytes(signing_input)
    signature = bytes(signature)
    try:
        if family == "eddsa":
            return _verify_eddsa(signing_input, signature, public_key)
        assert hash_cls is not None
        if family == "ecdsa":
            return _verify_ecdsa(signing_input, signature, public_key, hash_cls, curve)
        return _verify_rsa(family, signing_input, signature, public_key, hash_cls)
    except (InvalidSignature, ValueError, OverflowError):
        return False


# --------------------------------------------------------------------------- JWK


def _member(jwk: dict[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedError(f"the JWK has no {name!r} member")
    return b64url_decode(value)


# RFC 8037 §2: OKP signing curves and the length of their public key "x".
_OKP_CURVES: dict[str, tuple[type[ed25519.Ed25519PublicKey] | type[ed448.Ed448PublicKey], int]] = {
    "Ed25519": (ed25519.Ed25519PublicKey, 32),
    "Ed448": (ed448.Ed448PublicKey, 57),
}


def _okp_key(jwk: dict[str, Any]) -> PublicKey:
    """RFC 8037 §2."""
    crv = jwk.get("crv")
    x = _member(jwk, "x")
    if not isinstance(crv, str) or crv not in _OKP_CURVES:
        raise MalformedError(f"unsupported OKP curve {crv!r} (signing keys are Ed25519 / Ed448)")
    key_cls, size = _OKP_CURVES[crv]
    if len(x) != size:
        raise MalformedError(f"an {crv} JWK's \"x\" must be {size} bytes")
    return key_cls.from_public_bytes(x)


def _ec_key(jwk: dict[str, Any]) -> PublicKey:
    """RFC 7518 §6.2.1."""
    crv = jwk.get("crv")
    if not isinstance(crv, str) or crv not in _EC_CURVES:
        raise MalformedError(f"unsupported EC curve {crv!r}")
    curve_cls, size = _EC_CURVES[crv]
    x, y = _member(jwk, "x"), _member(jwk, "y")
    # §6.2.1.2-3: the full coordinate, exactly the field size, leading zeros kept.
    if len(x) != size or len(y) != size:
        raise MalformedError(f"a {crv} JWK's coordinates must be {size} bytes each")
    numbers = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve_cls())
    return numbers.public_key()  # ValueError when the point is not on the curve


def _rsa_key(jwk: dict[str, Any]) -> PublicKey:
    """RFC 7518 §6.3.1."""
    n_bytes, e_bytes = _member(jwk, "n"), _member(jwk, "e")
    n, e = int.from_bytes(n_bytes, "big"), int.from_bytes(e_bytes, "big")
    if n.bit_length() > MAX_RSA_BITS or e.bit_length() > 64:
        raise MalformedError("the RSA JWK is unreasonably large")
    return rsa.RSAPublicNumbers(e, n).public_key()


_JWK_READERS = {"OKP": _okp_key, "EC": _ec_key, "RSA": _rsa_key}


def jwk_to_public_key(jwk: dict[str, Any]) -> PublicKey:
    """Public key from a JWK (OKP Ed25519/Ed448, EC P-256/P-384/P-521, RSA).

    Only the public members are used; private ones ("d", "p", ...) are ignored.
    Anything invalid raises MalformedError.
    """
    if not isinstance(jwk, dict):
        raise MalformedError("the JWK is not a JSON object")
    kty = jwk.get("kty")
    reader = _JWK_READERS.get(kty) if isinstance(kty, str) else None
    if reader is None:
        raise MalformedError(f"unsupported JWK key type {kty!r}")
    try:
        return reader(jwk)
    except (ValueError, UnsupportedAlgorithm, TypeError) as exc:
        raise MalformedError(f"the JWK is not a valid key: {exc}") from None


def public_key_to_jwk(key: PublicKey | PrivateKey) -> dict[str, str]:
    """Public JWK for a public key (or the public half of a private key)."""
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | ec.EllipticCurvePrivateKey
                  | rsa.RSAPrivateKey):
        pub: Any = key.public_key()
    else:
        pub = key
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if isinstance(pub, ed25519.Ed25519PublicKey):
        return {"kty": "OKP", "crv": "Ed25519",
                "x": b64url_encode(pub.public_bytes(Encoding.Raw, PublicFormat.Raw))}
    if isinstance(pub, ed448.Ed448PublicKey):
        return {"kty": "OKP", "crv": "Ed448",
                "x": b64url_encode(pub.public_bytes(Encoding.Raw, PublicFormat.Raw))}
    if isinstance(pub, ec.EllipticCurvePublicKey):
        crv = _EC_JWK_NAME.get(pub.curve.name)
        if crv is None:
            raise MalformedError(f"unsupported EC curve {pub.curve.name}")
        size = _EC_CURVES[crv][1]
        nums = pub.public_numbers()
        return {"kty": "EC", "crv": crv, "x": b64url_encode(nums.x.to_bytes(size, "big")),
                "y": b64url_encode(nums.y.to_bytes(size, "big"))}
    if isinstance(pub, rsa.RSAPublicKey):
        rnums = pub.public_numbers()
        return {"kty": "RSA", "n": b64url_encode(rnums.n.to_bytes((rnums.n.bit_length() + 7) // 8, "big")),
                "e": b64url_encode(rnums.e.to_bytes((rnums.e.bit_length() + 7) // 8, "big"))}
    raise MalformedError(f"unsupported key type {type(key).__name__}")

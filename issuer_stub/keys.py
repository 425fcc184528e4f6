"""Keys and identities: Ed25519 and P-256 (and RSA for OB 2.0 RS256), did:key and did:web.

Private keys are kept as PKCS#8 PEM in the state database. The did:web identity is made from
the stub's host and port, percent-encoding the colon (did:web method §3.1 "Create").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from credentials import did_key_from_public_key, encode_multikey, public_key_to_jwk, url_to_did_web

from .state import State

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

# The fragments of the issuer's verification methods in its did:web document.
ED25519_FRAGMENT = "#key-ed25519"
ED25519_2020_FRAGMENT = "#key-ed25519-2020"
P256_FRAGMENT = "#key-p256"


def _generate(kind: str) -> PrivateKey:
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unknown key kind {kind!r}")


def load_or_create_key(state: State, name: str, kind: str) -> PrivateKey:
    """The key stored under ``name``; generated and stored on first use."""
    pem = state.get_key_pem(name)
    if pem is None:
        key = _generate(kind)
        state.put_key_pem(name, key.private_bytes(serialization.Encoding.PEM,
                                                  serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
        pem = state.get_key_pem(name)
        assert pem is not None
    loaded = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(loaded, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey))
    return loaded


def public_pem(key: PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def did_key_of(key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return did_key_from_public_key(key.public_key())


def did_key_method(did: str) -> str:
    """did:key §3.1.2: the verification method id is the DID + '#' + the multibase value."""
    return f"{did}#{did.removeprefix('did:key:')}"


def did_web_for(base_url: str) -> str:
    netloc = urlsplit(base_url).netloc
    return url_to_did_web(netloc, urlsplit(base_url).path)


@dataclass(frozen=True)
class IssuerKeys:
    """Everything the issuer signs with, and the identifiers that name the keys."""

    ed25519_key: ed25519.Ed25519PrivateKey
    p256_key: ec.EllipticCurvePrivateKey
    rsa_key: rsa.RSAPrivateKey
    endorser_key: ed25519.Ed25519PrivateKey
    did_web: str

    @property
    def did_key(self) -> str:
        return did_key_of(self.ed25519_key)

    @property
    def endorser_did(self) -> str:
        return did_key_of(self.endorser_key)

    def method(self, fragment: str) -> str:
        return self.did_web + fragment

    def did_document(self) -> dict[str, Any]:
        """The did:web document (DID Core §5; Multikey per Controlled Identifiers §2.2.2)."""
        did = self.did_web
        multikey = encode_multikey(self.ed25519_key.public_key())
        methods: list[dict[str, Any]] = [
            {"id": did + ED25519_FRAGMENT, "type": "Multikey", "controller": did,
             "publicKeyMultibase": multikey},
            {"id": did + ED25519_2020_FRAGMENT, "type": "Ed25519VerificationKey2020", "controller": did,
             "publicKeyMultibase": multikey},
            {"id": did + P256_FRAGMENT, "type": "JsonWebKey", "controller": did,
             "publicKeyJwk": public_key_to_jwk(self.p256_key.public_key())},
        ]
        ids = [m["id"] for m in methods]
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
                         "https://w3id.org/security/suites/ed25519-2020/v1",
                         "https://w3id.org/security/jwk/v1"],
            "id": did,
            "verificationMethod": methods,
            "assertionMethod": ids,
            "authentication": ids,
        }


def issuer_keys(state: State, base_url: str) -> IssuerKeys:
    ed = load_or_create_key(state, "issuer-ed25519", "ed25519")
    p256 = load_or_create_key(state, "issuer-p256", "p256")
    rsa_key = load_or_create_key(state, "issuer-rsa", "rsa")
    endorser = load_or_create_key(state, "endorser-ed25519", "ed25519")
    assert isinstance(ed, ed25519.Ed25519PrivateKey) and isinstance(endorser, ed25519.Ed25519PrivateKey)
    assert isinstance(p256, ec.EllipticCurvePrivateKey) and isinstance(rsa_key, rsa.RSAPrivateKey)
    return IssuerKeys(ed, p256, rsa_key, endorser, did_web_for(base_url))

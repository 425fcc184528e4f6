"""DataIntegrityProof with cryptosuite ``ecdsa-sd-2023`` (W3C vc-di-ecdsa 1.0 §3.5, §3.6).

Selective disclosure with ECDSA P-256. The issuer signs a *base proof* (§3.6.1-§3.6.5): one
signature by its key over the proof configuration, a proof-scoped public key and the statements
it makes mandatory, plus one signature by the proof-scoped key per other canonical statement
(blank nodes relabelled by an HMAC, §3.4.4). The base proof goes to the holder only (§3.6.5), who
*derives* a proof that discloses the mandatory statements and the ones chosen by JSON pointers
(§3.6.6, §3.5.4). A verifier checks a derived proof (§3.6.7, §3.5.9); a base proof shown to a
verifier is refused with a sentence saying what to ask for instead.

Signatures are ES256 (P-256, SHA-256), raw r||s, deterministic (RFC 6979; vc-di-ecdsa §4.2
recommends it, and the spec's test vectors are made that way).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .._encoding import b64url_decode, b64url_encode
from .._errors import MalformedError, UnsupportedProofError
from .._jsonld._rdfc import Quad
from .._jsonld._skolem import canonical_id_map
from .._multiformats import P256_PUB
from ._data_integrity import ProofOptions, check_context_prefix, options_to_proof, proof_config, without_proof
from ._rdfc import rdfc
from ._selective import (
    canonicalize_and_group,
    canonicalize_document,
    check_pointers,
    given_label_map_factory,
    hash_mandatory,
    hmac_label_map_factory,
    select_json_ld,
)

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "ecdsa-sd-2023"

BASE_HEADER = b"\xd9\x5d\x00"  # §3.5.2
DERIVED_HEADER = b"\xd9\x5d\x01"  # §3.5.7
# Bounds on a proofValue before it is decoded, so that hostile input costs bounded work: a
# credential of 10,000 statements needs about 660 kB of signatures.
MAX_STATEMENTS = 10_000
MAX_PROOF_VALUE_CHARS = 1_000_000

BASE_PROOF_SENTENCE = (
    "This is the holder's own copy of the credential (an ecdsa-sd-2023 base proof). An issuer gives that "
    "copy to the holder only; what a verifier checks is the proof the holder derives from it, disclosing "
    "what they choose to share (W3C vc-di-ecdsa 1.0 §3.6.5). Ask the holder to share it again from their "
    "wallet, which derives that proof")


@dataclass(frozen=True)
class SdBaseProofKey:
    """What an issuer signs a base proof with (vc-di-ecdsa 1.0 §3.6.2, §3.6.5).

    ``mandatory_pointers`` (RFC 6901) name what every derived proof must disclose. ``hmac_key``
    and ``proof_key`` are fresh for each proof unless given (the spec's test vectors fix them).
    """

    issuer_key: ec.EllipticCurvePrivateKey
    mandatory_pointers: tuple[str, ...] = ()
    hmac_key: bytes | None = None
    proof_key: ec.EllipticCurvePrivateKey | None = None


@dataclass(frozen=True)
class BaseProofValue:
    """§3.5.3 parseBaseProofValue."""

    base_signature: bytes
    public_key: bytes
    hmac_key: bytes
    signatures: tuple[bytes, ...]
    mandatory_pointers: tuple[str, ...]


@dataclass(frozen=True)
class DerivedProofValue:
    """§3.5.8 parseDerivedProofValue; ``label_map`` decompressed (§3.5.6): ``c14nN`` -> ``u…``."""

    base_signature: bytes
    public_key: bytes
    signatures: tuple[bytes, ...]
    label_map: dict[str, str]
    mandatory_indexes: tuple[int, ...]


# -- ES256 -------------------------------------------------------------------------------------------


def _sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    der = key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _verify(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _multikey_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    """§3.6.5: the p256-pub multicodec header (0x1200 as a varint) + the compressed point."""
    return P256_PUB + key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


def _proof_scoped_key(raw: bytes) -> ec.EllipticCurvePublicKey:
    if len(raw) != 35 or raw[:2] != P256_PUB:
        raise MalformedError("the proof-scoped key is not a compressed P-256 multikey")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
    except ValueError:
        raise MalformedError("the proof-scoped key is not a point on P-256") from None


def _require_p256(key: Any, what: str) -> None:
    if not isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        raise MalformedError(f"ecdsa-sd-2023 needs an ECDSA {what}")
    if not isinstance(key.curve, ec.SECP256R1):
        # §3.5.8: a derived proof's base signature is 64 bytes, a P-256 signature.
        raise UnsupportedProofError(f"ecdsa-sd-2023 with a {key.curve.name} key is not something Satchel can check")


# -- proof values (§3.5.2, §3.5.3, §3.5.5-§3.5.8) ----------------------------------------------------


def _decode_components(proof_value: Any) -> tuple[bytes, Any]:
    """The 3-byte header and the CBOR array after it, within the bounds above."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise MalformedError("an ecdsa-sd-2023 proofValue is multibase base64url (it starts with 'u')")
    if len(proof_value) > MAX_PROOF_VALUE_CHARS:
        raise MalformedError(f"the proofValue is {len(proof_value):,} characters long, more than any credential "
                             f"of {MAX_STATEMENTS:,} statements needs")
    raw = b64url_decode(proof_value[1:])
    if raw[:3] not in (BASE_HEADER, DERIVED_HEADER):
        raise MalformedError("the proofValue is not an ecdsa-sd-2023 base or derived proof (unknown header)")
    try:
        components = cbor2.loads(raw[3:])
    except (cbor2.CBORDecodeError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise MalformedError(f"the proofValue is not well-formed CBOR ({exc})") from None
    if not isinstance(components, list) or len(components) != 5:
        raise MalformedError("the proofValue is not the array of five components ecdsa-sd-2023 defines")
    return raw[:3], components


def _byte_strings(value: Any, size: int, what: str) -> tuple[bytes, ...]:
    if not isinstance(value, list) or len(value) > MAX_STATEMENTS:
        raise MalformedError(f"the proof's {what} are not a list of at most {MAX_STATEMENTS:,}")
    if not all(isinstance(v, bytes) and len(v) == size for v in value):
        raise MalformedError(f"the proof's {what} are not all {size}-byte values")
    return tuple(value)


def _byte_string(value: Any, size: int, what: str) -> bytes:
    if not isinstance(value, bytes) or len(value) != size:
        raise MalformedError(f"the proof's {what} is not a {size}-byte value")
    return value


def parse_base_proof_value(proof_value: Any) -> BaseProofValue:
    """§3.5.3 parseBaseProofValue."""
    header, parts = _decode_components(proof_value)
    if header != BASE_HEADER:
        raise MalformedError("this is a derived ecdsa-sd-2023 proof, not a base proof a holder can derive from")
    pointers = parts[4]
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise MalformedError("the base proof's mandatory pointers are not a list of JSON pointers")
    check_pointers(pointers)
    return BaseProofValue(_byte_string(parts[0], 64, "base signature"), _byte_string(parts[1], 35, "proof-scoped key"),
                          _byte_string(parts[2], 32, "HMAC key"), _byte_strings(parts[3], 64, "signatures"),
                          tuple(pointers))


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    """§3.5.8 parseDerivedProofValue: a 64-byte base signature, a 35-byte compressed P-256
    multikey, 64-byte signatures, a map of integers to 32-byte HMAC labels, integer indexes.

    A base proof is refused with :data:`BASE_PROOF_SENTENCE` (UnsupportedProofError: nothing
    wrong with it, but it is not for a verifier to check)."""
    header, parts = _decode_components(proof_value)
    if header == BASE_HEADER:
        raise UnsupportedProofError(BASE_PROOF_SENTENCE)
    labels, indexes = parts[3], parts[4]
    if not isinstance(labels, dict) or len(labels) > MAX_STATEMENTS or not all(
            isinstance(k, int) and k >= 0 and isinstance(v, bytes) and len(v) == 32 for k, v in labels.items()):
        raise MalformedError("the proof's label map is not a map of canonical labels to 32-byte HMAC labels")
    if not isinstance(indexes, list) or len(indexes) > MAX_STATEMENTS or not all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes):
        raise MalformedError("the proof's mandatory indexes are not a list of statement numbers")
    return DerivedProofValue(
        _byte_string(parts[0], 64, "base signature"), _byte_string(parts[1], 35, "proof-scoped key"),
        _byte_strings(parts[2], 64, "signatures"),
        {f"c14n{k}": "u" + b64url_encode(v) for k, v in labels.items()},  # §3.5.6 decompressLabelMap
        tuple(indexes))


def serialize_base_proof_value(value: BaseProofValue) -> str:
    """§3.5.2 serializeBaseProofValue (CBOR, untagged components)."""
    components = [value.base_signature, value.public_key, value.hmac_key, list(value.signatures),
                  list(value.mandatory_pointers)]
    return "u" + b64url_encode(BASE_HEADER + cbor2.dumps(components))


def _compress_label_map(label_map: Mapping[str, str]) -> dict[int, bytes]:
    """§3.5.5 compressLabelMap: ``c14nN`` -> N, ``u…`` -> the HMAC bytes."""
    return {int(k[4:]): b64url_decode(v[1:]) for k, v in label_map.items()}


def serialize_derived_proof_value(value: DerivedProofValue) -> str:
    """§3.5.7 serializeDerivedProofValue."""
    components = [value.base_signature, value.public_key, list(value.signatures),
                  _compress_label_map(value.label_map), list(value.mandatory_indexes)]
    return "u" + b64url_encode(DERIVED_HEADER + cbor2.dumps(components))


# -- the issuer: base proof (§3.6.1-§3.6.5) --------------------------------------------------------


def _proof_hash(unsecured: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
    """§3.6.3 / §3.6.4: SHA-256 of the canonical proof configuration, with the document's @context."""
    return hashlib.sha256(rdfc(proof_config(unsecured, proof, "proofValue"))).digest()


def create_proof(unsecured: Mapping[str, Any], key: SdBaseProofKey | ec.EllipticCurvePrivateKey,
                 options: ProofOptions) -> dict[str, Any]:
    """§3.6.1 Create Base Proof. ``key`` is a :class:`SdBaseProofKey` (or the issuer's P-256 key
    alone: nothing mandatory)."""
    sd_key = key if isinstance(key, SdBaseProofKey) else SdBaseProofKey(key)
    _require_p256(sd_key.issuer_key, "key")
    hmac_key = sd_key.hmac_key if sd_key.hmac_key is not None else secrets.token_bytes(32)
    if len(hmac_key) != 32:
        raise ValueError("the HMAC key is 32 bytes (RFC 2104: the digest size of SHA-256; §3.6.2)")
    proof = options_to_proof(options, PROOF_TYPE, CRYPTOSUITE)
    # §3.6.2 Base Proof Transformation: canonical statements, HMAC labels, grouped.
    mandatory_pointers = list(sd_key.mandatory_pointers)
    grouped = canonicalize_and_group(unsecured, hmac_label_map_factory(hmac_key), {"mandatory": mandatory_pointers})
    group = grouped.groups["mandatory"]
    # §3.6.5 Base Proof Serialization.
    proof_key = sd_key.proof_key or ec.generate_private_key(ec.SECP256R1())
    public_key = _multikey_bytes(proof_key.public_key())
    signatures = tuple(_sign(proof_key, nq.encode("utf-8")) for nq in group.non_matching.values())
    to_sign = _proof_hash(unsecured, proof) + public_key + hash_mandatory(list(group.matching.values()))
    base = BaseProofValue(_sign(sd_key.issuer_key, to_sign), public_key, hmac_key, signatures,
                          tuple(mandatory_pointers))
    proof["proofValue"] = serialize_base_proof_value(base)
    return proof


# -- the holder: derived proof (§3.5.4, §3.6.6) ------------------------------------------------------


def _sd_proof_of(document: Mapping[str, Any]) -> dict[str, Any]:
    proofs = document.get("proof")
    candidates = [p for p in (proofs if isinstance(proofs, list) else [proofs])
                  if isinstance(p, dict) and p.get("type") == PROOF_TYPE and p.get("cryptosuite") == CRYPTOSUITE]
    if len(candidates) != 1:
        raise MalformedError("the credential has no ecdsa-sd-2023 proof to derive from" if not candidates
                             else "the credential has more than one ecdsa-sd-2023 proof")
    return candidates[0]


def has_sd_base_proof(document: Mapping[str, Any]) -> bool:
    """Whether ``document`` carries an ecdsa-sd-2023 *base* proof (the holder's copy)."""
    proofs = document.get("proof")
    for p in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(p, dict) and p.get("cryptosuite") == CRYPTOSUITE:
            value = p.get("proofValue")
            try:
                if isinstance(value, str) and value.startswith("u") and b64url_decode(value[1:5]) == BASE_HEADER:
                    return True
            except MalformedError:
                continue
    return False


def _relative_mandatory_indexes(combined: Sequence[int], mandatory: Mapping[int, str]) -> tuple[int, ...]:
    """§3.5.4 step 8: each mandatory statement's position among the disclosed ones."""
    return tuple(relative for relative, absolute in enumerate(combined) if absolute in mandatory)


def _filtered_signatures(signatures: Sequence[bytes], mandatory: Mapping[int, str],
                         selective: Mapping[int, str]) -> tuple[bytes, ...]:
    """§3.5.4 step 9: the signatures of the selectively disclosed statements; the signatures
    follow the statements in order, the mandatory ones skipped."""
    out = []
    index = 0
    for signature in signatures:
        while index in mandatory:
            index += 1
        if index in selective:
            out.append(signature)
        index += 1
    return tuple(out)


def _verifier_label_map(combined_quads: list[Quad], label_map: Mapping[str, str]) -> dict[str, str]:
    """§3.5.4 steps 11-13: the canonical labels a verifier will give the revealed document's
    blank nodes -> the HMAC labels they were signed under."""
    return {c14n[2:]: label_map[inp[2:]] for inp, c14n in canonical_id_map(combined_quads).items()}


def derive_proof(document: Mapping[str, Any], selective_pointers: Sequence[str]) -> dict[str, Any]:
    """§3.6.6 Add Derived Proof: the document reduced to its mandatory statements and those the
    ``selective_pointers`` select, with a derived proof that discloses exactly those."""
    proof = _sd_proof_of(document)
    base = parse_base_proof_value(proof.get("proofValue"))
    unsecured = without_proof(document)
    mandatory_pointers = list(base.mandatory_pointers)
    combined_pointers = mandatory_pointers + list(selective_pointers)
    grouped = canonicalize_and_group(unsecured, hmac_label_map_factory(base.hmac_key), {
        "mandatory": mandatory_pointers, "selective": list(selective_pointers), "combined": combined_pointers})
    mandatory, selective, combined = (grouped.groups[n] for n in ("mandatory", "selective", "combined"))
    if len(base.signatures) != len(mandatory.non_matching):
        raise MalformedError(f"the base proof has {len(base.signatures)} signatures for "
                             f"{len(mandatory.non_matching)} statements that are not mandatory: it is not "
                             "this credential's proof")
    derived = DerivedProofValue(
        base.base_signature, base.public_key,
        _filtered_signatures(base.signatures, mandatory.matching, selective.matching),
        _verifier_label_map(combined.deskolemized, grouped.label_map),
        _relative_mandatory_indexes(list(combined.matching), mandatory.matching))
    reveal = select_json_ld(combined_pointers, unsecured) or {"@context": unsecured.get("@context")}
    reveal["proof"] = {**proof, "proofValue": serialize_derived_proof_value(derived)}
    return reveal


def every_claim_pointers(document: Mapping[str, Any]) -> list[str]:
    """One JSON pointer per top-level property but ``@context`` and ``proof`` (RFC 6901 §3 escapes):
    with them a derived proof discloses everything the credential says."""
    return ["/" + k.replace("~", "~0").replace("/", "~1") for k in document if k not in ("@context", "proof")]


def derive_selective_disclosure(credential: Mapping[str, Any], pointers: Sequence[str] | None = None) -> dict[str, Any]:
    """The credential as its holder shares it: a derived ecdsa-sd-2023 proof (§3.6.6) that discloses
    what the issuer made mandatory and what ``pointers`` (RFC 6901) select; every claim when None.
    Raises MalformedError when the credential has no base proof or a pointer names nothing."""
    return derive_proof(credential, every_claim_pointers(credential) if pointers is None else pointers)


# -- the verifier: derived proof (§3.5.9, §3.6.7) --------------------------------------------------


def verify_proof(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any) -> bool:
    """§3.6.7 Verify Derived Proof. A base proof raises UnsupportedProofError with
    :data:`BASE_PROOF_SENTENCE`; a proof that cannot be read raises MalformedError."""
    _require_p256(public_key, "key")
    check_context_prefix(unsecured, proof)
    derived = parse_derived_proof_value(proof.get("proofValue"))
    # §3.5.9 createVerifyData
    proof_hash = _proof_hash(unsecured, proof)
    nquads = canonicalize_document(unsecured, given_label_map_factory(derived.label_map))
    wanted = set(derived.mandatory_indexes)
    if any(i >= len(nquads) for i in wanted):
        raise MalformedError(f"the proof names mandatory statements the credential does not have "
                             f"({len(nquads)} statements)")
    mandatory = [nq for i, nq in enumerate(nquads) if i in wanted]
    non_mandatory = [nq for i, nq in enumerate(nquads) if i not in wanted]
    if len(derived.signatures) != len(non_mandatory):
        raise MalformedError(f"the proof has {len(derived.signatures)} signatures for {len(non_mandatory)} "
                             "disclosed statements: statements were added or removed after it was made")
    scoped_key = _proof_scoped_key(derived.public_key)
    to_verify = proof_hash + derived.public_key + hash_mandatory(mandatory)
    verified = _verify(public_key, derived.base_signature, to_verify)
    for signature, nq in zip(derived.signatures, non_mandatory, strict=True):
        verified = _verify(scoped_key, signature, nq.encode("utf-8")) and verified
    return verified

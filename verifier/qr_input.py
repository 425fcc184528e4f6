"""The verifier's reader for QR inputs: a picture of a QR code (PNG/JPEG/WebP), or the text it
holds: a Satchel ``SV1:`` presentation code, a share link (``/s#vp=`` / ``#vc=`` / ``#r=&k=``), or
anything else the engine reads (a URL, a JWT, JSON).

``SV1:`` = ``"SV1:" + base45(zlib(UTF-8 JSON object))`` (RFC 9285, RFC 1950; zlib with the preset
dictionary below, named in the stream by its Adler-32, RFC 1950 §2.2). The format is defined in
the wallet's ``wallet/share/qrcodec.py``; the apps do not import each other, so this module
carries its own copy of the decoder and of the dictionary (a test checks the copies are
identical, byte for byte). They belong in the engine as the one shared copy.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from .links import LinkError, decode_link

__all__ = ["DICTIONARY_V1", "PREFIX", "QrInput", "QrInputError", "b45decode", "decode_qr_image", "decode_sv1",
           "read_qr_input", "verifiable_input"]

PREFIX = "SV1:"
MAX_DECODED_BYTES = 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"  # RFC 9285 §4.2
_B45_VALUES = {c: i for i, c in enumerate(_B45)}

# A copy of wallet/share/qrcodec.py's dictionary: never edit one without the other.
_DICTIONARY_PARTS = (
    '"endorsement":[', '"endorsementJwt":[', '"refreshService":{"id":"', '"type":"1EdTechCredentialRefresh"}',
    '"credentialSchema":[{"id":"', '"type":"1EdTechJsonSchemaValidator2019"}]', '"termsOfUse":',
    '"evidence":[{"id":"', '"type":["Evidence"],"narrative":"', '"genre":"', '"audience":"',
    '"result":[{"type":["Result"],"resultDescription":"', '"status":"Completed"', '"achievedLevel":"',
    '"value":"', '"resultDescription":[{"id":"', '"type":["ResultDescription"],"name":"',
    '"resultType":"Status"', '"allowedValue":[', '"requiredLevel":"', '"rubricCriterionLevel":[',
    '"alignment":[{"type":["Alignment"],"targetName":"', '"targetUrl":"', '"targetFramework":"',
    '"targetCode":"', '"targetType":"ext:', '"targetDescription":"', '"tag":["', '"humanCode":"',
    '"fieldOfStudy":"', '"specialization":"', '"creditsAvailable":', '"creditsEarned":',
    '"inLanguage":"en"', '"version":"', '"image":{"id":"', '"type":"Image","caption":"',
    '"data:image/png;base64,', '"data:image/svg+xml;base64,', '"creator":{"id":"',
    '"achievementType":"Competency"', '"achievementType":"Badge"', '"achievementType":"Certificate"',
    '"criteria":{"id":"', '#criteria","narrative":"', '"description":"', '"url":"https://', '"email":"',
    '"phone":"', '"credentialStatus":[{"id":"',
    '"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"',
    '"statusListCredential":"',
    '"type":"BitstringStatusListEntry","statusPurpose":"suspension","statusListIndex":"',
    '"type":"1EdTechRevocationList"', '"validFrom":"20', '"validUntil":"20', '"issuanceDate":"20',
    '"expirationDate":"20', '"awardedDate":"20', '"issuer":{"id":"did:web:', '"type":["Profile"],"name":"',
    '"identifier":[{"type":"IdentityObject","hashed":false,"identityHash":"', '"identityType":"',
    '"credentialSubject":{"id":"did:key:z6Mk', '"type":["AchievementSubject"],"achievement":{"id":"',
    '"type":["Achievement"],',
    '{"@context":["https://www.w3.org/2018/credentials/v1","https://purl.imsglobal.org/spec/ob/v3p0/'
    'context-3.0.3.json","https://w3id.org/security/suites/ed25519-2020/v1"],',
    '"proof":{"type":"Ed25519Signature2020","created":"20', '"id":"urn:uuid:',
    '"type":["VerifiableCredential","OpenBadgeCredential"],',
    '"type":["VerifiableCredential","EndorsementCredential"],', '"type":["VerifiableCredential","ClrCredential"],',
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/'
    'context-3.0.3.json"],',
    '"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,eyJ',
    '"type":"EnvelopedVerifiablePresentation","id":"data:application/vp+jwt,eyJ',
    '"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022","created":"20',
    '"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","created":"20',
    '","verificationMethod":"did:web:', '"proofPurpose":"assertionMethod","proofValue":"z',
    '{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"],'
    '"holder":"did:key:z6Mk', '","verifiableCredential":[', '"verificationMethod":"did:key:z6Mk',
    '"proofPurpose":"authentication","challenge":"', '","domain":"', '","proofValue":"z',
)
DICTIONARY_V1 = "".join(_DICTIONARY_PARTS).encode("utf-8")
_DICTIONARIES = {zlib.adler32(DICTIONARY_V1): DICTIONARY_V1}


class QrInputError(ValueError):
    """Not a readable QR input, with the reason."""


@dataclass(frozen=True)
class QrInput:
    """What a QR input held. ``kind``: ``vp`` / ``vc`` (a document to verify, from ``SV1:`` or an
    inline link), ``relay`` (a relay link: ``relay_id`` and ``key`` to fetch and open), ``text``
    (anything else: hand ``text`` to the engine as it is)."""

    kind: Literal["vp", "vc", "relay", "text"]
    text: str
    document: dict[str, Any] | None = None
    relay_id: str | None = None
    key: bytes | None = None


def b45decode(text: str) -> bytes:
    """RFC 9285 §4.2, refusing what the RFC says a decoder must refuse."""
    try:
        values = [_B45_VALUES[c] for c in text]
    except KeyError as exc:
        raise QrInputError(f"{exc.args[0]!r} is not a base45 character") from None
    if len(values) % 3 == 1:
        raise QrInputError("base45 text cannot be 1 more than a multiple of 3 characters long")
    out = bytearray()
    for i in range(0, len(values) - 2, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise QrInputError("a base45 triple above 65535")
        out += n.to_bytes(2, "big")
    if len(values) % 3 == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise QrInputError("a base45 pair above 255")
        out.append(n)
    return bytes(out)


def _inflate(data: bytes) -> bytes:
    if len(data) < 2 or (data[0] * 256 + data[1]) % 31 or data[0] & 0x0F != 8:
        raise QrInputError("the payload is not zlib data (RFC 1950 header)")
    zdict = b""
    if data[1] & 0x20:
        found = _DICTIONARIES.get(int.from_bytes(data[2:6], "big")) if len(data) >= 6 else None
        if found is None:
            raise QrInputError("the payload was compressed with a dictionary this version does not know")
        zdict = found
    inflater = zlib.decompressobj(zdict=zdict) if zdict else zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_DECODED_BYTES + 1)
    except zlib.error:
        raise QrInputError("the payload is damaged (zlib data does not inflate)") from None
    if len(out) > MAX_DECODED_BYTES or inflater.unconsumed_tail:
        raise QrInputError("the payload is larger than 1 MB once decompressed")
    if not inflater.eof or inflater.unused_data:
        raise QrInputError("the payload is truncated or has bytes after its end")
    return out


def decode_sv1(text: str) -> dict[str, Any]:
    stripped = text.strip()
    if not stripped.upper().startswith(PREFIX):
        raise QrInputError(f"not a Satchel presentation code (no {PREFIX} prefix)")
    try:
        doc = json.loads(_inflate(b45decode(stripped[len(PREFIX):])).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, QrInputError):
            raise
        raise QrInputError("the payload is not UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise QrInputError("the payload is not a JSON object")
    return doc


def _candidates(gray: Any) -> Iterator[Any]:
    """The picture as taken, then versions that help OpenCV with what cameras do to a screen:
    doubled (a dense code far away has modules of 2-3 pixels), sharpened (defocus), binarised
    locally (glare, uneven light) and globally, contrast-equalised."""
    import cv2

    longest = max(gray.shape[:2])
    if longest > 2000:
        scale = 1600 / longest
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    yield gray
    up = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC) if longest <= 1600 else gray
    if up is not gray:
        yield up
    yield cv2.addWeighted(up, 2.0, cv2.GaussianBlur(up, (0, 0), 3), -1.0, 0)
    smooth = cv2.GaussianBlur(up, (5, 5), 0)
    block = max(31, (max(up.shape[:2]) // 40) | 1)
    yield cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 5)
    yield cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    yield cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)
    if longest > 1600:
        return
    # Defocus on small modules: stronger unsharp masks, at 2x and 3x (only frames that failed
    # everything above get this far, so easy frames stay fast).
    yield cv2.addWeighted(up, 4.0, cv2.GaussianBlur(up, (0, 0), 3), -3.0, 0)
    up3 = cv2.resize(gray, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    yield cv2.addWeighted(up3, 2.5, cv2.GaussianBlur(up3, (0, 0), 2.25), -1.5, 0)
    yield cv2.addWeighted(up3, 2.0, cv2.GaussianBlur(up3, (0, 0), 4.5), -1.0, 0)
    crisp = cv2.GaussianBlur(cv2.addWeighted(up3, 4.0, cv2.GaussianBlur(up3, (0, 0), 4.5), -3.0, 0), (3, 3), 0)
    yield cv2.adaptiveThreshold(crisp, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 41, 2)


def decode_qr_image(image_bytes: bytes) -> str:
    """The text of the QR code in a picture, read with OpenCV (ArUco detector, classic as fallback)."""
    import cv2
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image_bytes)) as probe:
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise QrInputError("the image could not be read as a picture") from None
    if width * height > MAX_IMAGE_PIXELS:
        raise QrInputError(f"the image is too large to scan ({width}x{height} pixels)")
    picture = cv2.imdecode(np.frombuffer(image_bytes, np.uint8), cv2.IMREAD_GRAYSCALE)
    if picture is None:
        raise QrInputError("the image could not be read as a picture")
    detectors = (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector())
    for candidate in _candidates(picture):
        for detector in detectors:
            try:
                text, _points, _straight = detector.detectAndDecode(candidate)
            except cv2.error:
                continue
            if text:
                return str(text)
    raise QrInputError("no QR code could be read in the image")


def _kind(doc: dict[str, Any]) -> Literal["vp", "vc"]:
    types = doc.get("type")
    names = types if isinstance(types, list) else [types]
    return "vp" if "VerifiablePresentation" in names or "EnvelopedVerifiablePresentation" in names else "vc"


def read_qr_input(data: bytes | str) -> QrInput:
    """Read a QR picture (bytes) or the text of a code. Raises QrInputError."""
    text = decode_qr_image(data) if isinstance(data, bytes) else data
    stripped = text.strip()
    if stripped.upper().startswith(PREFIX):
        doc = decode_sv1(stripped)
        return QrInput(_kind(doc), stripped, doc)
    if stripped.startswith(("http://", "https://")) and "#" in stripped:
        try:
            kind, found = decode_link(stripped)
        except LinkError:
            return QrInput("text", stripped)
        if kind == "relay":
            return QrInput("relay", stripped, relay_id=found.relay_id, key=found.key)
        return QrInput("vp" if kind == "vp" else "vc", stripped, found)
    return QrInput("text", stripped)


def verifiable_input(doc: dict[str, Any]) -> dict[str, Any] | str:
    """What to hand the engine's ``verify``: the compact JWT of an enveloped presentation (VCDM 2.0
    §4.13.2; the engine unwraps enveloped credentials but not presentations), else the object."""
    types = doc.get("type")
    names = types if isinstance(types, list) else [types]
    ident = doc.get("id")
    if "EnvelopedVerifiablePresentation" in names and isinstance(ident, str) and ident.startswith("data:") \
            and "," in ident:
        return ident.split(",", 1)[1]
    return doc

"""The self-contained QR payload ``SV1:`` and reading QR codes from pictures.

Format ``SV1`` (Satchel Verifiable, version 1)::

    "SV1:" + base45( zlib( UTF-8 minified JSON object ) )

* The JSON object is a ``VerifiablePresentation``, a single credential, or, for JWTs, their
  VCDM 2.0 §4.13 enveloped forms (``EnvelopedVerifiablePresentation`` /
  ``EnvelopedVerifiableCredential`` with a ``data:application/vp+jwt,…`` id).
* zlib is RFC 1950 around raw deflate (RFC 1951), as the EU DCC ``HC1:`` code uses
  (eu-dcc-hcert-spec, "Transport Encodings › Barcode › Payload (CWT) Compression").
  Encoders use the preset dictionary :data:`DICTIONARY_V1` (RFC 1950 §2.2, FDICT): the
  contexts, types and property names every Open Badge and Data Integrity proof repeats, which
  saves about a quarter of the bytes of a typical Open Badge 3.0 presentation. The stream
  names its dictionary by Adler-32 (DICTID); a stream without FDICT is read too.
* base45 is RFC 9285, so the text is in the QR alphanumeric alphabet and the code is made in
  alphanumeric mode (ISO/IEC 18004 §7.4.4), as the hcert spec does for ``HC1:``. Why base45
  rather than base64: alphanumeric mode packs two of its 45 characters into 11 bits, so base45
  costs 8.25 bits a byte against 10.7 for base64 in byte mode (RFC 9285 §1).
* The prefix works like ``HC1:``: a later, incompatible version is ``SV2:``. CBOR-LD ``VP1-`` /
  ``VC1-`` codes (Digital Credentials Consortium, vpqr) are read by ``credentials._formats.cborld``.

This is the one copy of the format: the wallet encodes with it (and renders the symbol), the
verifier and ``satchel-verify`` decode with it. The codec never changes the JSON's content, only
its whitespace (Data Integrity canonicalises; JWTs travel as their text).
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Mapping
from typing import Any

from .._encoding import inflate_bounded
from .._errors import MalformedError

__all__ = [
    "ALPHABET", "Base45Error", "DICTIONARY_V1", "MAX_DECODED_BYTES", "PREFIX", "QrDecodeError",
    "MAX_SEARCH_WORK", "SearchWork", "b45decode", "b45encode", "compact_json", "decode_qr_image",
    "decode_qr_text", "encode_qr_text", "looks_like_qr_text",
]

PREFIX = "SV1:"
MAX_DECODED_BYTES = 1024 * 1024  # a zlib bomb stops here; a QR holds under 3 KB compressed
MAX_IMAGE_PIXELS = 40_000_000


class QrDecodeError(MalformedError, ValueError):
    """Text or an image that holds no readable QR payload, with the reason."""


# -- base45 (RFC 9285) ---------------------------------------------------------------------------
# §4: two bytes a, b make n = a * 256 + b, written as three characters c, d, e with
# n = c + d * 45 + e * 45² (least significant first); a lone last byte makes two characters.
# §4.2: a decoder refuses a character outside the alphabet, a triple above 65535, a pair above
# 255, and a length that leaves one character over.

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"  # RFC 9285 §4.2, Table 1
_VALUES = {c: i for i, c in enumerate(ALPHABET)}


class Base45Error(MalformedError, ValueError):
    """Text that is not base45 (RFC 9285 §4.2 says a decoder MUST refuse it)."""


def b45encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_VALUES[c] for c in text]
    except KeyError as exc:
        raise Base45Error(f"{exc.args[0]!r} is not a base45 character") from None
    if len(values) % 3 == 1:
        raise Base45Error("base45 text cannot be 1 more than a multiple of 3 characters long")
    out = bytearray()
    for i in range(0, len(values) - 2, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise Base45Error("a base45 triple above 65535")
        out += n.to_bytes(2, "big")
    if len(values) % 3 == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise Base45Error("a base45 pair above 255")
        out.append(n)
    return bytes(out)


# -- the SV1 payload -------------------------------------------------------------------------

# Frozen forever once published: changing one byte changes its Adler-32 and old codes would no
# longer open. Deflate finds matches up to 32 KiB back, and nearer ones cost fewer bits, so the
# most frequent strings come last. Vocabulary from VCDM 2.0 §4, OB 3.0 §B (the 3.0.3 context),
# VC Data Integrity §2.1 and Bitstring Status List §2.1; no credential's own content.
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



def compact_json(doc: Mapping[str, Any]) -> bytes:
    """Minified UTF-8 JSON, keys in their original order (a proof never depends on whitespace)."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _deflate(raw: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY_V1)
    return packer.compress(raw) + packer.flush()


def encode_qr_text(doc: Mapping[str, Any]) -> str:
    """``SV1:`` text of a JSON object (see the module docstring)."""
    if not isinstance(doc, Mapping):
        raise TypeError("a QR payload is a JSON object (a presentation or a credential)")
    return PREFIX + b45encode(_deflate(compact_json(doc)))


def looks_like_qr_text(text: str) -> bool:
    return text.strip()[:4].upper() in (PREFIX, "VP1-", "VC1-")


def _inflate(data: bytes) -> bytes:
    if len(data) < 2 or (data[0] * 256 + data[1]) % 31 or data[0] & 0x0F != 8:
        raise QrDecodeError("the payload is not zlib data (RFC 1950 header)")
    zdict = b""
    if data[1] & 0x20:  # FDICT: the dictionary's Adler-32 follows the header (RFC 1950 §2.2)
        if len(data) < 6:
            raise QrDecodeError("the payload is truncated")
        found = _DICTIONARIES.get(int.from_bytes(data[2:6], "big"))
        if found is None:
            raise QrDecodeError("the payload was compressed with a dictionary this version does not know")
        zdict = found
    return inflate_bounded(data, MAX_DECODED_BYTES, zdict=zdict, trailing=False, error=QrDecodeError)


def decode_qr_text(text: str) -> dict[str, Any]:
    """The JSON object of an ``SV1:`` text. Raises :class:`QrDecodeError` with the reason."""
    stripped = text.strip()
    if not stripped.upper().startswith(PREFIX):
        if stripped[:4].upper() in ("VP1-", "VC1-"):  # cborld builds on this module, so it reads them
            raise QrDecodeError("It is a CBOR-LD QR code (VP1-/VC1-, the Digital Credentials Consortium's "
                                "wallet): decode_vpqr_text reads it, not the SV1: decoder")
        raise QrDecodeError(f"not a Satchel presentation code (it does not start with {PREFIX})")
    try:
        raw = _inflate(b45decode(stripped[len(PREFIX):]))
    except Base45Error as exc:
        raise QrDecodeError(f"the payload is not base45: {exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise QrDecodeError("the payload is not UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise QrDecodeError("the payload is not a JSON object")
    return doc


# -- reading a code from a picture --------------------------------------------------------------

# What one detector call costs, per pixel of the picture it looks at: OpenCV's classic detector
# takes about three times as long as the ArUco-based one, and both are slowest on noise (every
# speck a candidate finder pattern: 0.1 and 0.28 s per megapixel on this 2-core machine).
_COST = {"aruco": 1, "classic": 3}
# The whole search of one picture: under 2 s of noise on this machine (bench/hostile.py). A real
# photo whose code is found is searched on a crop around it, so the budget rarely bites on it.
MAX_SEARCH_WORK = 40_000_000


class SearchWork:
    """The work a picture search may do, in weighted pixels (see ``_COST``); counted, so tests
    can assert the bound without timing anything."""

    __slots__ = ("limit", "skipped", "used")

    def __init__(self, limit: int = MAX_SEARCH_WORK) -> None:
        self.limit = limit
        self.used = 0
        self.skipped = 0

    def take(self, amount: int) -> bool:
        if self.used + amount > self.limit:
            self.skipped += 1
            return False
        self.used += amount
        return True


def _ladder(cv2: Any) -> list[tuple[float, Any]]:
    """The versions of the picture to try, cheapest and likeliest first, as (scale, make):
    as taken; doubled (a dense code far away has modules of 2-3 pixels); sharpened (defocus);
    binarised locally (glare, uneven light) and globally; contrast-equalised; then, for what
    failed all that, stronger unsharp masks at 2x and 3x."""

    def up2(g: Any) -> Any:
        return cv2.resize(g, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)

    def up3(g: Any) -> Any:
        return cv2.resize(g, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)

    def adaptive(g: Any) -> Any:
        smooth = cv2.GaussianBlur(g, (5, 5), 0)
        block = max(31, (max(g.shape[:2]) // 40) | 1)
        return cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 5)

    def otsu(g: Any) -> Any:
        return cv2.threshold(cv2.GaussianBlur(g, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]

    def unsharp(g: Any, amount: float, sigma: float) -> Any:
        return cv2.addWeighted(g, amount, cv2.GaussianBlur(g, (0, 0), sigma), 1.0 - amount, 0)

    def crisp(g: Any) -> Any:
        sharp = cv2.GaussianBlur(unsharp(g, 4.0, 4.5), (3, 3), 0)
        return cv2.adaptiveThreshold(sharp, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 41, 2)

    return [
        (1, lambda g: g),
        (2, up2),
        (2, lambda g: unsharp(up2(g), 2.0, 3)),
        (2, lambda g: adaptive(up2(g))),
        (2, lambda g: otsu(up2(g))),
        (1, lambda g: cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(g)),
        (2, lambda g: unsharp(up2(g), 4.0, 3)),
        (3, lambda g: unsharp(up3(g), 2.5, 2.25)),
        (3, lambda g: unsharp(up3(g), 2.0, 4.5)),
        (3, lambda g: crisp(up3(g))),
    ]


def _region(points: Any, scale: float, shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1) in the base picture around a detected code, with a quiet-zone margin."""
    import numpy as np

    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2) / scale
    if pts.size == 0 or not np.isfinite(pts).all():
        return None
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    margin = 0.12 * max(x1 - x0, y1 - y0) + 8
    h, w = shape[:2]
    box = (max(0, int(x0 - margin)), max(0, int(y0 - margin)), min(w, int(x1 + margin) + 1),
           min(h, int(y1 + margin) + 1))
    if box[2] - box[0] < 21 or box[3] - box[1] < 21:  # smaller than a version-1 code
        return None
    return box


_UNREADABLE_PICTURE = "the image could not be read as a picture (PNG, JPEG, WebP or similar)"


def _read_picture(image_bytes: bytes) -> Any:
    """The picture in grey, its longest side brought down to 1600 pixels when over 2000."""
    import cv2
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image_bytes)) as probe:
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise QrDecodeError(_UNREADABLE_PICTURE) from None
    if width * height > MAX_IMAGE_PIXELS:
        raise QrDecodeError(f"the image is too large to scan ({width}×{height} pixels)")
    picture = cv2.imdecode(np.frombuffer(image_bytes, np.uint8), cv2.IMREAD_GRAYSCALE)
    if picture is None:
        raise QrDecodeError(_UNREADABLE_PICTURE)
    longest = max(picture.shape[:2])
    if longest > 2000:
        picture = cv2.resize(picture, None, fx=1600 / longest, fy=1600 / longest, interpolation=cv2.INTER_AREA)
    return picture


class _LadderSearch:
    """One picture's search: the base picture (cropped to the code once one is located) and its work."""

    __slots__ = ("base", "cv2", "located", "work")

    def __init__(self, cv2: Any, picture: Any, work: SearchWork) -> None:
        self.cv2 = cv2
        self.base = picture
        self.located = False
        self.work = work

    def _locate(self, points: Any, scale: float) -> None:
        """Crop the base picture around the first code a detector found but could not read."""
        if self.located or points is None:
            return
        box = _region(points, scale, self.base.shape)
        if box is not None:
            self.located = True
            self.base = self.base[box[1]:box[3], box[0]:box[2]]

    def try_step(self, scale: float, make: Any, detectors: tuple[tuple[str, Any], ...]) -> str | None:
        """The code's text read from one ladder step by ``detectors`` in turn, or None.

        Each detector call is charged before it runs, on the base picture as it is then; the
        step's picture is made once, by the first detector the budget allows.
        """
        candidate = None
        for name, detector in detectors:
            if not self.work.take(int(self.base.shape[0] * self.base.shape[1] * scale * scale * _COST[name])):
                continue
            if candidate is None:
                candidate = make(self.base)
            try:
                text, points, _straight = detector.detectAndDecode(candidate)
            except self.cv2.error:
                continue
            if text:
                return str(text)
            self._locate(points, scale)
        return None


def decode_qr_image(image_bytes: bytes, *, work: SearchWork | None = None) -> str:
    """The text of the QR code in a picture (PNG, JPEG, WebP…), read with OpenCV.

    The ArUco-based detector first (it finds dense codes and tilted ones better), the classic
    one as a fallback, over the ladder above. Once a detector has located a code it could not
    read, the rest of the ladder works on a crop around it. Every call is charged to ``work``
    (``MAX_SEARCH_WORK`` by default), so a picture with no code (noise, say) is answered in
    bounded time. Raises :class:`QrDecodeError`.
    """
    import cv2

    picture = _read_picture(image_bytes)
    work = work or SearchWork()
    detectors = (("aruco", cv2.QRCodeDetectorAruco()), ("classic", cv2.QRCodeDetector()))
    search = _LadderSearch(cv2, picture, work)
    for step, (scale, make) in enumerate(_ladder(cv2)):
        if scale > 1 and max(search.base.shape[:2]) * scale > 3200:
            continue  # a picture this large has modules big enough without enlarging it
        # The classic detector reads what ArUco misses only on the first, plain steps (measured
        # on the synthetic camera set); later it would spend three times the work for nothing.
        text = search.try_step(scale, make, detectors if step < 3 else detectors[:1])
        if text is not None:
            return text
    if work.skipped:
        raise QrDecodeError("no QR code could be read in the image (searched as far as Satchel's limit "
                            "allows); hold it steadier, closer, or out of the glare")
    raise QrDecodeError("no QR code could be read in the image; hold it steadier, closer, or out of the glare")

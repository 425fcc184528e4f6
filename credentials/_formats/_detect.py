"""One entry point that reads any input a learner might import and says what it is.

JSON-LD credential / presentation, VC-JWT (OB 3.0 ``vc`` claim or VC-JOSE), OB 2.0 assertion
(JSON, JWS, or a hosted URL), or a baked PNG / SVG holding any of those.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._errors import MalformedError, UnsupportedFormatError
from .cborld import decode_vpqr_text, looks_like_vpqr_text
from .jws import CompactJws, parse_compact_jws
from .qr import decode_qr_image, decode_qr_text, looks_like_qr_text
from .sd_jwt import SdJwt, parse_sd_jwt

if TYPE_CHECKING:
    from .images import BakedData

MAX_INPUT_BYTES = 16 * 1024 * 1024
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_JWS_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")
_SD_JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~([A-Za-z0-9_.-]*~)*[A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class ParsedInput:
    """What an input turned out to be.

    ``format``: ``vc`` (JSON-LD credential), ``vp`` (JSON-LD presentation), ``vc-jwt``,
    ``vp-jwt``, ``sd-jwt`` (in ``sd_jwt``: an SD-JWT, an SD-JWT VC, or a VC-JOSE-COSE
    ``vc+sd-jwt`` / ``vp+sd-jwt``),
    ``ob1`` (a hosted OB 1.0 assertion: ``url`` is its verify.url), ``ob2`` (OB 2.0
    assertion JSON), ``ob2-jws`` (signed OB 2.0), ``ob2-url``
    (a hosted assertion to fetch), ``url``, ``relay`` (a relay share link to fetch and open).
    ``container`` says where it was found (``png``/``svg`` baked, ``qr`` code, share ``link``).
    """

    format: str
    document: dict[str, Any] | None = None
    jws: CompactJws | None = None
    url: str | None = None
    container: str | None = None
    notes: tuple[str, ...] = field(default=())
    key: bytes | None = None  # a relay link's key (format "relay": fetch ``url``, then open it)
    sd_jwt: SdJwt | None = None  # format "sd-jwt": the SD-JWT (RFC 9901), ``jws`` its issuer-signed JWT
    # a Disclosure that ``jws`` does not cover (RFC 9901 §7.1 step 5): its signature counts for nothing
    tampered: str | None = None


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise MalformedError("the JSON is nested too deeply") from None
    except ValueError as exc:
        raise MalformedError(f"not valid JSON: {exc}") from None


def _first_context(doc: dict[str, Any]) -> Any:
    ctx = doc.get("@context")
    return ctx[0] if isinstance(ctx, list) and ctx else ctx


def _contexts(doc: dict[str, Any]) -> list[Any]:
    ctx = doc.get("@context")
    return ctx if isinstance(ctx, list) else [ctx]


def _types(doc: dict[str, Any]) -> list[Any]:
    t = doc.get("type", doc.get("@type", []))
    return t if isinstance(t, list) else [t]


OB1_CONTEXT = "https://w3id.org/openbadges/v1"
OB1_SENTENCE = ("It is a signed Open Badges 1.0 badge (the 2013 format, still found in old backpacks); Satchel "
                "checks hosted 1.0 badges and Open Badges 2.0 and 3.0, not signed 1.0 ones yet, so ask the "
                "issuer for this badge in a current format")


def is_ob1(doc: dict[str, Any]) -> bool:
    """An Open Badges 1.0 assertion (2013-2015): the 1.0 context, or no context with the 1.0
    fields (``uid``, a ``verify`` object) and none of 2.0's."""
    if OB1_CONTEXT in _contexts(doc):
        return True
    return ("@context" not in doc and "Assertion" not in _types(doc)
            and isinstance(doc.get("verify"), dict) and ("uid" in doc or "badge" in doc))


def classify_json(doc: Any, container: str | None = None) -> ParsedInput:
    if not isinstance(doc, dict):
        raise MalformedError("the JSON is not an object")
    if is_ob1(doc):
        # OB 1.0 "Badge Verification": a hosted badge is checked at its verify.url, so that is
        # where it leads (offline: unreachable); what is found there is then named for what it is.
        verify = doc["verify"] if isinstance(doc.get("verify"), dict) else {}
        if str(verify.get("type", "hosted")).lower() == "hosted" and isinstance(verify.get("url"), str):
            return ParsedInput("ob1", url=verify["url"], container=container, document=doc)
        raise UnsupportedFormatError(OB1_SENTENCE)
    if OB2_CONTEXT in _contexts(doc) or "Assertion" in _types(doc) or (
            "recipient" in doc and "badge" in doc):
        return ParsedInput("ob2", document=doc, container=container)
    if "verify" in doc and isinstance(doc.get("verify"), dict) and "@context" not in doc:
        url = doc["verify"].get("url")
        if isinstance(url, str):
            return ParsedInput("ob2-url", url=url, container=container, document=doc)
    if "VerifiablePresentation" in _types(doc):
        return ParsedInput("vp", document=doc, container=container)
    return ParsedInput("vc", document=doc, container=container)


def classify_jws(jws: CompactJws, container: str | None = None) -> ParsedInput:
    try:
        payload = json.loads(jws.payload)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise MalformedError("the JWS payload is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedError("the JWS payload is not a JSON object")
    if "vp" in payload or "VerifiablePresentation" in _types(payload):
        return ParsedInput("vp-jwt", document=payload, jws=jws, container=container)
    if "vc" in payload or _first_context(payload) in (VC_V1, VC_V2):
        return ParsedInput("vc-jwt", document=payload, jws=jws, container=container)
    if OB2_CONTEXT in _contexts(payload) or "recipient" in payload:
        return ParsedInput("ob2-jws", document=payload, jws=jws, container=container)
    raise MalformedError("the JWS does not carry a credential")


def parse_text(text: str, container: str | None = None) -> ParsedInput:
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise MalformedError("the input is empty")
    if looks_like_qr_text(stripped):  # the text of a Satchel QR code (SV1:) or a CBOR-LD one (VP1-)
        read = decode_vpqr_text if looks_like_vpqr_text(stripped) else decode_qr_text
        return classify_json(read(stripped), container or "qr")
    if stripped.startswith(("https://", "http://")) and "#" in stripped:
        link = _parse_share_link(stripped)
        if link is not None:
            return link
    if stripped[0] in "{[":
        return classify_json(_loads(stripped), container)
    if _JWS_RE.match(stripped):
        return classify_jws(parse_compact_jws(stripped), container)
    if _SD_JWT_RE.match(stripped):
        # IETF SD-JWT (RFC 9901 §4): the issuer-signed JWT, then ~-separated disclosures (and a key binding JWT).
        sd_jwt = parse_sd_jwt(stripped)
        return ParsedInput("sd-jwt", document=sd_jwt.payload, jws=sd_jwt.issuer_jwt, container=container,
                           sd_jwt=sd_jwt)
    if re.match(r"^https?://\S+$", stripped):
        return ParsedInput("ob2-url" if container else "url", url=stripped, container=container)
    raise MalformedError("not JSON, a JWT, an image or a URL")


def _parse_share_link(stripped: str) -> ParsedInput | None:
    """A share link (``/s#vp=`` / ``#vc=`` / ``#r=&k=``); None for any other URL."""
    from .share_links import RelayRef, decode_link, is_share_link, relay_fetch_url

    if not is_share_link(stripped):
        return None
    _kind, found = decode_link(stripped)
    if isinstance(found, RelayRef):
        url = relay_fetch_url(stripped, found.relay_id)
        return ParsedInput("relay", url=url, container="link", key=found.key)
    return classify_json(found, "link")


# Leading bytes that may begin a PNG or an SVG (UTF-8, or UTF-16 with a byte-order mark).
_IMAGE_HEADS = (b"\x89PNG", b"<", b"\xff\xfe", b"\xfe\xff")


def _is_photo(data: bytes) -> bool:
    """JPEG, GIF or WebP: a photo or screenshot, never a baked badge."""
    return data[:3] == b"\xff\xd8\xff" or data[:6] in (b"GIF87a", b"GIF89a") \
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _parse_qr_screenshot(data: bytes) -> ParsedInput:
    """A PNG with no baked badge: perhaps a screenshot of a QR code."""
    try:
        text = decode_qr_image(data)
    except MalformedError:
        raise MalformedError("the PNG image holds no baked badge data and no QR code") from None
    return parse_text(text, "qr")


def _parse_baked(baked: BakedData, container: str) -> ParsedInput:
    """What a baked image holds; its OB 2.0 verify URL stands in for a missing or bare URL payload."""
    text = baked.text.strip() if baked.text else ""
    if not text and baked.verify_url:
        return ParsedInput("ob2-url", url=baked.verify_url, container=container)
    parsed = parse_text(text, container)
    if parsed.format == "ob2-url" and parsed.url is None and baked.verify_url:
        return ParsedInput("ob2-url", url=baked.verify_url, container=container)
    return parsed


def _parse_badge_image(data: bytes) -> ParsedInput | None:
    """A baked PNG or SVG (or a PNG screenshot of a QR code); None when ``data`` is neither image."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(_IMAGE_HEADS):
        return None
    # Imported only for images: XML parsing is not needed to start up for JSON or JWTs.
    from .images import is_png, is_svg, unbake

    if not (is_png(data) or is_svg(data)):
        return None
    container = "png" if is_png(data) else "svg"
    try:
        baked = unbake(data)
    except MalformedError as exc:
        if container != "png" or "no baked badge data" not in str(exc):
            raise
        return _parse_qr_screenshot(data)
    return _parse_baked(baked, container)


def parse_input(data: bytes | str) -> ParsedInput:
    """Detect and parse any supported input. Raises :class:`MalformedError` with a clear reason."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_INPUT_BYTES:
        raise MalformedError(f"the input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    if _is_photo(data):
        return parse_text(decode_qr_image(data), "qr")  # a photo or screenshot of a QR code
    image = _parse_badge_image(data)
    if image is not None:
        return image
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedError("not JSON, a JWT or a baked badge image") from None
    return parse_text(text)

"""What the verifier can be given, turned into something the engine verifies.

Text (pasted, scanned from a QR, or read from a photo of one) may be:

* a share link (the engine's format, ``credentials.decode_link``): ``…/s#vp=``, ``…/s#vc=``
  (inline) or ``…/s#r=&k=`` (the encrypted blob is fetched from the relay named by the link and
  opened with the key in the fragment, which never leaves this process);
* the wallet's compact QR payload ``SV1:…`` (zlib + base45, ``credentials.decode_qr_text``), or a
  whole ``UR:SATCHEL-VP/…`` code (``credentials.QrAssembler``: the camera assembles animated ones);
* JSON (a credential or a presentation), or a compact JWT (VC-JWT / VP-JWT);
* an ``https://`` URL of a hosted credential (the engine fetches it under its SSRF rules).

Nothing here verifies; it only says what was given and where it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from credentials import (
    QR_PREFIX,
    SHARE_PATH,
    LinkError,
    MalformedError,
    QrAssembler,
    QrDecodeError,
    RelayRef,
    SatchelError,
    decode_link,
    decode_qr_image,
    decode_qr_text,
    decode_vpqr_text,
    decrypt_from_relay,
    enveloped_jwt,
    is_ur_text,
    parse_compact_jws,
)

__all__ = ["Given", "IntakeError", "jwt_claims", "read_fragment", "read_image", "read_text", "share_fragment",
           "verifiable_input"]

MAX_TEXT = 2 * 1024 * 1024
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class IntakeError(ValueError):
    """Input that is not something the verifier can read; the message says why, plainly."""


@dataclass(frozen=True)
class Given:
    data: dict[str, Any] | str  # parsed JSON, a compact JWT, or a URL for the engine
    how: str  # "share link", "relay link", "compact QR", "JSON", "JWT", "URL"

    @property
    def is_presentation(self) -> bool:
        if isinstance(self.data, dict):
            types = self.data.get("type", [])
            return "VerifiablePresentation" in (types if isinstance(types, list) else [types])
        if isinstance(self.data, str) and _JWS.match(self.data):
            return "vp" in jwt_claims(self.data)
        return False


def jwt_claims(jwt: str) -> dict[str, Any]:
    """The claims of a compact JWT, read by the engine's JWS parser (not verified: verification
    reads it again); ``{}`` when it is not a JWT with a JSON object for a payload."""
    try:
        claims = json.loads(parse_compact_jws(jwt).payload)
    except (SatchelError, ValueError, RecursionError):
        return {}
    return claims if isinstance(claims, dict) else {}


def verifiable_input(doc: dict[str, Any]) -> dict[str, Any] | str:
    """What to hand the engine's ``verify``: the compact JWT of an enveloped presentation or
    credential (VCDM 2.0 §4.13, ``credentials.enveloped_jwt``), else the object as it is."""
    try:
        jwt = enveloped_jwt(doc)
    except MalformedError:
        return doc  # the engine says what is wrong with it
    return jwt if jwt is not None else doc


RelayFetch = Callable[[str], bytes]  # relay blob URL -> bytes


def _relay_url(link: str, ref: RelayRef) -> str:
    parts = urlsplit(link)
    base = parts.path[: -len("/s")] if parts.path.endswith("/s") else parts.path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{base}/relay/{ref.relay_id}"


def read_text(text: str, *, fetch_relay: RelayFetch | None = None) -> Given:
    """What pasted or scanned text holds (see the module docstring); raises :class:`IntakeError`."""
    t = text.strip().strip("\ufeff")
    if not t:
        raise IntakeError("Nothing was given: paste a link, a credential's JSON, or a JWT.")
    if len(t) > MAX_TEXT:
        raise IntakeError("That is larger than 2 MB; no credential is that big.")
    if t.startswith(("http://", "https://")) and "#" in t:
        return _read_link(t, fetch_relay)
    code = _read_qr_code(t)
    if code is not None:
        return code
    if t.startswith("{"):
        return _read_json(t)
    if _JWS.match(t):
        return Given(t, "JWT")
    if t.startswith("https://") and " " not in t:
        return Given(t, "URL")
    if t.startswith("http://"):
        raise IntakeError("Only https:// addresses are fetched (or a Satchel share link).")
    raise IntakeError("That is not a share link, a credential's JSON or a JWT.")


def _read_qr_code(t: str) -> Given | None:
    """The payload of a QR code's own text formats (``SV1:``, ``VP1-``, ``UR:``), or ``None`` for other text."""
    if t[:len(QR_PREFIX)].upper() == QR_PREFIX:
        try:
            return Given(verifiable_input(decode_qr_text(t)), "compact QR")
        except QrDecodeError as exc:
            raise IntakeError(f"That Satchel QR code does not read: {exc}.") from None
    if t[:4].upper() in ("VP1-", "VC1-"):  # the DCC wallet's CBOR-LD code (vpqr)
        try:
            return Given(verifiable_input(decode_vpqr_text(t)), "VP1- QR")
        except QrDecodeError as exc:
            raise IntakeError(f"That CBOR-LD QR code (VP1-) does not read: {exc}.") from None
    if is_ur_text(t):
        return _read_ur(t)
    return None


def _read_ur(text: str) -> Given:
    """A ``UR:SATCHEL-VP/…`` code typed or pasted whole: a single-part one reads at once; one frame
    of an animated code cannot, and the learner is told to scan the loop instead."""
    assembler = QrAssembler()
    try:
        progress = assembler.add(text)
    except QrDecodeError as exc:
        raise IntakeError(f"That animated-QR code does not read: {exc}.") from None
    if not progress.complete or assembler.text is None:
        raise IntakeError(f"That is one frame of an animated QR code (one of {progress.parts_expected}); "
                          "point the camera at the moving code to read them all.")
    return Given(verifiable_input(json.loads(assembler.text)), "animated QR")


def _read_link(link: str, fetch_relay: RelayFetch | None) -> Given:
    """A share link: inline (``#vp=`` / ``#vc=``), or a relay's encrypted copy, fetched and opened."""
    try:
        kind, found = decode_link(link)
    except LinkError as exc:
        raise IntakeError(f"That link is not a Satchel share link Satchel can open: {exc}.") from None
    if kind != "relay":
        return Given(verifiable_input(found), "share link")
    assert isinstance(found, RelayRef)
    if fetch_relay is None:
        raise IntakeError("That link points to a relay, and this verifier is not allowed to fetch it.")
    try:
        blob = fetch_relay(_relay_url(link, found))
    except Exception as exc:  # the relay's failures are the link's problem, said plainly
        raise IntakeError(f"The shared presentation could not be fetched: {exc}") from None
    try:
        return Given(verifiable_input(decrypt_from_relay(blob, found.key)), "relay link")
    except LinkError as exc:
        raise IntakeError(f"The shared presentation does not open: {exc}.") from None


def _read_json(text: str) -> Given:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise IntakeError("That looks like JSON but does not parse; was it cut short?") from None
    if not isinstance(doc, dict):
        raise IntakeError("A credential is a JSON object.")
    return Given(doc, "JSON")


def share_fragment(route: str | None) -> str | None:
    """The share-link fragment in the route the web client reports, or ``None``.

    The web app runs with Flet's "hash" URL strategy, so for an address like
    ``http://127.0.0.1:8560/s#vp=…`` the browser hands the app the part after ``#`` as the route
    (``vp=…``); the server never sees it (RFC 3986 §3.5). With the "path" strategy Flutter drops
    the fragment before the app sees it. A leading ``/`` or ``#`` is tolerated.
    """
    if not route:
        return None
    fragment = route.strip().lstrip("#/")
    names = {part.partition("=")[0] for part in fragment.split("&") if "=" in part}
    if names & {"vp", "vc"} or {"r", "k"} <= names:
        return fragment
    return None


def read_fragment(fragment: str, *, relay_base: str | None = None,
                  fetch_relay: RelayFetch | None = None) -> Given:
    """A share link's fragment (what :func:`share_fragment` found in the app's own address).

    Inline links (``vp=`` / ``vc=``) are decoded here and go nowhere. A relay link's encrypted copy
    lives on the verifier service the wallet made the link for; the app fetches it only from the
    service it was started with (``relay_base``, ``--service``) and opens it with the key in the
    fragment, which never leaves this process.
    """
    if len(fragment) > MAX_TEXT:
        raise IntakeError("That link is larger than 2 MB; no credential is that big.")
    try:
        kind, found = decode_link(f"{SHARE_PATH}#{fragment}")
    except LinkError as exc:
        raise IntakeError(f"The link this page was opened with is not a Satchel share link Satchel can open: "
                          f"{exc}.") from None
    if kind == "relay" and not relay_base:
        raise IntakeError("This link keeps the badge as an encrypted copy on the verifier service it was made "
                          "for. Open it on that service's page, or start this app with --service and that "
                          "service's address.")
    if kind != "relay":  # an inline link: decoded once, here
        return Given(verifiable_input(found), "share link")
    assert relay_base is not None
    return read_text(f"{relay_base.rstrip('/')}{SHARE_PATH}#{fragment}", fetch_relay=fetch_relay)


def read_image(data: bytes, *, fetch_relay: RelayFetch | None = None) -> Given:
    """A photo or screenshot of a QR code."""
    if not data:
        raise IntakeError("The image is empty.")
    try:  # the engine's reader: bounded work, however large the picture
        text = decode_qr_image(data)
    except QrDecodeError:
        raise IntakeError("No QR code could be read in that image. Try a sharper, closer photo.") from None
    return read_text(text, fetch_relay=fetch_relay)

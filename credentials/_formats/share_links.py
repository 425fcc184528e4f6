"""Share links: the one format the wallet writes, the web verifier page (``GET /s``) reads, and
``satchel-verify`` accepts as input (the single copy: ``credentials.decode_link`` and its kin).

A share link is the verifier's page with everything in the URL fragment, which browsers never
send to a server (RFC 3986 §3.5; WHATWG URL "fragment"), so the page's host learns nothing:

    inline:  <base>/s#vp=<base64url(zlib(UTF-8 JSON of a VerifiablePresentation))>
             <base>/s#vc=<base64url(zlib(UTF-8 JSON of a single credential))>
    relay:   <base>/s#r=<relay id>&k=<base64url(32-byte AES-256 key)>

* base64url is RFC 4648 §5 without ``=`` padding; zlib is RFC 1950 (what the browser's
  ``DecompressionStream("deflate")`` reads; the EU DCC ``HC1:`` QR uses the same zlib).
* A relay blob, stored by ``POST /relay`` and read by ``GET /relay/<id>``, is
  ``nonce (12 bytes) || AES-256-GCM(key, nonce, UTF-8 JSON, no AAD) ciphertext+tag``
  (NIST SP 800-38D, 96-bit IV). The key exists only in the wallet and in the fragment.
* Unsharing is authorised by a secret only the wallet keeps: the wallet sends
  ``unshareHash = base64url(SHA-256(UTF-8 secret))`` when storing and later
  ``DELETE /relay/<id>`` with ``Authorization: Bearer <secret>``.
* Links longer than :data:`MAX_INLINE_LINK` characters should go through the relay instead:
  chat and mail clients truncate long URLs, and a QR code cannot hold them.

Fragment parameters are ``&``-separated ``name=value`` pairs; unknown names are ignored, so a
later format adds names rather than changing these.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .._encoding import b64url_decode as _b64url_decode
from .._encoding import b64url_encode, inflate_bounded
from .._errors import MalformedError

__all__ = [
    "KEY_BYTES", "MAX_INLINE_LINK", "NONCE_BYTES", "SHARE_PATH", "LinkError", "RelayRef", "UnshareSecret",
    "b64url_decode", "b64url_encode", "decode_link", "decrypt_from_relay", "encode_inline_link",
    "encrypt_for_relay", "is_share_link", "new_unshare_secret", "relay_fetch_url", "relay_link", "unshare_hash",
]

SHARE_PATH = "/s"
MAX_INLINE_LINK = 8192
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024  # decompressed; a zlib bomb stops here
KEY_BYTES = 32
NONCE_BYTES = 12


class LinkError(MalformedError, ValueError):
    """A link or relay blob that is not in the format above (or does not decrypt)."""


@dataclass(frozen=True)
class RelayRef:
    """Where a relay link points: the blob's id on the relay and the key to open it."""

    relay_id: str
    key: bytes


@dataclass(frozen=True)
class UnshareSecret:
    secret: str  # kept by the wallet only
    hash: str  # sent to the relay with the blob


def b64url_decode(text: str) -> bytes:
    if not text:
        raise LinkError("not base64url")
    return _b64url_decode(text, error=LinkError)


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _json_bytes(doc: dict[str, Any] | str | bytes) -> bytes:
    if isinstance(doc, dict):
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    raw = doc.encode("utf-8") if isinstance(doc, str) else doc
    if not isinstance(_parse_json(raw), dict):
        raise LinkError("a shared document is a JSON object")
    return raw


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise LinkError(f"not JSON: {type(exc).__name__}") from None


def _share_url(base_url: str, fragment: str) -> str:
    return base_url.rstrip("/") + SHARE_PATH + "#" + fragment


def encode_inline_link(base_url: str, vp_json: dict[str, Any] | str | bytes, *, kind: str = "vp") -> str:
    """``<base>/s#vp=…`` (or ``#vc=…`` with ``kind="vc"``). Raises LinkError past MAX_INLINE_LINK."""
    if kind not in ("vp", "vc"):
        raise LinkError("kind is vp or vc")
    packed = b64url_encode(zlib.compress(_json_bytes(vp_json), 9))
    url = _share_url(base_url, f"{kind}={packed}")
    if len(url) > MAX_INLINE_LINK:
        raise LinkError(f"the link would be {len(url)} characters; share it through the relay")
    return url


def relay_link(base_url: str, relay_id: str, key: bytes) -> str:
    return _share_url(base_url, f"r={relay_id}&k={b64url_encode(key)}")


def _inflate(data: bytes) -> bytes:
    return inflate_bounded(data, MAX_PAYLOAD_BYTES, error=LinkError)


def decode_link(url: str) -> tuple[str, Any]:
    """``("vp" | "vc", document)`` for inline links, ``("relay", RelayRef)`` for relay links."""
    fragment = urlsplit(url).fragment
    params: dict[str, str] = {}
    for part in fragment.split("&"):
        name, sep, value = part.partition("=")
        if sep and name not in params:
            params[name] = value
    for kind in ("vp", "vc"):
        if kind in params:
            doc = _parse_json(_inflate(b64url_decode(params[kind])))
            if not isinstance(doc, dict):
                raise LinkError("a shared document is a JSON object")
            return kind, doc
    if "r" in params and "k" in params:
        key = b64url_decode(params["k"])
        if len(key) != KEY_BYTES:
            raise LinkError("a relay key is 32 bytes")
        if not params["r"] or any(c not in _B64URL for c in params["r"]):
            raise LinkError("a relay id is base64url text")
        return "relay", RelayRef(params["r"], key)
    raise LinkError("the link carries no presentation (#vp=, #vc= or #r=&k=)")


def encrypt_for_relay(vp_json: dict[str, Any] | str | bytes) -> tuple[bytes, bytes]:
    """``(nonce || ciphertext+tag, key)`` with a fresh random key, so a nonce is never reused."""
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, _json_bytes(vp_json), None), key


def decrypt_from_relay(ciphertext: bytes, key: bytes) -> dict[str, Any]:
    if len(key) != KEY_BYTES:
        raise LinkError("a relay key is 32 bytes")
    if len(ciphertext) < NONCE_BYTES + 16:
        raise LinkError("the blob is too short to be a relay blob")
    try:
        plain = AESGCM(key).decrypt(ciphertext[:NONCE_BYTES], ciphertext[NONCE_BYTES:], None)
    except InvalidTag:
        raise LinkError("the blob does not open with this key (changed, or another link's key)") from None
    doc = _parse_json(plain)
    if not isinstance(doc, dict):
        raise LinkError("a shared document is a JSON object")
    return doc


def unshare_hash(secret: str) -> str:
    return b64url_encode(hashlib.sha256(secret.encode("utf-8")).digest())


def new_unshare_secret() -> UnshareSecret:
    # 256 random bits: a plain hash is enough, no password-hashing work factor is needed.
    secret = secrets.token_urlsafe(32)
    return UnshareSecret(secret, unshare_hash(secret))


def is_share_link(text: str) -> bool:
    """Whether ``text`` is a share link (an http(s) URL whose fragment carries vp=, vc= or r=&k=)."""
    stripped = text.strip()
    if not stripped.startswith(("https://", "http://")) or "#" not in stripped:
        return False
    names = {part.partition("=")[0] for part in urlsplit(stripped).fragment.split("&")}
    return bool(names & {"vp", "vc"}) or {"r", "k"} <= names


def relay_fetch_url(link: str, relay_id: str) -> str:
    """Where a relay link's blob is fetched: ``<base>/relay/<id>`` (the page is ``<base>/s``)."""
    parts = urlsplit(link.strip())
    path = parts.path[: -len(SHARE_PATH)] if parts.path.endswith(SHARE_PATH) else parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}/relay/{relay_id}"

"""Share-link format (credentials.decode_link and its kin): round trips and every way a link can be damaged."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zlib

import pytest

from credentials import (
    MAX_INLINE_LINK,
    LinkError,
    RelayRef,
    b64url_decode,
    b64url_encode,
    decode_link,
    decrypt_from_relay,
    encode_inline_link,
    encrypt_for_relay,
    new_unshare_secret,
    relay_link,
    unshare_hash,
)

BASE = "https://verify.example.org"
VP = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
      "holder": "did:key:z6Mk", "verifiableCredential": [{"name": "Wound care basics — niveau 2 ✓"}]}


def test_inline_link_round_trip_for_dict_text_and_bytes() -> None:
    link = encode_inline_link(BASE + "/", VP)
    assert link.startswith(f"{BASE}/s#vp=")
    assert decode_link(link) == ("vp", VP)
    assert decode_link(encode_inline_link(BASE, json.dumps(VP))) == ("vp", VP)
    assert decode_link(encode_inline_link(BASE, json.dumps(VP).encode())) == ("vp", VP)
    assert decode_link(encode_inline_link(BASE, {"type": "VerifiableCredential"}, kind="vc")) == (
        "vc", {"type": "VerifiableCredential"})


def test_inline_payload_is_plain_zlib_base64url_so_other_encoders_interoperate() -> None:
    payload = b64url_encode(zlib.compress(json.dumps(VP).encode("utf-8")))
    assert decode_link(f"{BASE}/s#vp={payload}") == ("vp", VP)
    assert "=" not in encode_inline_link(BASE, VP).split("#vp=", 1)[1]  # no padding
    # unknown parameters are ignored: the format grows by adding names
    assert decode_link(f"{BASE}/s#x=1&vp={payload}&later=2") == ("vp", VP)


def test_inline_link_too_long_for_sharing_is_refused() -> None:
    big = {"type": ["VerifiablePresentation"], "image": base64.b64encode(os.urandom(8000)).decode()}
    with pytest.raises(LinkError, match="relay"):
        encode_inline_link(BASE, big)
    assert len(encode_inline_link(BASE, VP)) < MAX_INLINE_LINK


def test_relay_link_and_blob_round_trip() -> None:
    blob, key = encrypt_for_relay(VP)
    assert len(key) == 32 and blob[:12] != blob[12:24]
    assert json.dumps(VP).encode() not in blob and b"holder" not in blob
    link = relay_link(BASE, "AbC_-12345678901234567", key)
    assert link == f"{BASE}/s#r=AbC_-12345678901234567&k={b64url_encode(key)}"
    kind, ref = decode_link(link)
    assert kind == "relay" and ref == RelayRef("AbC_-12345678901234567", key)
    assert decrypt_from_relay(blob, ref.key) == VP
    again, key2 = encrypt_for_relay(VP)
    assert again != blob and key2 != key  # fresh key and nonce every time


def test_relay_blob_is_aes_256_gcm_with_a_96_bit_nonce_prefix() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob, key = encrypt_for_relay(VP)
    assert json.loads(AESGCM(key).decrypt(blob[:12], blob[12:], None)) == VP
    nonce, other_key = b"\x01" * 12, b"\x02" * 32
    made_elsewhere = nonce + AESGCM(other_key).encrypt(nonce, b'{"type":"VerifiableCredential"}', None)
    assert decrypt_from_relay(made_elsewhere, other_key) == {"type": "VerifiableCredential"}


def test_relay_blob_refuses_tampering_wrong_key_and_junk() -> None:
    blob, key = encrypt_for_relay(VP)
    flipped = bytearray(blob)
    flipped[20] ^= 1
    for bad_blob, bad_key in ((bytes(flipped), key), (blob, bytes(32)), (blob[:20], key), (blob, key[:16])):
        with pytest.raises(LinkError):
            decrypt_from_relay(bad_blob, bad_key)
    nonce = b"\0" * 12
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    for plain in (b"[1,2]", b"not json", b"\xff"):
        with pytest.raises(LinkError):
            decrypt_from_relay(nonce + AESGCM(key).encrypt(nonce, plain, None), key)


@pytest.mark.parametrize("link", [
    f"{BASE}/s", f"{BASE}/s#", f"{BASE}/s#vp=", f"{BASE}/s#vp=***", f"{BASE}/s#vp=A",
    f"{BASE}/s#vp=" + b64url_encode(b"not zlib"),
    f"{BASE}/s#vp=" + b64url_encode(zlib.compress(b"[1]")),
    f"{BASE}/s#vp=" + b64url_encode(zlib.compress(b"{\"a\":")),
    f"{BASE}/s#vp=" + b64url_encode(zlib.compress(json.dumps(VP).encode())[:-6]),  # truncated
    f"{BASE}/s#r=abc", f"{BASE}/s#k=" + b64url_encode(bytes(32)),
    f"{BASE}/s#r=abc&k=" + b64url_encode(bytes(16)),
    f"{BASE}/s#r=a/b&k=" + b64url_encode(bytes(32)),
])
def test_damaged_links_raise_link_error(link: str) -> None:
    with pytest.raises(LinkError):
        decode_link(link)


def test_decompression_bomb_stops_at_the_cap() -> None:
    bomb = b64url_encode(zlib.compress(b'{"a":"' + b"0" * (3 * 1024 * 1024) + b'"}', 9))
    assert len(bomb) < 8000
    with pytest.raises(LinkError, match="2 MB"):
        decode_link(f"{BASE}/s#vp={bomb}")


def test_b64url_is_strict() -> None:
    assert b64url_decode(b64url_encode(b"\xfb\xff")) == b"\xfb\xff"
    for bad in ("ab+c", "ab/c", "abc=", "a", "ab c", "_x"):  # "_x": trailing bits not zero
        with pytest.raises(ValueError):
            b64url_decode(bad)


def test_unshare_secret_hash_is_sha256_of_the_secret() -> None:
    s = new_unshare_secret()
    assert len(s.secret) >= 43 and s.hash == unshare_hash(s.secret)
    assert b64url_decode(s.hash) == hashlib.sha256(s.secret.encode()).digest()
    assert new_unshare_secret().secret != s.secret


def test_non_object_documents_cannot_be_shared() -> None:
    for doc in ("[1]", "nope", b"\xff"):
        with pytest.raises(LinkError):
            encode_inline_link(BASE, doc)
        with pytest.raises(LinkError):
            encrypt_for_relay(doc)
    with pytest.raises(LinkError):
        encode_inline_link(BASE, VP, kind="jwt")


# -- the web app opened at a share link: the route Flet reports (hash URL strategy) -----------------
def test_share_fragment_finds_the_link_in_the_route_the_web_client_reports() -> None:
    from verifier.app.intake import share_fragment

    fragment = encode_inline_link(BASE, VP).split("#", 1)[1]
    assert share_fragment(fragment) == fragment  # what Flet hands over for …/s#vp=…
    assert share_fragment("/" + fragment) == fragment
    assert share_fragment("#" + fragment) == fragment
    assert share_fragment("r=AbC&k=xyz") == "r=AbC&k=xyz"
    for route in (None, "", "/", "/history", "r=AbC", "k=xyz", "vpx=1", "later=2"):
        assert share_fragment(route) is None


def test_read_fragment_opens_inline_links_without_any_fetch() -> None:
    from verifier.app.intake import read_fragment

    fetched: list[str] = []
    given = read_fragment(encode_inline_link(BASE, VP).split("#", 1)[1], fetch_relay=fetched.append)
    assert given.data == VP and given.how == "share link" and given.is_presentation
    assert fetched == []


def test_read_fragment_fetches_a_relay_copy_only_from_the_apps_own_service() -> None:
    from verifier.app.intake import IntakeError, read_fragment

    blob, key = encrypt_for_relay(VP)
    fragment = relay_link(BASE, "AbC_-12345678901234567", key).split("#", 1)[1]
    asked: list[str] = []

    def relay(url: str) -> bytes:  # the service's GET /relay/<id>, answered here
        asked.append(url)
        return blob

    with pytest.raises(IntakeError, match="encrypted copy on the verifier service"):
        read_fragment(fragment, fetch_relay=relay)  # no --service: nobody to ask
    assert asked == []
    given = read_fragment(fragment, relay_base="http://127.0.0.1:8400/", fetch_relay=relay)
    assert given.data == VP and given.how == "relay link"
    assert asked == ["http://127.0.0.1:8400/relay/AbC_-12345678901234567"]


def test_read_fragment_says_plainly_when_the_link_is_damaged() -> None:
    from verifier.app.intake import IntakeError, read_fragment

    for fragment in ("vp=bm90LXpsaWI", "vp=***", "vc=" + b64url_encode(zlib.compress(b"[1]")), "r=AbC&k=c2hvcnQ"):
        with pytest.raises(IntakeError, match="not a Satchel share link"):
            read_fragment(fragment)

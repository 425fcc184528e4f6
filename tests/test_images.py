"""Tests for credentials._formats.images (Open Badges baking / unbaking)."""

from __future__ import annotations

import io
import json
import struct
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from credentials._errors import MalformedError
from credentials._formats.images import (
    BakedData,
    bake_png,
    bake_svg,
    is_png,
    is_svg,
    unbake,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OB2 = SHARED / "corpus" / "ob2"

CREDENTIAL = json.dumps(
    {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Badge \u00e9t\u00e9 \u2713",
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"]},
    }
)
JWS = (
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)
ASSERTION = json.dumps({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "https://example.org/a/1"})

SMALL_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment before the root -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">
  <title>t</title>
  <rect x="1" y="1" width="8" height="8" fill="#0a0"/>
</svg>
"""


def make_png(size: tuple[int, int] = (16, 16), **info: str) -> bytes:
    img = Image.new("RGBA", size, (200, 30, 30, 255))
    buf = io.BytesIO()
    if info:
        from PIL import PngImagePlugin

        meta = PngImagePlugin.PngInfo()
        for k, v in info.items():
            meta.add_text(k, v)
        img.save(buf, format="PNG", pnginfo=meta)
    else:
        img.save(buf, format="PNG")
    return buf.getvalue()


def chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def chunk_types(png: bytes) -> list[bytes]:
    pos, out = 8, []
    while pos < len(png):
        (n,) = struct.unpack_from(">I", png, pos)
        out.append(png[pos + 4 : pos + 8])
        pos += 12 + n
    return out


def insert_after_ihdr(png: bytes, extra: bytes) -> bytes:
    return png[:33] + extra + png[33:]


# --------------------------------------------------------------------------- sniffing


def test_sniffing() -> None:
    png = make_png()
    assert is_png(png) and not is_svg(png)
    assert is_svg(SMALL_SVG) and not is_png(SMALL_SVG)
    assert is_svg(b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert is_svg(b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg>')
    assert is_svg('<svg xmlns="http://www.w3.org/2000/svg"></svg>'.encode("utf-16"))
    assert not is_svg(b"<html><svg></svg></html>")
    assert not is_svg(b"<svgfoo/>")
    assert not is_svg(b"")
    assert not is_png(b"\x89PNG")


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    ("payload", "version", "keyword"),
    [
        (CREDENTIAL, "3.0", "openbadgecredential"),
        (JWS, "3.0", "openbadgecredential"),
        (ASSERTION, "2.0", "openbadges"),
        (JWS, "2.0", "openbadges"),
        ("https://example.org/assertions/1", "2.0", "openbadges"),
    ],
)
def test_png_round_trip(payload: str, version: str, keyword: str) -> None:
    png = make_png()
    baked = bake_png(png, payload, ob_version=version)
    assert chunk_types(baked)[:2] == [b"IHDR", b"iTXt"]
    assert unbake(baked) == BakedData(keyword, payload, version, "png")
    # Pillow still reads it, pixels unchanged.
    with Image.open(io.BytesIO(baked)) as im:
        assert im.size == (16, 16)
        assert im.text[keyword] == payload  # type: ignore[attr-defined]


def test_png_rebake_replaces_existing_chunk() -> None:
    png = make_png()
    once = bake_png(png, ASSERTION, ob_version="2.0")
    twice = bake_png(once, CREDENTIAL, ob_version="3.0")
    assert chunk_types(twice).count(b"iTXt") == 1
    assert unbake(twice).text == CREDENTIAL
    thrice = bake_png(twice, JWS)
    assert chunk_types(thrice).count(b"iTXt") == 1
    assert unbake(thrice).text == JWS


@pytest.mark.parametrize(
    ("payload", "version", "keyword", "verify"),
    [
        (CREDENTIAL, "3.0", "openbadgecredential", None),
        (ASSERTION, "2.0", "openbadges", None),
    ],
)
def test_svg_round_trip_json(payload: str, version: str, keyword: str, verify: str | None) -> None:
    baked = bake_svg(SMALL_SVG, payload, ob_version=version)
    assert b"<![CDATA[" in baked
    assert is_svg(baked)
    assert unbake(baked) == BakedData(keyword, payload, version, "svg", verify_url=verify)
    # the rest of the document is kept byte for byte
    assert baked.endswith(SMALL_SVG[SMALL_SVG.index(b"\n  <title>") :])


def test_svg_round_trip_ob2_hosted_with_verify_url() -> None:
    baked = bake_svg(SMALL_SVG, ASSERTION, ob_version="2.0", verify_url="https://example.org/a?x=1&y=2")
    got = unbake(baked)
    assert got.text == ASSERTION
    assert got.verify_url == "https://example.org/a?x=1&y=2"
    assert got.keyword == "openbadges"


@pytest.mark.parametrize("version", ["3.0", "2.0"])
def test_svg_round_trip_jws_goes_in_verify_attribute(version: str) -> None:
    baked = bake_svg(SMALL_SVG, JWS, ob_version=version)
    assert f'verify="{JWS}"'.encode() in baked
    got = unbake(baked)
    assert got.text == JWS and got.verify_url == JWS and got.ob_version == version


def test_svg_payload_with_cdata_terminator() -> None:
    payload = json.dumps({"name": "a ]]> b <x> & y"})
    assert unbake(bake_svg(SMALL_SVG, payload)).text == payload


def test_svg_rebake_replaces_existing_element() -> None:
    once = bake_svg(SMALL_SVG, ASSERTION, ob_version="2.0")
    twice = bake_svg(once, CREDENTIAL, ob_version="3.0")
    assert twice.count(b"openbadges:assertion") == 0
    assert twice.count(b"<openbadges:credential") == 1
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in twice
    assert unbake(twice).text == CREDENTIAL


def test_svg_rebake_mozilla_ob2_into_ob3() -> None:
    baked = bake_svg((OB2 / "mozilla-baked.svg").read_bytes(), CREDENTIAL)
    assert b"openbadges:assertion" not in baked
    got = unbake(baked)
    assert (got.ob_version, got.text) == ("3.0", CREDENTIAL)


def test_svg_self_closing_root() -> None:
    baked = bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg"/>', CREDENTIAL)
    assert unbake(baked).text == CREDENTIAL


def test_bake_bad_arguments() -> None:
    with pytest.raises(ValueError):
        bake_png(make_png(), CREDENTIAL, ob_version="1.0")
    with pytest.raises(ValueError):
        bake_svg(SMALL_SVG, "")
    with pytest.raises(MalformedError):
        bake_png(b"not a png", CREDENTIAL)
    with pytest.raises(MalformedError):
        bake_svg(b"<svg><unclosed></svg>", CREDENTIAL)


# --------------------------------------------------------------------------- real-world images


def test_mozilla_baked_svg() -> None:
    got = unbake((OB2 / "mozilla-baked.svg").read_bytes())
    assert got.keyword == "openbadges" and got.ob_version == "2.0" and got.image_type == "svg"
    assert json.loads(got.text) == {"verify": {"url": "http://example.org"}}
    assert got.verify_url == "http://example.org"


def test_mozilla_bad_json_svg() -> None:
    got = unbake((OB2 / "mozilla-bad-json.svg").read_bytes())
    assert got.text == '{verify:{"url":"http://example.org"}}'
    with pytest.raises(json.JSONDecodeError):
        json.loads(got.text)
    assert got.verify_url == "http://example.org"


def test_mozilla_no_json_svg_uses_verify_attribute() -> None:
    got = unbake((OB2 / "mozilla-no-json.svg").read_bytes())
    assert got.text == "http://example.org"
    assert got.verify_url == "http://example.org"
    assert got.ob_version == "2.0"


@pytest.mark.parametrize("name", ["mozilla-unbaked.png", "mozilla-unbaked.svg"])
def test_mozilla_unbaked(name: str) -> None:
    with pytest.raises(MalformedError, match="has no baked badge data"):
        unbake((OB2 / name).read_bytes())


def test_mozilla_unbaked_png_bakes() -> None:
    png = (OB2 / "mozilla-unbaked.png").read_bytes()
    baked = bake_png(png, ASSERTION, ob_version="2.0")
    assert unbake(baked) == BakedData("openbadges", ASSERTION, "2.0", "png")
    assert b"Adobe ImageReady" in baked  # other chunks kept


def test_any_baked_png_in_corpus() -> None:
    found = [p for p in (SHARED / "corpus").rglob("*.png") if "unbaked" not in p.name]
    for p in found:
        got = unbake(p.read_bytes())
        assert got.image_type == "png" and got.text


# --------------------------------------------------------------------------- PNG variants


def test_legacy_text_chunk_ob1() -> None:
    png = insert_after_ihdr(make_png(), chunk(b"tEXt", b"openbadges\x00https://example.org/assertion.json"))
    assert unbake(png) == BakedData("openbadges", "https://example.org/assertion.json", "2.0", "png")


def test_compressed_itxt_accepted() -> None:
    body = b"openbadgecredential\x00\x01\x00en\x00\x00" + zlib.compress(CREDENTIAL.encode())
    got = unbake(insert_after_ihdr(make_png(), chunk(b"iTXt", body)))
    assert got.text == CREDENTIAL and got.ob_version == "3.0"


def test_compressed_itxt_bomb_refused() -> None:
    bomb = zlib.compress(b" " * (6 * 1024 * 1024), 9)
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb
    with pytest.raises(MalformedError, match="size limit"):
        unbake(insert_after_ihdr(make_png(), chunk(b"iTXt", body)))


def test_ob3_chunk_preferred_over_ob2() -> None:
    png = bake_png(make_png(), CREDENTIAL)
    png = insert_after_ihdr(png, chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + ASSERTION.encode()))
    assert unbake(png).ob_version == "3.0"


def test_duplicate_badge_chunk_refused() -> None:
    png = bake_png(make_png(), CREDENTIAL)
    dup = chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00" + JWS.encode())
    with pytest.raises(MalformedError, match="more than one"):
        unbake(insert_after_ihdr(png, dup))


def test_other_text_chunks_are_not_badges() -> None:
    with pytest.raises(MalformedError, match="has no baked badge data"):
        unbake(make_png(Comment="openbadges", openbadge="x"))


def test_truncated_png() -> None:
    baked = bake_png(make_png((64, 64)), CREDENTIAL)
    for cut in (9, 20, 33, 60, len(baked) // 2, len(baked) - 1):
        with pytest.raises(MalformedError, match="truncated"):
            unbake(baked[:cut])


def test_bad_crc_on_badge_chunk() -> None:
    baked = bytearray(bake_png(make_png(), CREDENTIAL))
    (n,) = struct.unpack_from(">I", baked, 33)
    baked[33 + 8 + n // 2] ^= 0x01  # flip a bit inside the iTXt data
    with pytest.raises(MalformedError, match="bad CRC"):
        unbake(bytes(baked))


def test_empty_badge_chunk() -> None:
    png = insert_after_ihdr(make_png(), chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00"))
    with pytest.raises(MalformedError, match="empty"):
        unbake(png)


def test_invalid_utf8_in_badge_chunk() -> None:
    png = insert_after_ihdr(make_png(), chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00\xff\xfe"))
    with pytest.raises(MalformedError, match="utf-8"):
        unbake(png)


def test_junk_50mb_refused_quickly() -> None:
    junk = b"\x00\x13junk" * (50 * 1024 * 1024 // 6)
    for data in (junk, b"\x89PNG\r\n\x1a\n" + junk, b"<svg>" + junk):
        t0 = time.monotonic()
        with pytest.raises(MalformedError):
            unbake(data)
        assert time.monotonic() - t0 < 1.0


def test_junk_just_under_limit_refused_quickly() -> None:
    junk = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", b"\x00" * 13) + b"\xff" * (30 * 1024 * 1024)
    t0 = time.monotonic()
    with pytest.raises(MalformedError):
        unbake(junk)
    assert time.monotonic() - t0 < 1.0


def test_non_bytes_input() -> None:
    with pytest.raises(MalformedError):
        unbake("<svg/>")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- hostile SVG


def test_svg_entity_expansion_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion>&b;</openbadges:assertion></svg>"""
    with pytest.raises(MalformedError, match="forbidden"):
        unbake(bomb)


def test_svg_external_entity_refused() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion>&x;</openbadges:assertion></svg>"""
    with pytest.raises(MalformedError):
        unbake(xxe)


def test_svg_wrong_namespace_not_a_badge() -> None:
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://example.com/other">
<openbadges:assertion verify="http://example.org"/></svg>"""
    with pytest.raises(MalformedError, match="has no baked badge data"):
        unbake(svg)


def test_svg_malformed_xml() -> None:
    with pytest.raises(MalformedError, match="not well-formed"):
        unbake(b"<svg xmlns='http://www.w3.org/2000/svg'><openbadges:assertion></svg>")


def test_svg_empty_badge_element() -> None:
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">
<ob:credential>   </ob:credential></svg>"""
    with pytest.raises(MalformedError, match="empty"):
        unbake(svg)


def test_svg_other_prefix_accepted() -> None:
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">
<ob:credential><![CDATA[ {"a": 1} ]]></ob:credential></svg>"""
    assert unbake(svg) == BakedData("openbadgecredential", '{"a": 1}', "3.0", "svg")


def test_svg_deeply_nested() -> None:
    depth = 100_000
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g>" * depth + b"</g>" * depth + b"</svg>"
    with pytest.raises(MalformedError, match="has no baked badge data"):
        unbake(svg)


def test_svg_too_many_elements_refused_at_the_element_bound() -> None:
    from credentials._errors import TooComplexError
    from credentials._formats.images import MAX_SVG_ELEMENTS

    svg = b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g/>" * 2_000_000 + b"</svg>"
    with pytest.raises(TooComplexError, match="too many elements") as refused:
        unbake(svg)
    assert refused.value.work == MAX_SVG_ELEMENTS + 1  # stopped at the bound, not after 2,000,001


def test_svg_utf16() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0">'
           '<ob:credential verify="a.b.c"/></svg>').encode("utf-16")
    assert unbake(svg) == BakedData("openbadgecredential", "a.b.c", "3.0", "svg", verify_url="a.b.c")
    with pytest.raises(MalformedError, match="encoded"):
        bake_svg(svg, CREDENTIAL)


# --------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _unbake_or_malformed(data: bytes) -> None:
    try:
        got = unbake(data)
    except MalformedError:
        return
    assert isinstance(got, BakedData) and got.text


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes(data: bytes) -> None:
    _unbake_or_malformed(data)
    _unbake_or_malformed(b"\x89PNG\r\n\x1a\n" + data)
    _unbake_or_malformed(b"<svg xmlns='http://www.w3.org/2000/svg'>" + data)


_BAKED_PNG = bake_png(make_png((8, 8)), CREDENTIAL)
_BAKED_SVG = bake_svg(SMALL_SVG, CREDENTIAL)


@FUZZ
@given(st.data())
def test_fuzz_mutated_png(data: st.DataObject) -> None:
    _fuzz_mutate(data, _BAKED_PNG)


@FUZZ
@given(st.data())
def test_fuzz_mutated_svg(data: st.DataObject) -> None:
    _fuzz_mutate(data, _BAKED_SVG)


def _fuzz_mutate(data: st.DataObject, original: bytes) -> None:
    buf = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        if not buf:
            break
        i = data.draw(st.integers(0, len(buf) - 1))
        if op == "flip":
            buf[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set":
            buf[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del buf[i:]
        elif op == "insert":
            buf[i:i] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            del buf[i : i + data.draw(st.integers(1, 16))]
    _unbake_or_malformed(bytes(buf))


@FUZZ
@given(st.data())
def test_fuzz_png_with_valid_crcs(data: st.DataObject) -> None:
    """Mutate the badge chunk body but fix its CRC so parsing goes past the CRC check."""
    body = bytearray(b"openbadgecredential\x00\x00\x00\x00\x00" + CREDENTIAL.encode())
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(body) - 1))
        body[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        del body[data.draw(st.integers(0, len(body) - 1)) :]
    ctype = data.draw(st.sampled_from([b"iTXt", b"tEXt", b"zTXt"]))
    _unbake_or_malformed(insert_after_ihdr(make_png((4, 4)), chunk(ctype, bytes(body))))

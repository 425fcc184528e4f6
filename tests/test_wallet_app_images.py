"""Badge pictures carried inside a credential as data: URIs (RFC 2397) decode for the cards."""

from __future__ import annotations

import base64

import pytest

from wallet.app.services import image_from_data_uri

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4"/></svg>'


def test_base64_data_uri_decodes() -> None:
    assert image_from_data_uri("data:image/svg+xml;base64," + base64.b64encode(SVG).decode()) == SVG


def test_percent_encoded_data_uri_decodes() -> None:
    encoded = "".join(f"%{b:02X}" if chr(b) in '<>"#% ' else chr(b) for b in SVG)
    assert image_from_data_uri("data:image/svg+xml," + encoded) == SVG


def test_plain_utf8_data_uri_decodes() -> None:
    assert image_from_data_uri("data:image/svg+xml;utf8," + SVG.decode()) == SVG


@pytest.mark.parametrize("uri", ["data:text/html,<script>", "data:image/png;base64,@@@not base64@@@", "http://x/y.png"])
def test_what_is_not_an_image_gives_nothing(uri: str) -> None:
    assert image_from_data_uri(uri) is None

"""Plain badge artwork (a coloured disc with initials), as PNG (Pillow) and SVG (text).

Used to make the demo catalogue's images and whenever an achievement names no image file.
"""

from __future__ import annotations

import hashlib
import io
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

SIZE = 256


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:3]) or "?"


def _colour(name: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(name.encode()).digest()
    return (40 + digest[0] % 120, 60 + digest[1] % 120, 90 + digest[2] % 120)


def badge_png(name: str) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=_colour(name) + (255,), outline=(255, 255, 255, 255), width=8)
    draw.text((SIZE / 2, SIZE / 2), _initials(name), fill=(255, 255, 255, 255), anchor="mm",
              font_size=72)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def badge_svg(name: str) -> bytes:
    r, g, b = _colour(name)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
            f'viewBox="0 0 {SIZE} {SIZE}">\n'
            f'  <title>{escape(name)}</title>\n'
            f'  <circle cx="128" cy="128" r="116" fill="rgb({r},{g},{b})" stroke="#fff" stroke-width="8"/>\n'
            f'  <text x="128" y="152" font-family="sans-serif" font-size="72" fill="#fff" '
            f'text-anchor="middle">{escape(_initials(name))}</text>\n'
            f'</svg>\n').encode()

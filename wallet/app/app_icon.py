"""Draws Satchel's app icon (a satchel carrying a badge) with Pillow.

    python -m wallet.app.app_icon            # writes assets/icon.png, favicon.png, icons/*.png, icon.svg

``flet build`` picks up ``assets/icon.png``; the web build serves ``favicon.png`` and ``icons/``.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

TEAL_DARK = (8, 63, 74)
TEAL = (11, 85, 99)
TEAL_LIGHT = (24, 128, 140)
CREAM = (250, 246, 236)
STRAP = (214, 204, 182)
GOLD = (242, 178, 51)
GOLD_DARK = (196, 128, 20)
SIZE = 1024


def _gradient(size: int) -> Image.Image:
    top, bottom = TEAL_LIGHT, TEAL_DARK
    column = Image.new("RGB", (1, size))
    for y in range(size):
        t = y / (size - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return column.resize((size, size))


def _star(cx: float, cy: float, outer: float, inner: float, points: int = 5) -> list[tuple[float, float]]:
    found = []
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / points
        found.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return found


def draw_icon(size: int = SIZE, *, maskable: bool = False) -> Image.Image:
    s = SIZE
    canvas = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, s - 1, s - 1), radius=0 if maskable else 220, fill=255)
    canvas.paste(_gradient(s), (0, 0), mask)

    scale = 0.8 if maskable else 1.0
    art = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(art)
    # strap
    d.arc((300, 150, 724, 520), start=180, end=360, fill=STRAP, width=46)
    # bag body
    d.rounded_rectangle((190, 330, 834, 830), radius=90, fill=CREAM)
    # flap
    d.rounded_rectangle((190, 330, 834, 560), radius=90, fill=(236, 229, 212))
    d.rectangle((190, 470, 834, 560), fill=(236, 229, 212))
    d.line((190, 560, 834, 560), fill=STRAP, width=10)
    # badge medal hanging on the flap
    d.polygon([(452, 560), (512, 600), (452, 720)], fill=(200, 80, 60))
    d.polygon([(572, 560), (512, 600), (572, 720)], fill=(170, 60, 45))
    d.ellipse((392, 500, 632, 740), fill=GOLD_DARK)
    d.ellipse((410, 518, 614, 722), fill=GOLD)
    d.polygon(_star(512, 622, 78, 34), fill=(255, 251, 235))
    shadow = art.split()[-1].filter(ImageFilter.GaussianBlur(18))
    shade = Image.new("RGBA", (s, s), (0, 0, 0, 90))
    shade.putalpha(shadow.point(lambda a: a * 0.35))
    if scale != 1.0:
        inner = round(s * scale)
        offset = (s - inner) // 2
        art = art.resize((inner, inner), Image.Resampling.LANCZOS)
        shade = shade.resize((inner, inner), Image.Resampling.LANCZOS)
        padded, padded_shade = Image.new("RGBA", (s, s)), Image.new("RGBA", (s, s))
        padded.paste(art, (offset, offset))
        padded_shade.paste(shade, (offset, offset))
        art, shade = padded, padded_shade
    canvas.alpha_composite(shade, (0, 14))
    canvas.alpha_composite(art)
    return canvas.resize((size, size), Image.Resampling.LANCZOS) if size != s else canvas


SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1024 1024" role="img" aria-label="Satchel">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="#18808C"/><stop offset="1" stop-color="#083F4A"/></linearGradient></defs>
  <rect width="1024" height="1024" rx="220" fill="url(#g)"/>
  <path d="M323 335 A189 185 0 0 1 701 335" fill="none" stroke="#D6CCB6" stroke-width="46"/>
  <rect x="190" y="330" width="644" height="500" rx="90" fill="#FAF6EC"/>
  <path d="M280 330h464a90 90 0 0 1 90 90v140H190V420a90 90 0 0 1 90-90z" fill="#ECE5D4"/>
  <path d="M190 560h644" stroke="#D6CCB6" stroke-width="10"/>
  <path d="M452 560l60 40-60 120z" fill="#C8503C"/><path d="M572 560l-60 40 60 120z" fill="#AA3C2D"/>
  <circle cx="512" cy="620" r="120" fill="#C48014"/><circle cx="512" cy="620" r="102" fill="#F2B233"/>
  <path d="{star}" fill="#FFFBEB"/>
</svg>
"""


def write_icons(assets: Path) -> None:
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "icons").mkdir(exist_ok=True)
    draw_icon(1024).save(assets / "icon.png")
    draw_icon(64).save(assets / "favicon.png")
    for size in (192, 512):  # the names Flet's web client asks for
        draw_icon(size).save(assets / "icons" / f"icon-{size}.png")
        draw_icon(size, maskable=True).save(assets / "icons" / f"icon-maskable-{size}.png")
    draw_icon(192).save(assets / "icons" / "apple-touch-icon-192.png")
    draw_icon(192).save(assets / "icons" / "loading-animation.png")  # the splash while the app loads
    star = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(_star(512, 622, 78, 34)))
    (assets / "icon.svg").write_text(SVG.format(star=star + " Z"), encoding="utf-8")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    write_icons(root / "assets")
    draw_icon(256).save(Path(__file__).resolve().parent / "icon.png")  # shipped inside the package too
    print("icons written to", root / "assets")

"""The wallet's web-mode overrides of Flet's client files stay consistent with the installed flet-web.

``assets/assets/FontManifest.json`` replaces the client's font list (Flet serves the app's assets
folder ahead of its own web root) so the browser does not fetch and register twenty KaTeX maths fonts
the app never draws before its first frame (BENCHMARKS.md, wallet app cold start).
"""

from __future__ import annotations

import json
from pathlib import Path

import flet_web

ROOT = Path(__file__).resolve().parents[1]
WEB = Path(flet_web.__file__).parent / "web"
OURS = ROOT / "assets" / "assets" / "FontManifest.json"


def families(manifest: list[dict]) -> dict[str, list[str]]:
    return {f["family"]: [font["asset"] for font in f["fonts"]] for f in manifest}


def test_font_manifest_override_keeps_every_font_the_app_draws_and_drops_only_maths_fonts() -> None:
    ours = families(json.loads(OURS.read_text(encoding="utf-8")))
    theirs = families(json.loads((WEB / "assets" / "FontManifest.json").read_text(encoding="utf-8")))
    assert "MaterialIcons" in ours  # every ft.Icons glyph
    for family, assets in ours.items():
        assert theirs.get(family) == assets, f"{family} differs from flet-web's manifest"
        for asset in assets:
            assert (WEB / "assets" / asset).is_file(), asset
    dropped = set(theirs) - set(ours)
    assert dropped and all(f.startswith("packages/flutter_math_fork/") for f in dropped)


def test_the_wallet_app_serves_its_assets_folder() -> None:
    from wallet.app import ASSETS_DIR

    assert ASSETS_DIR == ROOT / "assets" and (ASSETS_DIR / "icon.png").is_file()

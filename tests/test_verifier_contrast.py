"""Every text colour of the verifier's screens against the fill it sits on: at least 4.5:1, the
WCAG 2.2 AA minimum for body text (SC 1.4.3; relative luminance and contrast ratio as WCAG defines
them)."""

from __future__ import annotations

import pytest

from credentials import Grade
from verifier.app.views import common


def _luminance(colour: str) -> float:
    rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_gives_the_known_extremes() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near miss


PAIRS = [
    ("ink on surface", common.INK, common.SURFACE), ("ink on background", common.INK, common.BACKGROUND),
    ("muted on surface", common.MUTED, common.SURFACE), ("muted on background", common.MUTED, common.BACKGROUND),
    ("brand note", common.BRAND, common.BRAND_SOFT), ("muted on a not-checked row", common.MUTED, common.GREY_SOFT),
    *[(f"grade {g}", common.grade_look(g).ink, common.grade_look(g).fill) for g in Grade],
    *[(f"grade {g} on surface", common.grade_look(g).ink, common.SURFACE) for g in Grade],
    *[(f"check {s}", look.ink, look.fill) for s, look in common.CHECKS.items()],
    *[(f"check {s} on surface", look.ink, common.SURFACE) for s, look in common.CHECKS.items()],
]


@pytest.mark.parametrize(("what", "text", "fill"), PAIRS, ids=[p[0] for p in PAIRS])
def test_text_colours_meet_wcag_aa(what: str, text: str, fill: str) -> None:
    assert contrast(text, fill) >= 4.5, f"{what}: {text} on {fill} is {contrast(text, fill):.2f}:1"


def test_each_grade_has_its_own_colour() -> None:
    assert len({common.grade_look(g).ink for g in Grade}) == len(Grade)

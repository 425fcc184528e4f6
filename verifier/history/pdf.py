"""A printable report of one verification (A4, fpdf2): the verdict, how the input came, every fact
the credential states, and every check, with a footer naming the verification on each page."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from credentials import CHECK_STATUS_WORDS, plain_check

from .facts import FORMAT_WORDS, SOURCE_WORDS, CredentialFacts, RecordFacts, checked_what, grade_words
from .store import Entry

__all__ = ["pdf_report"]

# The same graded words as the app's screens (credentials.GRADE_WORDS), in the same colours.
_GRADE_COLOURS = {"trusted": (27, 94, 32), "genuine": (0, 95, 92), "problem": (161, 35, 27),
                  "could-not-check": (122, 75, 0)}
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
              Path("/usr/local/share/fonts"), Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
# Fonts for what DejaVu Sans lacks (Chinese, Japanese, Korean, emoji), used where the system has them.
_FALLBACK_FONTS = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf"),
    Path("/System/Library/Fonts/Supplemental/Arial Unicode.ttf"),
    Path("C:/Windows/Fonts/msyh.ttc"),
)
_UNPRINTABLE = "\ufffd"  # shown where no font on this computer has the character
_BODY, _MUTED = (27, 35, 38), (74, 90, 96)
_DOT = "·"  # Latin-1 has it too
_LABEL_WIDTH = 40
Colour = tuple[int, int, int]


def _unicode_font() -> tuple[Path, Path] | None:
    for d in _FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def _shaping_available() -> bool:
    """Right-to-left scripts (Arabic, Hebrew) and joined scripts need HarfBuzz (``uharfbuzz``)."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def _human_time(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return when.strftime("%d %B %Y, %H:%M UTC").lstrip("0")


def _sender_words(facts: RecordFacts) -> str:
    """Who sent a presentation, as the screen says it."""
    if facts.holder_is_subject is None:
        return "Not stated"
    name = f" ({facts.holder_name})" if facts.holder_name else ""
    return (f"The person it was issued to{name}" if facts.holder_is_subject
            else "Someone other than the person it was issued to")


class _Writer:
    """One report being written: the fonts it found, the characters none of them has, and the
    building blocks (a line, a label/value pair, a heading, a list of checks)."""

    def __init__(self, entry: Entry, fonts: tuple[Path, Path] | None, compress: bool) -> None:
        from fpdf import FPDF
        from fpdf.enums import Align

        writer = self

        class Report(FPDF):
            def footer(self) -> None:
                self.set_y(-13)
                self.set_font(writer.family, "", 8)
                self.set_text_color(*_MUTED)
                self.cell(0, 5, writer.clean(f"Satchel verifier {_DOT} verification {entry.id} {_DOT} checks as "
                                             "of the time shown"), align=Align.L)
                self.set_x(self.l_margin)
                self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align=Align.R)

        self.fonts = fonts
        self.printable: set[int] = set()
        self.missing: list[str] = []
        self.family = "Helvetica"
        self.pdf = pdf = Report(format="A4")
        pdf.set_compression(compress)
        pdf.set_title(f"Verification report: {entry.achievement}")
        pdf.set_author("Satchel verifier")
        pdf.set_creator("Satchel verifier")
        pdf.set_lang("en")
        pdf.set_auto_page_break(True, margin=20)
        if fonts:
            self._add_unicode_fonts(fonts)
        self.width = pdf.w - pdf.l_margin - pdf.r_margin

    def _add_unicode_fonts(self, fonts: tuple[Path, Path]) -> None:
        pdf = self.pdf
        pdf.add_font("Body", "", str(fonts[0]))
        pdf.add_font("Body", "B", str(fonts[1]))
        self.family = "Body"
        fallbacks = []
        for n, path in enumerate(p for p in _FALLBACK_FONTS if p.is_file()):
            try:
                pdf.add_font(f"Fallback{n}", "", str(path))
            except Exception:  # noqa: BLE001 - a font fpdf2 cannot read is simply not used
                continue
            fallbacks.append(f"Fallback{n}")
        if fallbacks:
            pdf.set_fallback_fonts(fallbacks, exact_match=False)
        for font in pdf.fonts.values():
            self.printable.update(getattr(font, "cmap", {}) or {})
        if _shaping_available():
            pdf.set_text_shaping(True)

    def clean(self, text: str) -> str:
        """``text`` as the fonts can print it; what they cannot is remembered for the closing note."""
        if self.fonts:
            out = []
            for ch in text:
                if ch in "\n\t " or ord(ch) in self.printable or unicodedata.category(ch).startswith(("C", "M", "Z")):
                    out.append(ch)
                else:
                    self.missing.append(ch)
                    out.append(_UNPRINTABLE)
            return "".join(out)
        for fancy, plain in (("…", "..."), ("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("–", "-"), ("—", "-")):
            text = text.replace(fancy, plain)
        self.missing.extend(ch for ch in text if ord(ch) > 0xFF)
        return text.encode("latin-1", "replace").decode("latin-1")

    def line(self, text: str, size: float = 10.5, bold: bool = False, colour: Colour = _BODY,
             gap: float = 1.5) -> None:
        from fpdf.enums import Align, XPos, YPos

        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)
        self.pdf.multi_cell(self.width, size * 0.5, self.clean(text), align=Align.L, new_x=XPos.LMARGIN,
                            new_y=YPos.NEXT)
        self.pdf.ln(gap)

    def pair(self, label: str, value: str) -> None:
        from fpdf.enums import Align, XPos, YPos

        if not value:
            return
        pdf = self.pdf
        if pdf.will_page_break(11):  # a label is not left alone at the foot of a page
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font(self.family, "B", 9.5)
        pdf.set_text_color(*_MUTED)
        pdf.multi_cell(_LABEL_WIDTH - 3, 5.5, self.clean(label), align=Align.L, new_x=XPos.RIGHT, new_y=YPos.TOP)
        after_label = pdf.get_y()
        pdf.set_xy(pdf.l_margin + _LABEL_WIDTH, top)
        pdf.set_font(self.family, "", 10.5)
        pdf.set_text_color(*_BODY)
        pdf.multi_cell(self.width - _LABEL_WIDTH, 5.5, self.clean(value), align=Align.L, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), after_label) + 0.8)

    def checks(self, items: Sequence[dict[str, str]]) -> None:
        for c in items:
            self._check(c)

    def _check(self, c: dict[str, str]) -> None:
        from fpdf.enums import Align, XPos, YPos

        pdf = self.pdf
        if pdf.will_page_break(10):
            pdf.add_page()
        colour = {"passed": (29, 94, 42), "failed": (161, 35, 27)}.get(c["status"], (122, 75, 0))
        top = pdf.get_y()
        pdf.set_font(self.family, "B", 9.5)
        pdf.set_text_color(*colour)
        plain = plain_check(c["id"], c["status"], c["message"])
        pdf.cell(30, 5, self.clean(CHECK_STATUS_WORDS.get(c["status"], c["status"])))
        pdf.set_font(self.family, "B", 9.5)
        pdf.set_text_color(*_BODY)
        pdf.multi_cell(self.width - 30, 5, self.clean(plain.headline), align=Align.L, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_x(pdf.l_margin + 30)
        pdf.set_font(self.family, "", 9)
        pdf.multi_cell(self.width - 30, 4.5, self.clean(c["message"]), align=Align.L, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_x(pdf.l_margin + 30)
        pdf.set_font(self.family, "", 7.5)
        pdf.set_text_color(*_MUTED)
        pdf.multi_cell(self.width - 30, 3.8, self.clean(f"check {c['id']}"), align=Align.L, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), top + 5) + 1.2)

    def heading(self, text: str, size: float, colour: Colour = _BODY, gap: float = 1.0) -> None:
        if self.pdf.will_page_break(size * 0.5 + 14):  # a heading goes with what follows it
            self.pdf.add_page()
        self.line(text, size, bold=True, colour=colour, gap=gap)

    # -- the report's parts -----------------------------------------------------------------------
    def verdict(self, entry: Entry, facts: RecordFacts) -> None:
        from fpdf.enums import Align, XPos, YPos

        pdf = self.pdf
        pdf.add_page()
        self.line(f"Satchel verifier {_DOT} verification report", 10, colour=_MUTED, gap=4)
        words = facts.words
        pdf.set_fill_color(*_GRADE_COLOURS.get(facts.grade, _BODY))
        pdf.set_text_color(255, 255, 255)
        pdf.set_font(self.family, "B", 22)
        pdf.multi_cell(self.width, 14, self.clean(words.headline), fill=True, align=Align.C, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.ln(3)
        self.line(words.explanation, 11, gap=1)
        self.line(f"What to do: {words.next_step}", 11, bold=True, gap=2)
        self.line(checked_what(facts), 10, colour=_MUTED, gap=3)
        self.pair("Verified on", _human_time(entry.verified_at))
        self.pair("How it came", SOURCE_WORDS.get(entry.source, entry.source))
        self.pair("Format", FORMAT_WORDS.get(facts.format, facts.format))
        self.pair("Problems", ", ".join(facts.problems))
        self.pair("Notes", ", ".join(facts.warnings))
        if facts.is_presentation:
            self.pair("Sent by", _sender_words(facts))
            self.pair("Sender's key", facts.holder_id)
            pdf.ln(2)
            self.heading("The presentation", 13)
            self.checks(facts.presentation_checks)

    def credential(self, cred: CredentialFacts, title: str) -> None:
        self.pdf.ln(3)
        self.heading(title, 16)
        self.line(f"{grade_words(cred.grade).headline} {_DOT} {cred.kind}", 11, bold=True,
                  colour=_GRADE_COLOURS.get(cred.grade, _BODY), gap=2)
        self.pair("Issued by", cred.issuer + ("  (on your trust list)" if cred.issuer_known
                                              else "  (the name is the issuer's own claim)"))
        self.pair("Issuer's key", cred.issuer_id)
        self.pair("Issued to", cred.subject)
        self.pair("Subject's key", cred.subject_id)
        for label, value in (("What it certifies", cred.description), ("Type", cred.achievement_type),
                             ("Competencies", "\n".join(cred.competencies)), ("Credits", cred.credits),
                             ("Results", "\n".join(cred.results)), ("Evidence", "\n".join(cred.evidence)),
                             ("Issued", cred.issued), ("Valid until", cred.valid_until or "no end date"),
                             ("Status as of", cred.status_as_of or "no status list")):
            self.pair(label, value)
        self.pdf.ln(1)
        self.heading("Every check", 12)
        self.checks(cred.checks)

    def part(self, cred: CredentialFacts) -> None:
        """One credential a CLR holds: its own grade and checks."""
        self.pdf.ln(2)
        self.heading(f"In this record: {cred.achievement} from {cred.issuer}: {grade_words(cred.grade).headline}", 11)
        self.checks(cred.checks)

    def endorsement(self, cred: CredentialFacts) -> None:
        self.pdf.ln(2)
        self.heading(f"Endorsement by {cred.issuer}: {grade_words(cred.grade).headline}", 11)
        self.checks(cred.checks)

    def missing_note(self) -> None:
        """Owns up to characters no font on this computer has."""
        if not self.missing:
            return
        self.pdf.ln(3)
        points = " ".join(f"U+{ord(c):04X}" for c in list(dict.fromkeys(self.missing))[:12])
        mark = _UNPRINTABLE if self.fonts else "?"
        self.line(f"Some characters ({points}{' …' if len(set(self.missing)) > 12 else ''}) have no font on this "
                  f"computer and print as {mark}; the history on this device keeps the original text.", 8.5,
                  colour=_MUTED)

    def output(self) -> bytes:
        out: Any = self.pdf.output()
        return bytes(out)


def pdf_report(entry: Entry, *, unicode: bool | None = None, compress: bool = True) -> bytes:
    """A printable one-verification report (A4). ``unicode=None`` uses DejaVu Sans when the system has
    it (any script prints; CJK and emoji through the system's fallback fonts, right-to-left text
    shaped when ``uharfbuzz`` is installed; a character no font has prints as U+FFFD and a note says
    so), else the PDF core fonts (Latin-1; other characters become ``?``). Text is left-aligned and
    long unbroken values (DIDs, URLs) wrap inside their column. Every page has a footer naming the
    verification and the page number."""
    facts = entry.facts
    writer = _Writer(entry, _unicode_font() if unicode is not False else None, compress)
    writer.verdict(entry, facts)
    for n, cred in enumerate(facts.credentials, 1):
        writer.credential(cred, cred.achievement if len(facts.credentials) == 1 else f"{n}. {cred.achievement}")
    for cred in facts.parts:
        writer.part(cred)
    for cred in facts.endorsements:
        writer.endorsement(cred)
    writer.missing_note()
    return writer.output()

"""Verification history on this device: one SQLite file in the verifier's data directory.

Each entry keeps the full report (as ``satchel-verify --json`` prints it, with the verified
documents alongside, so a PDF can be made later without the original input), when it was made,
where the input came from (``camera``, ``image``, ``paste``, ``link``, ``request``, ...) and a
summary for lists: who issued it, to whom, and what it certifies.

:func:`record_of` turns an engine report into that record; :func:`facts_of` reads the plain facts
(issuer, subject, achievement, competencies, credits, evidence, dates, status "as of") back out of
a record for the screen, the CSV export and the PDF report.

Data directory: ``$SATCHEL_VERIFIER_HOME``, else the platform's user data directory
(``platformdirs``) + ``satchel/verifier`` (the same place ``satchel-verifier serve`` uses).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "CSV_COLUMNS", "FORMAT_WORDS", "SOURCE_WORDS", "CredentialFacts", "Entry", "History", "HOME_ENV", "facts_of",
    "pdf_report", "record_of", "verifier_home",
]

HOME_ENV = "SATCHEL_VERIFIER_HOME"
CSV_COLUMNS = ("id", "verified_at", "source", "verdict", "answer", "issuer", "issuer_id", "issuer_known",
               "subject", "achievement", "credentials", "problems", "warnings")
HEADLINES = {"valid": "Verified", "invalid": "Problem", "unverifiable": "Could not check"}


def verifier_home() -> Path:
    """Where this device keeps the verifier's data (history, cached issuer documents)."""
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("satchel") / "verifier"


# -- records and facts --------------------------------------------------------------------------------
def record_of(report: Any) -> dict[str, Any]:
    """The report's JSON with each level's verified document under ``"document"``."""
    out: dict[str, Any] = report.to_json()
    if report.credential is not None:
        out["document"] = _plain(report.credential)
    if report.nested:
        out["credentials"] = [record_of(sub) for sub in report.nested]
    if report.attached:
        out["attached"] = [{"role": sub.format, **record_of(sub)} for sub in report.attached]
    return out


def _plain(doc: Any) -> Any:
    return json.loads(json.dumps(doc, default=str))


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict):  # a language map or a {"@value": ...}
        for key in ("@value", "en", "en-US"):
            if isinstance(value.get(key), str):
                return str(value[key]).strip() or None
    return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _short_id(value: str, keep: int = 28) -> str:
    return value if len(value) <= keep + 8 else value[:keep] + "…" + value[-6:]


@dataclass(frozen=True)
class CredentialFacts:
    """What one credential says, in the words the screen and the reports use."""

    verdict: str
    kind: str  # "Open Badge 3.0", "Open Badge 2.0", "Verifiable Credential", ...
    issuer: str
    issuer_id: str
    issuer_known: bool  # on the trust list; otherwise the name is self-asserted
    issuer_note: str  # the issuer.known check's message
    subject: str
    achievement: str
    description: str = ""
    achievement_type: str = ""
    competencies: tuple[str, ...] = ()
    credits: str = ""
    evidence: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    issued: str = ""
    valid_until: str = ""
    status_as_of: str = ""
    checks: tuple[dict[str, str], ...] = ()
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    format: str = ""
    subject_id: str = ""  # the subject's whole id (``subject`` may show it shortened)


@dataclass(frozen=True)
class RecordFacts:
    """A whole verification: the answer, the presentation's own checks, and each credential."""

    verdict: str
    answer: str
    format: str
    at: str
    holder: str
    presentation_checks: tuple[dict[str, str], ...]
    credentials: tuple[CredentialFacts, ...]
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    is_presentation: bool = False
    endorsements: tuple[CredentialFacts, ...] = field(default=())
    holder_id: str = ""  # the holder's whole id (``holder`` shows it shortened)


_AS_OF = re.compile(r"as of ([^,)]+)")


def _status_as_of(checks: Sequence[dict[str, Any]]) -> str:
    for c in checks:
        if str(c.get("id", "")).startswith("status"):
            m = _AS_OF.search(str(c.get("message", "")))
            if m:
                return m.group(1).strip()
    return ""


def _kind(fmt: str, doc: dict[str, Any]) -> str:
    types = [str(t) for t in _list(doc.get("type"))]
    if fmt.startswith("ob2"):
        return "Open Badge 2.0"
    if "ClrCredential" in types:
        return "Comprehensive Learner Record"
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        return "Open Badge 3.0"
    if "EndorsementCredential" in types:
        return "Endorsement"
    return "Verifiable Credential"


def _date(value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return when.strftime("%d %B %Y").lstrip("0")


def _subject_name(subject: dict[str, Any], fallback: str) -> str:
    name = _text(subject.get("name"))
    if name:
        return name
    for ident in _list(subject.get("identifier")):
        if isinstance(ident, dict) and not ident.get("hashed") and _text(ident.get("identityHash")):
            return str(ident["identityHash"])
    sid = _text(subject.get("id"))
    return _short_id(sid) if sid else fallback


def _competencies(achievement: dict[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    for a in _list(achievement.get("alignment")):
        if isinstance(a, dict) and _text(a.get("targetName")):
            code = _text(a.get("targetCode"))
            framework = _text(a.get("targetFramework"))
            label = str(a["targetName"]).strip() + (f" ({code})" if code else "")
            out.append(label + (f", {framework}" if framework else ""))
    return tuple(out)


def _evidence(doc: dict[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    for e in _list(doc.get("evidence")):
        if isinstance(e, dict):
            label = _text(e.get("name")) or _text(e.get("narrative")) or _text(e.get("description"))
            url = _text(e.get("id"))
            out.append(" ".join(x for x in (label, f"<{url}>" if url and url.startswith("http") else None) if x)
                       or "evidence")
        elif isinstance(e, str):
            out.append(e)
    return tuple(out)


def _credits(subject: dict[str, Any], achievement: dict[str, Any]) -> str:
    for key, word, holder in (("creditsEarned", "earned", subject), ("creditsAvailable", "available", achievement)):
        value = holder.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value:g} credit{'s' if value != 1 else ''} {word}"
    return ""


def _results(subject: dict[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    for r in _list(subject.get("result")):
        if isinstance(r, dict):
            value = _text(r.get("value")) or _text(r.get("status"))
            if value:
                out.append(value)
    return tuple(out)


def _issuer(doc: dict[str, Any], fmt: str) -> tuple[str, str]:
    issuer = doc.get("issuer")
    if fmt.startswith("ob2") and isinstance(doc.get("badge"), dict):
        issuer = doc["badge"].get("issuer", issuer)
    if isinstance(issuer, dict):
        ident = _text(issuer.get("id")) or ""
        return _text(issuer.get("name")) or _short_id(ident) or "an unnamed issuer", ident
    if isinstance(issuer, str):
        return _short_id(issuer), issuer
    return "an unnamed issuer", ""


def credential_facts(rec: dict[str, Any]) -> CredentialFacts:
    doc = rec.get("document") if isinstance(rec.get("document"), dict) else {}
    assert isinstance(doc, dict)
    fmt = str(rec.get("format", ""))
    checks = tuple({"id": str(c.get("id", "")), "status": str(c.get("status", "")),
                    "message": str(c.get("message", ""))} for c in rec.get("checks", []) if isinstance(c, dict))
    known_check = next((c for c in checks if c["id"] == "issuer.known"), None)
    issuer, issuer_id = _issuer(doc, fmt)
    if fmt.startswith("ob2"):
        badge = doc.get("badge") if isinstance(doc.get("badge"), dict) else {}
        assert isinstance(badge, dict)
        recipient = doc.get("recipient") if isinstance(doc.get("recipient"), dict) else {}
        assert isinstance(recipient, dict)
        to_whom = (str(recipient.get("identity")) if not recipient.get("hashed") and recipient.get("identity")
                   else f"a hashed {recipient.get('type', 'identity')}" if recipient else "not stated")
        name = _text(badge.get("name")) or (str(doc.get("badge")) if isinstance(doc.get("badge"), str) else "")
        return CredentialFacts(
            verdict=str(rec.get("verdict", "")), kind=_kind(fmt, doc), issuer=issuer, issuer_id=issuer_id,
            issuer_known=bool(known_check and known_check["status"] == "passed"),
            issuer_note=known_check["message"] if known_check else "", subject=to_whom,
            achievement=name or "a badge", description=_text(badge.get("description")) or "",
            competencies=_competencies(badge), evidence=_evidence(doc), issued=_date(doc.get("issuedOn")),
            valid_until=_date(doc.get("expires")), status_as_of=_status_as_of(checks), checks=checks,
            problems=tuple(rec.get("problems", [])), warnings=tuple(rec.get("warnings", [])), format=fmt)
    subjects = [s for s in _list(doc.get("credentialSubject")) if isinstance(s, dict)]
    subject = subjects[0] if subjects else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    assert isinstance(achievement, dict)
    title = _text(achievement.get("name")) or _text(doc.get("name")) or "a credential"
    return CredentialFacts(
        verdict=str(rec.get("verdict", "")), kind=_kind(fmt, doc), issuer=issuer, issuer_id=issuer_id,
        issuer_known=bool(known_check and known_check["status"] == "passed"),
        issuer_note=known_check["message"] if known_check else "",
        subject=_subject_name(subject, "not stated"), subject_id=_text(subject.get("id")), achievement=title,
        description=_text(achievement.get("description")) or _text(doc.get("description")) or "",
        achievement_type=_text(achievement.get("achievementType")) or "",
        competencies=_competencies(achievement), credits=_credits(subject, achievement),
        evidence=_evidence(doc), results=_results(subject),
        issued=_date(doc.get("validFrom") or doc.get("issuanceDate") or doc.get("awardedDate")),
        valid_until=_date(doc.get("validUntil") or doc.get("expirationDate")),
        status_as_of=_status_as_of(checks), checks=checks, problems=tuple(rec.get("problems", [])),
        warnings=tuple(rec.get("warnings", [])), format=fmt)


def facts_of(rec: dict[str, Any]) -> RecordFacts:
    fmt = str(rec.get("format", ""))
    verdict = str(rec.get("verdict", "unverifiable"))
    checks = tuple({"id": str(c.get("id", "")), "status": str(c.get("status", "")),
                    "message": str(c.get("message", ""))} for c in rec.get("checks", []) if isinstance(c, dict))
    doc = rec.get("document") if isinstance(rec.get("document"), dict) else {}
    assert isinstance(doc, dict)
    if fmt.startswith("vp"):
        holder = doc.get("holder")
        holder = holder.get("id") if isinstance(holder, dict) else holder
        creds = tuple(credential_facts(c) for c in rec.get("credentials", []) if isinstance(c, dict))
        return RecordFacts(verdict, HEADLINES.get(verdict, verdict), fmt, str(rec.get("at", "")),
                           _short_id(holder) if isinstance(holder, str) else "", checks, creds,
                           tuple(rec.get("problems", [])), tuple(rec.get("warnings", [])), True,
                           holder_id=holder if isinstance(holder, str) else "")
    endorsements = tuple(credential_facts(a) for a in rec.get("attached", []) if isinstance(a, dict))
    return RecordFacts(verdict, HEADLINES.get(verdict, verdict), fmt, str(rec.get("at", "")), "", (),
                       (credential_facts(rec),), tuple(rec.get("problems", [])), tuple(rec.get("warnings", [])),
                       False, endorsements)


# -- the store ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    id: str
    verified_at: str  # ISO 8601 UTC, milliseconds
    source: str
    verdict: str
    issuer: str
    issuer_id: str
    issuer_known: bool
    subject: str
    achievement: str
    credentials: int
    record: dict[str, Any]

    @property
    def answer(self) -> str:
        return HEADLINES.get(self.verdict, self.verdict)

    @property
    def facts(self) -> RecordFacts:
        return facts_of(self.record)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS verifications (
    id TEXT PRIMARY KEY, verified_at TEXT NOT NULL, source TEXT NOT NULL, verdict TEXT NOT NULL,
    issuer TEXT NOT NULL, issuer_id TEXT NOT NULL, issuer_known INTEGER NOT NULL, subject TEXT NOT NULL,
    achievement TEXT NOT NULL, credentials INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS verifications_when ON verifications (verified_at);
"""


class History:
    """The device's verification history (thread-safe; one connection behind a lock)."""

    FILE_NAME = "history.sqlite3"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=10)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")  # a deleted verification is overwritten on disk
            self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, home: Path | None = None) -> History:
        return cls((home or verifier_home()) / cls.FILE_NAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, report: Any, source: str, *, when: datetime | None = None) -> Entry:
        """Record a verification (an engine report, or a record from :func:`record_of`)."""
        rec = report if isinstance(report, dict) else record_of(report)
        facts = facts_of(rec)
        first = facts.credentials[0] if facts.credentials else None
        at = (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        entry = Entry(
            id=secrets.token_hex(8), verified_at=at, source=source, verdict=facts.verdict,
            issuer=first.issuer if first else "", issuer_id=first.issuer_id if first else "",
            issuer_known=bool(first and first.issuer_known), subject=first.subject if first else "",
            achievement="; ".join(c.achievement for c in facts.credentials) or "nothing readable",
            credentials=len(facts.credentials), record=rec)
        with self._lock:
            self._db.execute("INSERT INTO verifications VALUES (?,?,?,?,?,?,?,?,?,?,?)", (
                entry.id, entry.verified_at, entry.source, entry.verdict, entry.issuer, entry.issuer_id,
                int(entry.issuer_known), entry.subject, entry.achievement, entry.credentials,
                json.dumps(rec, ensure_ascii=False)))
        return entry

    @staticmethod
    def _entry(row: Sequence[Any]) -> Entry:
        return Entry(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), bool(row[6]),
                     str(row[7]), str(row[8]), int(row[9]), json.loads(row[10]))

    def list(self, limit: int = 500) -> list[Entry]:
        """Newest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM verifications ORDER BY verified_at DESC, rowid DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [self._entry(r) for r in rows]

    def get(self, entry_id: str) -> Entry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM verifications WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(row) if row else None

    def delete(self, entry_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM verifications WHERE id = ?", (entry_id,)).rowcount > 0

    def clear(self) -> int:
        with self._lock:
            return int(self._db.execute("DELETE FROM verifications").rowcount)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM verifications").fetchone()[0])

    # -- exports ----------------------------------------------------------------------------------
    def export_csv(self, entries: Iterable[Entry] | None = None) -> str:
        """CSV (RFC 4180, header row of :data:`CSV_COLUMNS`), oldest first."""
        given = list(entries) if entries is not None else list(reversed(self.list(limit=1_000_000)))
        rows = sorted(given, key=lambda e: e.verified_at)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for e in rows:
            facts = e.facts
            writer.writerow([e.id, e.verified_at, e.source, e.verdict, e.answer, _cell(e.issuer), e.issuer_id,
                             "yes" if e.issuer_known else "no (self-asserted)", _cell(e.subject),
                             _cell(e.achievement), e.credentials, " ".join(facts.problems),
                             " ".join(facts.warnings)])
        return buf.getvalue()

    def write_csv(self, path: str | Path, entries: Iterable[Entry] | None = None) -> Path:
        target = Path(path)
        target.write_text(self.export_csv(entries), encoding="utf-8-sig")  # BOM: spreadsheets read UTF-8
        return target


def _cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheets (CSV injection): make it plain text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# -- PDF ---------------------------------------------------------------------------------------------
_CHECK_WORDS = {"passed": "Passed", "failed": "Failed", "warning": "Note", "skipped": "Not checked",
                "could-not-check": "Could not check"}
_VERDICT_COLOURS = {"valid": (29, 94, 42), "invalid": (161, 35, 27), "unverifiable": (122, 75, 0)}
SOURCE_WORDS = {"camera": "Camera", "image": "QR image", "paste": "Pasted", "link": "Share link",
                "request": "Request"}
FORMAT_WORDS = {"vc": "Verifiable Credential (JSON-LD)", "vp": "Verifiable Presentation (JSON-LD)",
                "vc-jwt": "Verifiable Credential (JWT)", "vp-jwt": "Verifiable Presentation (JWT)",
                "ob2": "Open Badge 2.0", "ob2-jws": "Open Badge 2.0 (signed)", "ob2-url": "Open Badge 2.0 (hosted)",
                "url": "Hosted credential"}
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


def pdf_report(entry: Entry, *, unicode: bool | None = None, compress: bool = True) -> bytes:
    """A printable one-verification report (A4). ``unicode=None`` uses DejaVu Sans when the system has
    it (any script prints; CJK and emoji through the system's fallback fonts, right-to-left text
    shaped when ``uharfbuzz`` is installed; a character no font has prints as U+FFFD and a note says
    so), else the PDF core fonts (Latin-1; other characters become ``?``). Text is left-aligned and
    long unbroken values (DIDs, URLs) wrap inside their column. Every page has a footer naming the
    verification and the page number."""
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    facts = entry.facts
    fonts = _unicode_font() if unicode is not False else None
    body_colour, muted = (27, 35, 38), (74, 90, 96)

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-13)
            self.set_font(family, "", 8)
            self.set_text_color(*muted)
            self.cell(0, 5, clean(f"Satchel verifier {dot} verification {entry.id} {dot} checks as of the time "
                                  "shown"), align=Align.L)
            self.set_x(self.l_margin)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align=Align.R)

    pdf = Report(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(f"Verification report: {entry.achievement}")
    pdf.set_author("Satchel verifier")
    pdf.set_creator("Satchel verifier")
    pdf.set_lang("en")
    pdf.set_auto_page_break(True, margin=20)
    printable: set[int] = set()
    missing: list[str] = []
    if fonts:
        pdf.add_font("Body", "", str(fonts[0]))
        pdf.add_font("Body", "B", str(fonts[1]))
        family = "Body"
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
            printable.update(getattr(font, "cmap", {}) or {})
        if _shaping_available():
            pdf.set_text_shaping(True)
    else:
        family = "Helvetica"
    dot = "·"  # Latin-1 has it too

    def clean(text: str) -> str:
        if fonts:
            out = []
            for ch in text:
                if ch in "\n\t " or ord(ch) in printable or unicodedata.category(ch).startswith(("C", "M", "Z")):
                    out.append(ch)
                else:
                    missing.append(ch)
                    out.append(_UNPRINTABLE)
            return "".join(out)
        text = text.replace("…", "...").replace("“", '"').replace("”", '"').replace("’", "'").replace("–", "-")
        text = text.replace("—", "-")
        missing.extend(ch for ch in text if ord(ch) > 0xFF)
        return text.encode("latin-1", "replace").decode("latin-1")

    width = pdf.w - pdf.l_margin - pdf.r_margin
    label_width = 40

    def line(text: str, size: float = 10.5, bold: bool = False, colour: tuple[int, int, int] = body_colour,
             gap: float = 1.5) -> None:
        pdf.set_font(family, "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width, size * 0.5, clean(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    def pair(label: str, value: str) -> None:
        if not value:
            return
        if pdf.will_page_break(11):  # a label is not left alone at the foot of a page
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_font(family, "B", 9.5)
        pdf.set_text_color(*muted)
        pdf.multi_cell(label_width - 3, 5.5, clean(label), align=Align.L, new_x=XPos.RIGHT, new_y=YPos.TOP)
        after_label = pdf.get_y()
        pdf.set_xy(pdf.l_margin + label_width, top)
        pdf.set_font(family, "", 10.5)
        pdf.set_text_color(*body_colour)
        pdf.multi_cell(width - label_width, 5.5, clean(value), align=Align.L, new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), after_label) + 0.8)

    def checks(items: Sequence[dict[str, str]]) -> None:
        for c in items:
            if pdf.will_page_break(10):
                pdf.add_page()
            word = _CHECK_WORDS.get(c["status"], c["status"])
            colour = {"passed": (29, 94, 42), "failed": (161, 35, 27)}.get(c["status"], (122, 75, 0))
            top = pdf.get_y()
            pdf.set_font(family, "B", 9.5)
            pdf.set_text_color(*colour)
            pdf.cell(30, 5, clean(word))
            pdf.set_font(family, "", 9.5)
            pdf.set_text_color(*body_colour)
            pdf.multi_cell(width - 30, 5, clean(c["message"]), align=Align.L, new_x=XPos.LMARGIN,
                           new_y=YPos.NEXT)
            pdf.set_x(pdf.l_margin + 30)
            pdf.set_font(family, "", 7.5)
            pdf.set_text_color(*muted)
            pdf.multi_cell(width - 30, 3.8, clean(c["id"]), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_y(max(pdf.get_y(), top + 5) + 1.2)

    def heading(text: str, size: float, colour: tuple[int, int, int] = body_colour, gap: float = 1.0) -> None:
        if pdf.will_page_break(size * 0.5 + 14):  # a heading goes with what follows it
            pdf.add_page()
        line(text, size, bold=True, colour=colour, gap=gap)

    pdf.add_page()
    line(f"Satchel verifier {dot} verification report", 10, colour=muted, gap=4)
    colour = _VERDICT_COLOURS.get(facts.verdict, body_colour)
    pdf.set_fill_color(*colour)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(family, "B", 30)
    pdf.cell(width, 18, clean(facts.answer), fill=True, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    explain = {"valid": "Every check passed.",
               "invalid": "At least one check failed: do not rely on this credential.",
               "unverifiable": "Some checks could not be made (for example, the issuer could not be reached)."}
    line(explain.get(facts.verdict, ""), 11, gap=3)
    pair("Verified on", _human_time(entry.verified_at))
    pair("How it came", SOURCE_WORDS.get(entry.source, entry.source))
    pair("Format", FORMAT_WORDS.get(facts.format, facts.format))
    if facts.problems:
        pair("Problems", ", ".join(facts.problems))
    if facts.warnings:
        pair("Notes", ", ".join(facts.warnings))
    if facts.is_presentation:
        pair("Presented by", facts.holder_id or facts.holder)
        pdf.ln(2)
        heading("The presentation", 13)
        checks(facts.presentation_checks)
    for n, cred in enumerate(facts.credentials, 1):
        pdf.ln(3)
        title = cred.achievement if len(facts.credentials) == 1 else f"{n}. {cred.achievement}"
        heading(title, 16)
        line(f"{HEADLINES.get(cred.verdict, cred.verdict)} {dot} {cred.kind}", 11, bold=True,
             colour=_VERDICT_COLOURS.get(cred.verdict, body_colour), gap=2)
        pair("Issued by", cred.issuer + ("  (known issuer)" if cred.issuer_known else "  (self-asserted name)"))
        pair("Issuer id", cred.issuer_id)
        if cred.subject_id and cred.subject == _short_id(cred.subject_id):
            pair("Issued to", cred.subject_id)  # no name: the whole id, not the screen's short form
        else:
            pair("Issued to", cred.subject)
            pair("Subject id", cred.subject_id)
        pair("What it certifies", cred.description)
        pair("Type", cred.achievement_type)
        pair("Competencies", "\n".join(cred.competencies))
        pair("Credits", cred.credits)
        pair("Results", "\n".join(cred.results))
        pair("Evidence", "\n".join(cred.evidence))
        pair("Issued", cred.issued)
        pair("Valid until", cred.valid_until or "no end date")
        pair("Status as of", cred.status_as_of or "no status list")
        pdf.ln(1)
        heading("Every check", 12)
        checks(cred.checks)
    for cred in facts.endorsements:
        pdf.ln(2)
        heading(f"Endorsement by {cred.issuer}: {HEADLINES.get(cred.verdict, cred.verdict)}", 11)
        checks(cred.checks)
    if missing:
        pdf.ln(3)
        points = " ".join(f"U+{ord(c):04X}" for c in list(dict.fromkeys(missing))[:12])
        mark = _UNPRINTABLE if fonts else "?"
        line(f"Some characters ({points}{' …' if len(set(missing)) > 12 else ''}) have no font on this computer "
             f"and print as {mark}; the history on this device keeps the original text.", 8.5, colour=muted)
    return bytes(pdf.output())


def _human_time(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return when.strftime("%d %B %Y, %H:%M UTC").lstrip("0")

"""``satchel-verify``: verify credentials from files, URLs or stdin; print a report.

Exit codes: 0 all valid, 1 any invalid, 2 otherwise unverifiable (or a usage error).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ._checks.dates import parse_datetime
from ._errors import MalformedError
from ._facts import read_facts
from ._formats._detect import MAX_INPUT_BYTES
from ._net import Fetcher, LocalDocuments, make_client
from ._report import Status, Verdict, VerificationReport
from ._verify import verify

if TYPE_CHECKING:
    from ._trust import TrustList

_MARK = {Status.PASSED: "✓", Status.FAILED: "✗", Status.WARNING: "!", Status.SKIPPED: "–",
         Status.COULD_NOT_CHECK: "?"}
_HEADLINE = {Verdict.VALID: "VERIFIED", Verdict.INVALID: "PROBLEM", Verdict.UNVERIFIABLE: "COULD NOT CHECK"}
# ANSI SGR colours (ECMA-48 §8.3.117): green, red, yellow; only on a terminal, never with NO_COLOR
_VERDICT_COLOUR = {Verdict.VALID: "32", Verdict.INVALID: "31", Verdict.UNVERIFIABLE: "33"}
_MARK_COLOUR = {Status.PASSED: "32", Status.FAILED: "31", Status.WARNING: "33", Status.COULD_NOT_CHECK: "33"}


def wants_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only for a person at a terminal: not piped, not ``NO_COLOR`` (no-color.org), not dumb."""
    return stream.isatty() and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def _paint(text: str, code: str | None, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def _emit(line: str) -> None:
    print(line, flush=True)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="satchel-verify", description="Verify Open Badges and Verifiable "
                                "Credentials (JSON, JWT, baked PNG/SVG, OB 2.0 hosted) offline-first.")
    p.add_argument("inputs", nargs="+", metavar="FILE|URL|-",
                   help="what to verify: a credential or presentation file (JSON, JWT, baked PNG/SVG), a QR "
                        "picture (PNG/JPEG), a URL or share link; - reads stdin (JSON, JWT, SV1: QR text, link)")
    p.add_argument("--json", action="store_true", help="one JSON object per input (JSON Lines)")
    p.add_argument("--offline", action="store_true", help="never touch the network")
    p.add_argument("--documents", metavar="MAP", help="JSON map of URL -> local file answering fetches")
    p.add_argument("--at", metavar="TIME", help="verify as of this ISO 8601 time (default: now)")
    p.add_argument("--challenge", help="the challenge the holder was asked to sign (presentations)")
    p.add_argument("--domain", help="the domain the holder was asked to sign for (presentations)")
    p.add_argument("--allow-loopback", action="store_true",
                   help="development: also fetch from 127.0.0.1 (a local issuer stub or verifier)")
    p.add_argument("--cache", metavar="DIR", help="keep fetched issuer documents here; used when offline")
    p.add_argument("--trust", metavar="FILE", help="issuer trust list (DCC issuer registry JSON shape)")
    p.add_argument("--no-subject-binding", action="store_true",
                   help="accept a presentation of credentials issued to someone other than its holder "
                        "(VCDM 2.0 allows it; shown as a warning instead of holder-mismatch)")
    p.add_argument("--identity", metavar="EMAIL|URL|PHONE",
                   help="check that the badge was issued to this person (recipient identity)")
    return p


def _read(item: str, stdin: TextIO) -> bytes | str:
    if item == "-":
        return stdin.buffer.read(MAX_INPUT_BYTES + 1) if hasattr(stdin, "buffer") else stdin.read()
    if item.startswith(("https://", "http://")) and not Path(item).exists():
        return item
    with open(item, "rb") as fh:
        return fh.read(MAX_INPUT_BYTES + 1)


def _fetcher(args: argparse.Namespace) -> Fetcher:
    documents = LocalDocuments.from_file(args.documents) if args.documents else None
    cache = None
    if args.cache:
        from ._cache import DiskCache

        cache = DiskCache(args.cache)
    client = None if args.offline else make_client(allow_loopback=args.allow_loopback)
    return Fetcher(client, documents=documents, cache=cache)


def _short_name(name: str) -> str:
    """An input as named on the headline: a 2 KB share link is shown by its start and end."""
    if len(name) <= 80 or not name.startswith(("https://", "http://")):
        return name
    return f"{name[:56]}…{name[-20:]}"


def summary_of(credential: object, fetcher: Fetcher | None = None) -> str | None:
    """What it is, who issued it, to whom: read from what was verified (``report.credential``)."""
    if not isinstance(credential, dict):
        return None
    if "VerifiablePresentation" in str(credential.get("type")):
        holder = credential.get("holder")
        holder = holder.get("id") if isinstance(holder, dict) else holder
        return f"presented by {holder}" if isinstance(holder, str) and holder else None
    facts = read_facts(credential, fetcher=fetcher)  # an OB 2.0 BadgeClass: from the fetcher's cache
    parts = [f"\u201c{facts.name}\u201d" if facts.name else None,
             f"from {facts.issuer.label}" if facts.issuer and facts.issuer.label else None,
             f"issued to {facts.subject_name or facts.subject_id}" if facts.subject_name or facts.subject_id else None]
    found = [p for p in parts if p]
    return " ".join(found) if found else None


def render_text(report: VerificationReport, name: str, fetcher: Fetcher | None = None, *,
                colour: bool = False) -> str:
    headline = _paint(_HEADLINE[report.verdict], "1;" + _VERDICT_COLOUR[report.verdict], colour)
    lines = [f"{_short_name(name)}: {headline}" + (f"  ({', '.join(report.problems)})" if report.problems else "")]
    about = summary_of(report.credential, fetcher)
    if about:
        lines.append(f"  {about}")
    for c in report.checks:
        lines.append(f"  {_paint(_MARK[c.status], _MARK_COLOUR.get(c.status), colour)} {c.message}")
    for n, sub in enumerate(report.nested, 1):
        lines.append(render_text(sub, f"  credential {n}", fetcher, colour=colour).replace("\n", "\n  "))
    for n, sub in enumerate(report.attached, 1):
        role = "endorsement" if sub.format == "endorsement" else "contained credential"
        lines.append(render_text(sub, f"  {role} {n}", fetcher, colour=colour).replace("\n", "\n  "))
    if report.warnings:
        lines.append("  warnings: " + ", ".join(report.warnings))
    return "\n".join(lines)


class _UsageError(Exception):
    """An option that cannot be used: said on stderr, exit code 2."""


def _time_asked(args: argparse.Namespace) -> datetime | None:
    """``--at`` as a time (a bare date is midnight UTC), or None for now."""
    if not args.at:
        return None
    try:
        return parse_datetime(args.at if "T" in args.at else args.at + "T00:00:00Z", "--at")
    except MalformedError:
        raise _UsageError(f"--at {args.at!r} is not an ISO 8601 time") from None


def _checked_fetcher(args: argparse.Namespace) -> Fetcher:
    try:
        return _fetcher(args)
    except (OSError, ValueError) as exc:
        raise _UsageError(f"cannot read --documents: {exc}") from None


def _trust_list(args: argparse.Namespace) -> TrustList | None:
    if not args.trust:
        return None
    from ._trust import TrustList

    try:
        return TrustList.load(args.trust)
    except (OSError, ValueError) as exc:
        raise _UsageError(f"cannot read --trust: {exc}") from None


@dataclass(frozen=True)
class _Run:
    """What every input of one ``satchel-verify`` run is verified and shown with."""

    args: argparse.Namespace
    fetcher: Fetcher
    at: datetime | None
    trust: TrustList | None
    colour: bool


def _verify_one(item: str, run: _Run) -> Verdict | None:
    """Verify and print one input; None when it cannot be read at all."""
    args = run.args
    try:
        data = _read(item, sys.stdin)
        report = verify(data, fetcher=run.fetcher, at=run.at or datetime.now(UTC), challenge=args.challenge,
                        domain=args.domain, source=item, identity=args.identity, trust=run.trust,
                        subject_binding=not args.no_subject_binding)
    except OSError as exc:
        # Not a credential problem: the file is not there (or not readable). Said plainly on
        # stderr; with --json the line for it says the same, so lines still match the inputs.
        reason = exc.strerror or str(exc)
        print(f"satchel-verify: cannot read {item}: {reason}", file=sys.stderr)
        if args.json:
            _emit(json.dumps({"source": item, "error": "cannot-read", "message": f"Cannot read {item}: {reason}."}))
        return None
    _emit(json.dumps(report.to_json(), ensure_ascii=False) if args.json
          else render_text(report, item, run.fetcher, colour=run.colour))
    return report.verdict


def _exit_code(verdicts: list[Verdict | None]) -> int:
    """0 all valid, 1 any invalid, 2 otherwise unverifiable or any input unreadable."""
    if None in verdicts:
        return 2
    if all(v == Verdict.VALID for v in verdicts):
        return 0
    if any(v == Verdict.INVALID for v in verdicts):
        return 1
    return 2


def _main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    colour = not args.json and wants_colour(sys.stdout, os.environ)
    try:
        at = _time_asked(args)
        run = _Run(args, _checked_fetcher(args), at, _trust_list(args), colour)
    except _UsageError as exc:
        print(f"satchel-verify: {exc}", file=sys.stderr)
        return 2
    return _exit_code([_verify_one(item, run) for item in args.inputs])


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # ``satchel-verify … | head -1``: a reader that stops early is not an error. Python's own
        # advice: point stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""Search over decrypted credential summaries: folding, matching and sorting.

The store keeps one :class:`Indexed` entry per credential in memory once unlocked; everything
here works on those entries only, never on the database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .models import CredentialSummary, SearchPage, SortOrder


def fold_for_search(text: str) -> str:
    """Case- and accent-insensitive form: "Café" and "cafe" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Indexed:
    summary: CredentialSummary
    haystack: str  # folded name, issuer, skills and tags


def indexed(summary: CredentialSummary) -> Indexed:
    d = summary.display
    parts = [d.name, d.issuer, *d.skills, *summary.tags]
    return Indexed(summary, "\n".join(fold_for_search(p) for p in parts))


def search_entries(
    entries: Iterable[Indexed], query: str, *, tags: Iterable[str], verdicts: Iterable[str | None],
    sort: SortOrder, offset: int, limit: int | None,
) -> SearchPage:
    """The page of ``entries`` (in insertion order) matching every word of ``query``, all ``tags``
    and any of ``verdicts`` (None = never verified; none given = any), in ``sort`` order."""
    terms = fold_for_search(query).split()
    wanted_tags = set(tags)
    wanted_verdicts = set(verdicts)
    summaries = [
        e.summary for e in entries
        if all(t in e.haystack for t in terms)
        and wanted_tags.issubset(e.summary.tags)
        and (not wanted_verdicts or e.summary.verdict in wanted_verdicts)
    ]
    if sort == "added":
        summaries.reverse()  # newest first; the index is in insertion order
    elif sort == "issued":
        summaries.sort(key=lambda s: s.display.issued or "", reverse=True)
    elif sort == "name":
        summaries.sort(key=lambda s: fold_for_search(s.display.name))
    elif sort == "issuer":
        summaries.sort(key=lambda s: fold_for_search(s.display.issuer))
    else:
        raise ValueError(f"unknown sort order {sort!r}")
    end = None if limit is None else offset + limit
    return SearchPage(total=len(summaries), items=tuple(summaries[offset:end]))

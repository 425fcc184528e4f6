"""Pathways: the badges held, shown against the pathways their issuers define.

The engine reads a pathway (``credentials.Pathway``) from a pathway document the issuer publishes,
from a CLR's associations, or from an achievement's ``related`` achievements; this module puts the
wallet's badges on it: which parts they earn (and which record to open for each), and what to say
when a pathway document could not be had (then the parts the badges themselves name are shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from credentials import (
    Facts,
    Pathway,
    PathwayPart,
    pathway_document_urls,
    pathways_in_credential,
    read_facts,
    with_earned,
)

# A pathway from the issuer's own document first, then a CLR's, then an achievement's related list.
_SOURCE_RANK = {"document": 0, "clr": 1, "related": 2, "": 3}


@dataclass(frozen=True)
class HeldBadge:
    record_id: str
    credential: Mapping[str, Any] | None
    counts: bool = True  # False when its last check found a problem: a revoked badge earns no part


@dataclass(frozen=True)
class ShownPathway:
    """A pathway with the wallet's badges on it."""

    pathway: Pathway
    records: tuple[tuple[str, str], ...] = ()  # (achievement id, record id) of the badges that earn parts
    note: str = ""  # said above the parts, e.g. that the issuer's pathway could not be fetched

    @property
    def name(self) -> str:
        return self.pathway.name

    @property
    def progress(self) -> float:
        return self.pathway.earned_count / len(self.pathway.parts) if self.pathway.parts else 0.0

    def record_for(self, part: PathwayPart) -> str | None:
        return dict(self.records).get(part.achievement_id)


def document_urls(held: Iterable[HeldBadge]) -> list[str]:
    """The pathway documents the badges name (each on its own issuer's origin), once each."""
    return list(dict.fromkeys(url for badge in held for url in pathway_document_urls(badge.credential)))


def find_pathways(held: Iterable[HeldBadge], documents: Mapping[str, Pathway],
                  unreachable: Mapping[str, str]) -> list[ShownPathway]:
    """Every pathway the badges belong to, earned parts marked. ``documents``: the pathway
    documents fetched (URL -> pathway); ``unreachable``: URL -> why it could not be had."""
    badges = list(held)
    facts = {badge.record_id: read_facts(badge.credential) for badge in badges}
    counting = [facts[b.record_id] for b in badges if b.counts]
    found: dict[str, Pathway] = {}
    candidates = [*documents.values(), *(p for b in badges for p in pathways_in_credential(b.credential))]
    for pathway in sorted(candidates, key=lambda p: _SOURCE_RANK.get(p.source, 3)):
        found.setdefault(pathway.id, pathway)
    shown = [ShownPathway(with_earned(p, counting), _records_of(badges, facts)) for p in found.values()]
    for url, why in unreachable.items():
        fallback = _named_by_badges(url, badges, facts)
        if fallback is not None:
            shown.append(ShownPathway(with_earned(fallback, counting), _records_of(badges, facts), why))
    shown.sort(key=lambda s: (-s.progress, s.name.lower()))
    return shown


def _records_of(badges: list[HeldBadge], facts: Mapping[str, Facts]) -> tuple[tuple[str, str], ...]:
    """Achievement id -> the record that holds it (a part inside a CLR opens the CLR)."""
    records: dict[str, str] = {}
    for badge in badges:
        if not badge.counts:
            continue
        said = facts[badge.record_id]
        for one in said.parts if said.kind == "ClrCredential" else (said, *said.parts):
            if one.achievement_id:
                records.setdefault(one.achievement_id, badge.record_id)
    return tuple(records.items())


def _named_by_badges(url: str, badges: list[HeldBadge], facts: Mapping[str, Facts]) -> Pathway | None:
    """When the issuer's pathway document cannot be had: the parts the badges naming it are."""
    naming = [facts[b.record_id] for b in badges if url in pathway_document_urls(b.credential)]
    if not naming:
        return None
    parts = tuple(PathwayPart(achievement_id=f.achievement_id, name=f.name or "A badge", order=n + 1)
                  for n, f in enumerate({f.achievement_id: f for f in naming if f.achievement_id}.values()))
    issuer = naming[0].issuer
    who = issuer.label if issuer is not None else urlsplit(url).netloc
    return Pathway(id=url, name=f"A pathway of {who}", issuer=issuer, parts=parts, source="", document_url=url)


__all__ = ["HeldBadge", "ShownPathway", "document_urls", "find_pathways"]

"""Pathways: badges that stack toward a larger credential, as progress.

A larger credential names the achievements it stacks in ``achievement.related`` (OB 3.0), or
carries them inside itself (a CLR, ``credentialSubject.verifiableCredential``). Each part is
earned when the wallet holds a badge for that achievement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .badge_facts import BadgeFacts


@dataclass(frozen=True)
class PathwayStep:
    name: str
    achievement_id: str
    earned: bool
    record_id: str | None = None  # the badge in the wallet that earns it


@dataclass(frozen=True)
class Pathway:
    name: str
    record_id: str | None  # the larger credential, when the wallet holds it
    steps: tuple[PathwayStep, ...]

    @property
    def earned_count(self) -> int:
        return sum(step.earned for step in self.steps)

    @property
    def progress(self) -> float:
        return self.earned_count / len(self.steps) if self.steps else 0.0


@dataclass(frozen=True)
class HeldBadge:
    record_id: str
    facts: BadgeFacts
    credential: Mapping[str, Any] | None


def name_from_identifier(identifier: str) -> str:
    """``https://x/achievements/healthy-menus`` -> ``Healthy menus`` (for parts not held yet)."""
    tail = identifier.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    words = tail.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else identifier


def find_pathways(held: Iterable[HeldBadge]) -> list[Pathway]:
    badges = list(held)
    by_achievement: dict[str, str] = {}
    for badge in badges:
        if badge.facts.achievement_id:
            by_achievement.setdefault(badge.facts.achievement_id, badge.record_id)
    names = {b.facts.achievement_id: b.facts.name for b in badges if b.facts.achievement_id}
    pathways = []
    for badge in badges:
        steps: list[PathwayStep] = []
        for part_id in badge.facts.related_achievement_ids:
            record = by_achievement.get(part_id)
            steps.append(PathwayStep(names.get(part_id) or name_from_identifier(part_id), part_id,
                                     earned=record is not None, record_id=record))
        for part_id, part_name in badge.facts.parts:
            # Parts carried inside a CLR were earned: the record itself is the proof.
            steps.append(PathwayStep(part_name, part_id, earned=True, record_id=by_achievement.get(part_id)))
        if steps:
            pathways.append(Pathway(badge.facts.name, badge.record_id, tuple(steps)))
    pathways.sort(key=lambda p: (-p.progress, p.name.lower()))
    return pathways


def describe_progress(pathway: Pathway) -> str:
    total = len(pathway.steps)
    return f"{pathway.earned_count} of {total} part{'s' if total != 1 else ''} earned"


__all__ = ["HeldBadge", "Pathway", "PathwayStep", "describe_progress", "find_pathways", "name_from_identifier"]

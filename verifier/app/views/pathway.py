"""The stack a shared CLR (or a presentation of badges of one pathway) shows: every part of the
pathway the credentials state, which of them were presented and verified, the credits and what
the whole stack certifies. Read by the engine (``credentials.pathways_in_credential``) from what
was verified; nothing is fetched here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import flet as ft

from credentials import Pathway, PathwayPart, pathways_in_credential, read_facts, with_earned
from verifier.history import Entry

from .common import BRAND, INK, MUTED, card, fact

EARNED_INK = "#1B5E20"


def _verified(record: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Every document in the record, with its verdict: the credential or presentation, the
    credentials presented, a CLR's parts."""
    document = record.get("document")
    if isinstance(document, Mapping):
        yield document, str(record.get("verdict", ""))
    for key in ("credentials", "attached"):
        for nested in record.get(key) or ():
            if isinstance(nested, Mapping):
                yield from _verified(nested)


def stack_of(record: Mapping[str, Any]) -> list[Pathway]:
    """The pathways the verified credentials state, parts earned only by what verified without a
    problem (a revoked part of a CLR is shown as not earned)."""
    verified = list(_verified(record))
    # a CLR's parts count through their own verdicts (``attached``), not as parts of the CLR
    good = [replace(read_facts(doc), parts=()) for doc, verdict in verified if verdict != "invalid"]
    refused = {read_facts(doc).achievement_id for doc, verdict in verified if verdict == "invalid"}
    found: dict[str, Pathway] = {}
    for doc, _ in verified:
        for pathway in pathways_in_credential(doc):
            found.setdefault(pathway.id, pathway)
    return [with_earned(_without(p, refused), good) for p in found.values()]


def _without(pathway: Pathway, refused: set[str]) -> Pathway:
    parts = tuple(replace(part, earned=False, credits_earned=None) if part.achievement_id in refused else part
                  for part in pathway.parts)
    return replace(pathway, parts=parts)


def _part_line(part: PathwayPart) -> ft.Control:
    status = "earned" if part.earned else "not earned yet"
    detail = " · ".join(x for x in (part.credits_words, "presented and verified" if part.earned else "not presented")
                        if x)
    return ft.Semantics(label=f"{part.name}: {status}", container=True, content=ft.Row([
        ft.Icon(ft.Icons.CHECK_CIRCLE if part.earned else ft.Icons.RADIO_BUTTON_UNCHECKED,
                color=EARNED_INK if part.earned else MUTED, size=20),
        ft.Column([ft.Text(part.name, color=INK, size=15, weight=ft.FontWeight.W_600 if part.earned else None),
                   ft.Text(detail, color=MUTED, size=12)], spacing=0, expand=True),
    ], vertical_alignment=ft.CrossAxisAlignment.CENTER))


def pathway_card(pathway: Pathway, wide: bool) -> ft.Control:
    progress = pathway.progress_words
    share = pathway.earned_count / len(pathway.parts) if pathway.parts else 0.0
    head = ("Complete: " if pathway.is_complete else "In progress: ") + progress
    competencies = tuple(dict.fromkeys(a.name for a in pathway.competencies))
    return card(
        ft.Semantics(header=True, content=ft.Text(pathway.name, size=18, weight=ft.FontWeight.W_700, color=INK)),
        ft.Text(head, color=INK, size=15),
        ft.ProgressBar(value=share, bar_height=10, border_radius=5, color=BRAND, bgcolor="#E3E6EE",
                       semantics_label=f"{pathway.name}: {progress}", semantics_value=round(share * 100)),
        fact("Credits", pathway.credits_words, wide),
        ft.Column([_part_line(part) for part in pathway.parts], spacing=6),
        fact("Certifies when complete" if not pathway.is_complete else "Certifies", competencies, wide),
        title_text="Pathway", icon=ft.Icons.ROUTE)


def pathway_cards(entry: Entry, wide: bool) -> list[ft.Control]:
    """One card per pathway the verified credentials state (none for a badge that stacks nothing)."""
    return [pathway_card(p, wide) for p in stack_of(entry.record) if p.parts]

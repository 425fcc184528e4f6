"""Pathways the stub publishes: a small YAML description per pathway (``assets/pathways``) and the
pathway document served at ``/pathways/<slug>`` (the format is described in the engine,
``credentials.parse_pathway_document``).

The document is made of what the catalogue already says: each node is the OB 3.0 ``Achievement``
the stub issues (OB 3.0 §B.1.1), the order is CLR 2.0 ``Association`` objects (§B.1.3:
``isParentOf`` from the completing achievement to each part, ``precedes`` for "after"), and
``whereToEarn`` points at the stub's own page for the part (``/earn/<slug>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import yaml

from .catalogue import Achievement, CatalogueError, achievement_document, achievement_id

DEFAULT_PATHWAYS = Path(__file__).resolve().parent.parent / "assets" / "pathways"


@dataclass(frozen=True)
class PathwayStep:
    achievement: str  # catalogue slug
    after: tuple[str, ...] = ()  # slugs that must come first


@dataclass(frozen=True)
class PathwaySpec:
    slug: str
    name: str
    description: str
    completes: str  # the catalogue slug of the achievement the pathway leads to
    steps: tuple[PathwayStep, ...]
    credits_required: float | None = None


def pathway_from_mapping(raw: Any, catalogue: dict[str, Achievement], where: str = "pathway") -> PathwaySpec:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a pathway description is a mapping")
    for name in ("slug", "name", "completes", "parts"):
        if not raw.get(name):
            raise CatalogueError(f"{where}: '{name}' is required")
    steps = tuple(PathwayStep(str(p["achievement"]), tuple(str(a) for a in p.get("after", [])))
                  for p in raw["parts"] if isinstance(p, dict) and p.get("achievement"))
    named = {raw["completes"], *(s.achievement for s in steps), *(a for s in steps for a in s.after)}
    unknown = sorted(str(s) for s in named if s not in catalogue)
    if unknown:
        raise CatalogueError(f"{where}: unknown achievements {', '.join(unknown)}")
    credits = raw.get("credits_required")
    return PathwaySpec(slug=str(raw["slug"]), name=str(raw["name"]),
                       description=str(raw.get("description", "")).strip(), completes=str(raw["completes"]),
                       steps=steps, credits_required=float(credits) if credits is not None else None)


def load_pathways(catalogue: dict[str, Achievement], directory: Path = DEFAULT_PATHWAYS) -> dict[str, PathwaySpec]:
    """The pathways in ``directory`` whose achievements are all in ``catalogue`` (a custom catalogue
    without them publishes none); a description that is not valid is an error."""
    found: dict[str, PathwaySpec] = {}
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.y*ml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{path}: not valid YAML: {exc}") from None
        if isinstance(raw, dict) and not _names_known(raw, catalogue):
            continue
        spec = pathway_from_mapping(raw, catalogue, str(path))
        found[spec.slug] = spec
    return found


def _names_known(raw: dict[str, Any], catalogue: dict[str, Achievement]) -> bool:
    parts = [p.get("achievement") for p in raw.get("parts") or [] if isinstance(p, dict)]
    return all(slug in catalogue for slug in [raw.get("completes"), *parts])


def pathway_url(base_url: str, spec: PathwaySpec) -> str:
    return f"{base_url}/pathways/{spec.slug}"


def earn_url(base_url: str, slug: str) -> str:
    return f"{base_url}/earn/{slug}"


def pathway_document(spec: PathwaySpec, catalogue: dict[str, Achievement], base_url: str,
                     issuer: dict[str, Any]) -> dict[str, Any]:
    """The pathway document (``"type": "Pathway"``) for ``spec``."""
    completing = achievement_document(catalogue[spec.completes], base_url, issuer)
    target = completing["id"]
    associations = [{"type": "Association", "associationType": "isParentOf", "sourceId": target,
                     "targetId": achievement_id(base_url, catalogue[step.achievement])} for step in spec.steps]
    associations += [{"type": "Association", "associationType": "precedes",
                      "sourceId": achievement_id(base_url, catalogue[first]),
                      "targetId": achievement_id(base_url, catalogue[step.achievement])}
                     for step in spec.steps for first in step.after]
    doc: dict[str, Any] = {
        "type": "Pathway",
        "id": pathway_url(base_url, spec),
        "name": spec.name,
        "description": spec.description,
        "issuer": issuer,
        "achievement": completing,
        "parts": [{"achievement": achievement_document(catalogue[step.achievement], base_url, issuer),
                   "whereToEarn": earn_url(base_url, step.achievement)} for step in spec.steps],
        "association": associations,
    }
    if spec.credits_required is not None:
        doc["creditsRequired"] = spec.credits_required
    return doc


def pathways_of(slug: str, pathways: dict[str, PathwaySpec]) -> list[PathwaySpec]:
    """The pathways an achievement is a part of, or completes."""
    return [p for p in pathways.values() if slug == p.completes or any(s.achievement == slug for s in p.steps)]


def earn_page(ach: Achievement, base_url: str, pathways: list[PathwaySpec]) -> bytes:
    """A plain HTML page: what the course is, what earns the badge, and the pathways it counts toward."""
    credits = f"<p>{ach.credits:g} credits</p>" if ach.credits is not None else ""
    toward = "".join(f'<li><a href="{escape(pathway_url(base_url, p))}">{escape(p.name)}</a></li>' for p in pathways)
    body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(ach.name)}</title>"
            f"<h1>{escape(ach.name)}</h1><p>{escape(ach.description)}</p>{credits}"
            f"<h2>How to earn it</h2><p>{escape(ach.criteria)}</p>"
            + (f"<h2>Counts toward</h2><ul>{toward}</ul>" if toward else "")
            + "<p>Enrol with Riverside Community College Health Careers (Satchel demo issuer).</p></html>")
    return body.encode("utf-8")

"""Achievement descriptions (YAML or JSON) and their OB 3.0 ``Achievement`` form.

A description is small and human-written; ``achievement_document`` turns it into the OB 3.0
Achievement (OB 3.0 §B.1.1 Achievement, §B.1.3 Alignment, §B.1.17 ResultDescription).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from credentials import PATHWAY_DOCUMENT_TYPE

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "assets" / "catalogue"


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Alignment:
    target_name: str
    target_url: str
    target_framework: str | None = None
    target_code: str | None = None
    target_description: str | None = None


@dataclass(frozen=True)
class ResultSpec:
    name: str
    result_type: str  # OB 3.0 ResultType enumeration, e.g. "Status", "Percent", "RubricCriterionLevel"
    value: str
    allowed_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceSpec:
    name: str
    narrative: str
    description: str | None = None
    genre: str | None = None


@dataclass(frozen=True)
class Achievement:
    slug: str
    name: str
    description: str
    criteria: str
    learning_outcomes: tuple[str, ...] = ()
    achievement_type: str = "Competency"
    image: str | None = None
    credits: float | None = None
    field_of_study: str | None = None
    human_code: str | None = None
    tags: tuple[str, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    results: tuple[ResultSpec, ...] = ()
    evidence: tuple[EvidenceSpec, ...] = ()
    stacks: tuple[str, ...] = field(default=())  # slugs of the achievements this one bundles
    source: Path | None = None
    pathways: tuple[str, ...] = ()  # slugs of the published pathways it is part of (set by the issuer)


def _require(raw: dict[str, Any], name: str, where: str) -> Any:
    if name not in raw or raw[name] in (None, ""):
        raise CatalogueError(f"{where}: '{name}' is required")
    return raw[name]


def achievement_from_mapping(raw: dict[str, Any], where: str = "achievement") -> Achievement:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: an achievement description is a mapping")
    slug = str(_require(raw, "slug", where))
    if not slug.replace("-", "").isalnum():
        raise CatalogueError(f"{where}: slug {slug!r} must be letters, digits and dashes")
    return Achievement(
        slug=slug,
        name=str(_require(raw, "name", where)),
        description=str(_require(raw, "description", where)).strip(),
        criteria=str(_require(raw, "criteria", where)).strip(),
        learning_outcomes=tuple(str(o) for o in raw.get("learning_outcomes", [])),
        achievement_type=str(raw.get("achievement_type", "Competency")),
        image=raw.get("image"),
        credits=float(raw["credits"]) if raw.get("credits") is not None else None,
        field_of_study=raw.get("field_of_study"),
        human_code=raw.get("human_code"),
        tags=tuple(str(t) for t in raw.get("tags", [])),
        alignments=tuple(Alignment(a["target_name"], a["target_url"], a.get("target_framework"),
                                   a.get("target_code"), a.get("target_description"))
                         for a in raw.get("alignments", [])),
        results=tuple(ResultSpec(r["name"], r.get("result_type", "Status"), str(r["value"]),
                                 tuple(str(v) for v in r.get("allowed_values", [])))
                      for r in raw.get("results", [])),
        evidence=tuple(EvidenceSpec(e["name"], e["narrative"], e.get("description"), e.get("genre"))
                       for e in raw.get("evidence", [])),
        stacks=tuple(str(s) for s in raw.get("stacks", [])),
    )


def load_achievement(path: Path) -> Achievement:
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: not valid {path.suffix[1:].upper()}: {exc}") from None
    ach = achievement_from_mapping(raw, str(path))
    return Achievement(**{**ach.__dict__, "source": path})


def load_catalogue(directory: Path = DEFAULT_CATALOGUE) -> dict[str, Achievement]:
    found: dict[str, Achievement] = {}
    for path in sorted(directory.glob("*")):
        if path.suffix in (".yaml", ".yml", ".json"):
            ach = load_achievement(path)
            found[ach.slug] = ach
    for ach in found.values():
        missing = [s for s in ach.stacks if s not in found]
        if missing:
            raise CatalogueError(f"{ach.slug} stacks unknown achievements: {', '.join(missing)}")
    return found


def image_path(ach: Achievement, suffix: str) -> Path | None:
    """The badge image file next to the description (``<image>.png`` / ``.svg``)."""
    if ach.source is None or not ach.image:
        return None
    path = ach.source.parent / f"{Path(ach.image).stem}{suffix}"
    return path if path.exists() else None


def _criteria_narrative(ach: Achievement) -> str:
    if not ach.learning_outcomes:
        return ach.criteria
    outcomes = "\n".join(f"- {o}" for o in ach.learning_outcomes)
    return f"{ach.criteria}\n\nLearning outcomes. The learner can:\n{outcomes}"


def _alignment_document(a: Alignment) -> dict[str, Any]:
    doc: dict[str, Any] = {"type": ["Alignment"], "targetName": a.target_name, "targetUrl": a.target_url}
    if a.target_description:
        doc["targetDescription"] = a.target_description
    if a.target_framework:
        doc["targetFramework"] = a.target_framework
    if a.target_code:
        doc["targetCode"] = a.target_code
    doc["targetType"] = "CFItem" if "case" in a.target_url.lower() else "ext:Competency"
    return doc


def achievement_id(base_url: str, ach: Achievement) -> str:
    return f"{base_url}/achievements/{ach.slug}"


def result_description_id(base_url: str, ach: Achievement, index: int) -> str:
    return f"{achievement_id(base_url, ach)}#result-{index + 1}"


def achievement_document(ach: Achievement, base_url: str, creator: dict[str, Any]) -> dict[str, Any]:
    """OB 3.0 §B.1.1 Achievement."""
    doc: dict[str, Any] = {
        "id": achievement_id(base_url, ach),
        "type": ["Achievement"],
        "achievementType": ach.achievement_type,
        "name": ach.name,
        "description": ach.description,
        "criteria": {"id": f"{achievement_id(base_url, ach)}#criteria", "narrative": _criteria_narrative(ach)},
        "creator": creator,
        "inLanguage": "en",
    }
    if ach.image:
        doc["image"] = {"id": f"{base_url}/images/{ach.slug}.png", "type": "Image", "caption": ach.name}
    if ach.credits is not None:
        doc["creditsAvailable"] = ach.credits
    if ach.field_of_study:
        doc["fieldOfStudy"] = ach.field_of_study
    if ach.human_code:
        doc["humanCode"] = ach.human_code
    if ach.tags:
        doc["tag"] = list(ach.tags)
    if ach.alignments:
        doc["alignment"] = [_alignment_document(a) for a in ach.alignments]
    if ach.results:
        doc["resultDescription"] = [_result_description(base_url, ach, i, r) for i, r in enumerate(ach.results)]
    if ach.pathways:
        # OB 3.0 §B.1.13 IdentifierEntry: where the issuer publishes the pathway this is part of.
        doc["otherIdentifier"] = [{"type": "IdentifierEntry", "identifier": f"{base_url}/pathways/{slug}",
                                   "identifierType": PATHWAY_DOCUMENT_TYPE} for slug in ach.pathways]
    return doc


def _result_description(base_url: str, ach: Achievement, index: int, r: ResultSpec) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": result_description_id(base_url, ach, index), "type": ["ResultDescription"],
                           "name": r.name, "resultType": r.result_type}
    if r.allowed_values:
        doc["allowedValue"] = list(r.allowed_values)
    return doc

"""Pathways: badges that stack toward a larger credential, read as the issuer defines them.

A pathway is one *completing* achievement (a certificate) and the parts that lead to it. Three
sources say what the parts are, and all three are read into the same frozen model:

* **OB 3.0 ``Achievement.related``** (OB 3.0 §B.1.1 Achievement, §B.1.15 Related): a credential's
  achievement names the achievements it stacks (:func:`pathways_in_credential`).
* **CLR 2.0** (§B.1.2 ClrSubject: ``achievement``, ``association``, ``verifiableCredential``;
  §B.1.3 Association): the record's achievements, how they associate (``isParentOf`` /
  ``isChildOf`` / ``isPartOf`` give the parts, ``precedes`` the order) and the credentials it
  carries (the parts earned, with their ``creditsEarned``, OB 3.0 §B.1.2 AchievementSubject).
* **A pathway document the issuer publishes** (:func:`parse_pathway_document`), named from a
  credential's achievement by an ``otherIdentifier`` (OB 3.0 §B.1.13 IdentifierEntry) whose
  ``identifierType`` is :data:`PATHWAY_DOCUMENT_TYPE` (the enumeration's ``ext:`` extension
  form). Only a URL on the issuer's own origin is taken (:func:`pathway_document_urls`); fetching
  it is the app's business, through the client it was given, never while verifying.

The pathway document (``"type": "Pathway"``) borrows its vocabulary rather than invent one:
each node is an OB 3.0 ``Achievement`` (so names, ``creditsAvailable`` and ``alignment`` read as
they do in a credential) and the structure is CLR 2.0 ``Association`` objects, the very ones a
CLR carries. Prior art: the Open Badges Pathways draft (2017; ``PathwayElement`` with
``children`` and ``numberChildrenRequired``) and 1EdTech CASE 1.1 (a flat ``CFItems`` list whose
hierarchy and order are only ``CFAssociations``: ``isChildOf``, ``precedes``). It adds just what
neither credential model has: ``creditsRequired`` and, per part, ``whereToEarn``::

    {"type": "Pathway", "id": URL, "name": ..., "description": ..., "issuer": Profile,
     "achievement": Achievement (the completing one), "creditsRequired": 5,
     "parts": [{"achievement": Achievement, "whereToEarn": URL}, ...],
     "association": [{"type": "Association", "associationType": "precedes",
                      "sourceId": ..., "targetId": ...}, ...]}

A pathway document is unsigned data from the network, so reading it is bounded: its size, its
nesting depth, its parts and associations are capped, the work is counted (``max_work``), and a
``precedes`` cycle is a clear :class:`MalformedError`, found in one pass over the graph.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from ._errors import MalformedError, TooComplexError
from ._facts import Alignment, Facts, Party, _alignments, _party, as_list, first_mapping, read_facts, text_of

__all__ = [
    "PATHWAY_DOCUMENT_TYPE", "Pathway", "PathwayPart", "parse_pathway_document", "pathway_document_urls",
    "pathways_in_credential", "with_earned",
]

PATHWAY_DOCUMENT_TYPE = "ext:PathwayDocument"  # OB 3.0 §B.3 IdentifierTypeEnum, extended ("ext:")
MAX_PATHWAY_BYTES = 256 * 1024  # a real pathway is a few kilobytes
MAX_DEPTH = 24  # a pathway document nests five levels; JSON deeper than this is refused before parsing
MAX_PARTS = 100
MAX_ASSOCIATIONS = 1_000
MAX_WORK = 20_000  # counted steps: bytes scanned / 64, parts, associations, graph edges

# CLR 2.0 §B.2.1 AssociationTypeEnum (from CASE): which way each kind points at the parent.
_PARENT_TO_CHILD = frozenset({"isParentOf"})
_CHILD_TO_PARENT = frozenset({"isChildOf", "isPartOf"})


@dataclass(frozen=True)
class PathwayPart:
    """One achievement on the way: earned or not, its credits, where to earn it, what comes first."""

    achievement_id: str
    name: str
    credits: float | None = None  # the achievement's creditsAvailable
    earned: bool = False
    credits_earned: float | None = None  # the earning credential's creditsEarned (else ``credits``)
    where_to_earn: str = ""  # an http(s) URL on the issuer's origin, or ""
    order: int = 0  # 1-based, every ``precedes`` respected
    prerequisites: tuple[str, ...] = ()  # achievement ids that precede this one
    description: str = ""
    competencies: tuple[Alignment, ...] = ()

    @property
    def credits_words(self) -> str:
        """``0.5 credits``, or "" when the achievement states none."""
        return "" if self.credits is None else f"{self.credits:g} credit{'' if self.credits == 1 else 's'}"


@dataclass(frozen=True)
class Pathway:
    """A completing achievement and its parts, as one issuer defines it."""

    id: str  # the completing achievement's id
    name: str
    issuer: Party | None
    parts: tuple[PathwayPart, ...]
    credits_required: float | None = None  # None: the issuer states no volume of learning
    competencies: tuple[Alignment, ...] = ()  # what the whole stack certifies when complete
    description: str = ""
    source: str = ""  # "document", "clr" or "related"
    document_url: str = ""  # the pathway document it was read from ("" when read from credentials)

    @property
    def earned_count(self) -> int:
        return sum(part.earned for part in self.parts)

    @property
    def credits_earned(self) -> float:
        return sum(_earned_credits(part) for part in self.parts if part.earned)

    @property
    def credits_available(self) -> float:
        return sum(part.credits or 0.0 for part in self.parts)

    @property
    def is_complete(self) -> bool:
        enough = self.credits_required is None or self.credits_earned >= self.credits_required
        return bool(self.parts) and self.earned_count == len(self.parts) and enough

    @property
    def progress_words(self) -> str:
        """``2 of 5 parts earned``: the same words in the wallet and the verifier."""
        total = len(self.parts)
        return f"{self.earned_count} of {total} part{'s' if total != 1 else ''} earned"

    @property
    def credits_words(self) -> str:
        """``1.5 of 5 credits earned``: of those required, else of those the parts offer ("" if none)."""
        target = self.credits_required if self.credits_required is not None else self.credits_available
        if not target and not self.credits_earned:
            return ""
        return f"{self.credits_earned:g} of {target:g} credit{'' if target == 1 else 's'} earned"

    @property
    def next_parts(self) -> tuple[PathwayPart, ...]:
        """The parts not earned yet whose prerequisites are all earned: what to do next."""
        earned = {part.achievement_id for part in self.parts if part.earned}
        return tuple(part for part in self.parts
                     if not part.earned and all(p in earned for p in part.prerequisites))


def _earned_credits(part: PathwayPart) -> float:
    return part.credits_earned if part.credits_earned is not None else (part.credits or 0.0)


class _Work:
    """Counted steps; over ``limit`` the input is refused (TooComplexError.work says how far it got)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.done = limit, 0

    def tick(self, steps: int = 1) -> None:
        self.done += steps
        if self.done > self.limit:
            err = TooComplexError(f"the pathway document needs more than {self.limit} steps to read; "
                                  "no genuine pathway is that large")
            err.work = self.done
            raise err


# -- the pathway document ---------------------------------------------------------------------------

def parse_pathway_document(data: bytes | str | Mapping[str, Any], *, url: str, max_work: int = MAX_WORK) -> Pathway:
    """The pathway a document published at ``url`` defines, no part earned yet (:func:`with_earned`).

    Raises :class:`MalformedError` for what is not a pathway document or contradicts itself (a
    ``precedes`` cycle, a part that is the pathway itself) and :class:`TooComplexError` for what
    is too large or too deep to read in bounded work.
    """
    work = _Work(max_work)
    doc = _load(data, work)
    if not isinstance(doc, Mapping) or "Pathway" not in [t for t in as_list(doc.get("type")) if isinstance(t, str)]:
        raise MalformedError(f"{url} is not a pathway document (its type is not Pathway)")
    completes = first_mapping(doc.get("achievement"))
    target = text_of(completes.get("id"))
    if not target:
        raise MalformedError(f"{url}: the pathway names no achievement it completes (achievement.id)")
    nodes, where = _document_parts(doc, target, url, work)
    edges = _associations(doc.get("association"), work)
    edges += [("isParentOf", target, part_id) for part_id in nodes]
    parts = _ordered_parts(target, nodes, edges, work, where=where)
    issuer = _party(doc.get("issuer"))
    return Pathway(id=target, name=text_of(doc.get("name")) or text_of(completes.get("name")) or _name_from_id(target),
                   issuer=issuer, parts=parts, credits_required=_credits(doc.get("creditsRequired")),
                   competencies=_stack_competencies(completes, nodes.values()),
                   description=text_of(doc.get("description")) or text_of(completes.get("description")),
                   source="document", document_url=url)


def _load(data: bytes | str | Mapping[str, Any], work: _Work) -> Any:
    if isinstance(data, Mapping):
        return data
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_PATHWAY_BYTES:
        err = TooComplexError(f"the pathway document is {len(raw)} bytes, over the {MAX_PATHWAY_BYTES} a pathway needs")
        err.work = 0
        raise err
    _check_depth(raw, work)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise MalformedError("the pathway document is not JSON") from None


def _check_depth(raw: bytes, work: _Work) -> None:
    """Refuse JSON nested deeper than :data:`MAX_DEPTH` before a parser recurses into it."""
    work.tick(len(raw) // 64)
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                err = TooComplexError(f"the pathway document nests deeper than {MAX_DEPTH} levels")
                err.work = work.done
                raise err
        elif byte in (0x5D, 0x7D):
            depth -= 1


def _document_parts(doc: Mapping[str, Any], target: str, url: str,
                    work: _Work) -> tuple[dict[str, Mapping[str, Any]], dict[str, str]]:
    items = as_list(doc.get("parts"))
    if len(items) > MAX_PARTS:
        raise _too_many("parts", len(items), MAX_PARTS, work)
    nodes: dict[str, Mapping[str, Any]] = {}
    where: dict[str, str] = {}
    for item in items:
        work.tick()
        achievement = first_mapping(item.get("achievement")) if isinstance(item, Mapping) else {}
        part_id = text_of(achievement.get("id"))
        if not part_id:
            raise MalformedError(f"{url}: a part names no achievement (parts[].achievement.id)")
        if part_id == target:
            raise MalformedError(f"{url}: the pathway lists its own achievement {part_id} as one of its parts")
        nodes.setdefault(part_id, achievement)
        link = text_of(item.get("whereToEarn"))
        if link and _origin(link) == _origin(url):  # only the publisher's own pages
            where.setdefault(part_id, link)
    return nodes, where


def _too_many(what: str, count: int, cap: int, work: _Work) -> TooComplexError:
    err = TooComplexError(f"the pathway has {count} {what}; Satchel reads at most {cap}")
    err.work = work.done
    return err


def _associations(value: object, work: _Work) -> list[tuple[str, str, str]]:
    """CLR 2.0 §B.1.3 Association objects as (associationType, sourceId, targetId)."""
    items = as_list(value)
    if len(items) > MAX_ASSOCIATIONS:
        raise _too_many("associations", len(items), MAX_ASSOCIATIONS, work)
    edges = []
    for item in items:
        work.tick()
        if isinstance(item, Mapping):
            kind, source, target = (text_of(item.get(k)) for k in ("associationType", "sourceId", "targetId"))
            if kind and source and target:
                edges.append((kind, source, target))
    return edges


def _children(parent: str, edges: Iterable[tuple[str, str, str]]) -> list[str]:
    found = [t for kind, s, t in edges if kind in _PARENT_TO_CHILD and s == parent]
    found += [s for kind, s, t in edges if kind in _CHILD_TO_PARENT and t == parent]
    return [c for c in dict.fromkeys(found) if c != parent]


def _ordered_parts(target: str, nodes: Mapping[str, Mapping[str, Any]], edges: list[tuple[str, str, str]],
                   work: _Work, *, where: Mapping[str, str] | None = None,
                   earned: Mapping[str, float | None] | None = None) -> tuple[PathwayPart, ...]:
    """The completing achievement's parts in an order every ``precedes`` agrees with (Kahn's
    topological sort, ties in the issuer's order): linear in parts + associations."""
    ids = _children(target, edges)
    if len(ids) > MAX_PARTS:
        raise _too_many("parts", len(ids), MAX_PARTS, work)
    index = {part_id: i for i, part_id in enumerate(ids)}
    before: dict[str, list[str]] = {part_id: [] for part_id in ids}
    after: dict[str, list[str]] = {part_id: [] for part_id in ids}
    for kind, source, dest in edges:
        work.tick()
        if kind == "precedes" and source in index and dest in index and source != dest:
            before[dest].append(source)
            after[source].append(dest)
    waiting = {part_id: len(set(before[part_id])) for part_id in ids}
    ready = [index[p] for p in ids if waiting[p] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        part_id = ids[heapq.heappop(ready)]
        order.append(part_id)
        for dest in dict.fromkeys(after[part_id]):
            work.tick()
            waiting[dest] -= 1
            if waiting[dest] == 0:
                heapq.heappush(ready, index[dest])
    if len(order) < len(ids):
        circle = [p for p in ids if waiting[p] > 0]
        names = ", ".join(_node_name(p, nodes) for p in circle[:6]) + (" …" if len(circle) > 6 else "")
        raise MalformedError(f"the pathway's 'precedes' associations go round in a circle ({names}): "
                             "no part could ever be started")
    return tuple(_part(p, n + 1, nodes, tuple(dict.fromkeys(before[p])), where or {}, earned or {})
                 for n, p in enumerate(order))


def _part(part_id: str, order: int, nodes: Mapping[str, Mapping[str, Any]], prerequisites: tuple[str, ...],
          where: Mapping[str, str], earned: Mapping[str, float | None]) -> PathwayPart:
    node = nodes.get(part_id, {})
    return PathwayPart(achievement_id=part_id, name=_node_name(part_id, nodes),
                       credits=_credits(node.get("creditsAvailable")), earned=part_id in earned,
                       credits_earned=earned.get(part_id), where_to_earn=where.get(part_id, ""), order=order,
                       prerequisites=prerequisites, description=text_of(node.get("description")),
                       competencies=_alignments(node))


def _node_name(part_id: str, nodes: Mapping[str, Mapping[str, Any]]) -> str:
    return text_of(nodes.get(part_id, {}).get("name")) or _name_from_id(part_id)


def _name_from_id(identifier: str) -> str:
    """``https://x/achievements/healthy-menus`` -> ``Healthy menus`` (a part known only by its id)."""
    tail = identifier.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    words = tail.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else identifier


def _credits(value: object) -> float | None:
    """``creditsAvailable`` / ``creditsEarned`` / ``creditsRequired`` (OB 3.0: a Float), if sensible."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = float(value)
    except ValueError:
        return None
    return amount if math.isfinite(amount) and 0 <= amount <= 100_000 else None


def _stack_competencies(completing: Mapping[str, Any], parts: Iterable[Mapping[str, Any]]) -> tuple[Alignment, ...]:
    """The completing achievement's alignments, then each part's, once each (OB 3.0 §B.1.3 Alignment)."""
    found = list(_alignments(completing))
    for node in parts:
        found.extend(_alignments(node))
    return tuple(dict.fromkeys(found))


# -- pathways a credential itself states ------------------------------------------------------------

def pathways_in_credential(doc: Mapping[str, Any] | None) -> tuple[Pathway, ...]:
    """The pathways a credential states: a CLR's associations (parts it carries are earned), or an
    OB 3.0 achievement's ``related`` achievements (none earned by it: :func:`with_earned`).

    Never raises: a credential whose structure is unreadable (a ``precedes`` cycle, too many
    parts) states no pathway.
    """
    if not isinstance(doc, Mapping):
        return ()
    if isinstance(doc.get("vc"), Mapping):  # a VC-JWT payload (VC-JWT 1.1 §6.3.1)
        doc = doc["vc"]
    facts = read_facts(doc)
    try:
        if facts.kind == "ClrCredential":
            return _clr_pathways(doc, facts)
        return _related_pathway(doc, facts)
    except MalformedError:
        return ()


def _clr_pathways(doc: Mapping[str, Any], facts: Facts) -> tuple[Pathway, ...]:
    work = _Work(MAX_WORK)
    subject = first_mapping(doc.get("credentialSubject"))
    achievements = as_list(subject.get("achievement"))[:MAX_PARTS + 1]
    nodes = {text_of(a.get("id")): a for a in achievements if isinstance(a, Mapping) and text_of(a.get("id"))}
    edges = _associations(subject.get("association"), work)
    earned = {p.achievement_id: _credits(p.credits_earned) for p in facts.parts if p.achievement_id}
    children = {c for kind, s, t in edges for c in ((t,) if kind in _PARENT_TO_CHILD else
                                                    (s,) if kind in _CHILD_TO_PARENT else ())}
    roots = [r for r in dict.fromkeys(s if kind in _PARENT_TO_CHILD else t for kind, s, t in edges
                                      if kind in _PARENT_TO_CHILD | _CHILD_TO_PARENT) if r not in children]
    found = []
    for root in roots[:8]:
        parts = _ordered_parts(root, nodes, edges, work, earned=earned)
        node = nodes.get(root, {})
        found.append(Pathway(id=root, name=_node_name(root, nodes), issuer=facts.issuer, parts=parts,
                             competencies=_stack_competencies(node, (nodes.get(p.achievement_id, {}) for p in parts)),
                             description=text_of(node.get("description")), source="clr"))
    return tuple(found)


def _related_pathway(doc: Mapping[str, Any], facts: Facts) -> tuple[Pathway, ...]:
    if not facts.related_achievement_ids or not facts.achievement_id:
        return ()
    achievement = first_mapping(first_mapping(doc.get("credentialSubject")).get("achievement"))
    parts = tuple(PathwayPart(achievement_id=part_id, name=_name_from_id(part_id), order=n + 1)
                  for n, part_id in enumerate(dict.fromkeys(facts.related_achievement_ids[:MAX_PARTS]))
                  if part_id != facts.achievement_id)
    return (Pathway(id=facts.achievement_id, name=facts.name or _name_from_id(facts.achievement_id),
                    issuer=facts.issuer, parts=parts, competencies=_alignments(achievement),
                    description=facts.description, source="related"),)


def with_earned(pathway: Pathway, held: Iterable[Facts]) -> Pathway:
    """``pathway`` with every part a held credential earns marked earned (and the parts a held CLR
    carries): same achievement id and, when the pathway names its issuer, the same issuer."""
    earned: dict[str, Facts] = {}
    for facts in held:
        for one in _achievements_held(facts):
            if one.achievement_id and _same_issuer(pathway.issuer, one.issuer):
                earned.setdefault(one.achievement_id, one)
    parts = tuple(_earned_part(part, earned[part.achievement_id]) if not part.earned and part.achievement_id in earned
                  else part for part in pathway.parts)
    return replace(pathway, parts=parts)


def _achievements_held(facts: Facts) -> tuple[Facts, ...]:
    """A credential's own achievement, or a CLR's parts (a CLR earns nothing by itself: the first
    of its ``achievement`` list is no more earned than the others, CLR 2.0 §B.1.2)."""
    return facts.parts if facts.kind == "ClrCredential" else (facts, *facts.parts)


def _earned_part(part: PathwayPart, facts: Facts) -> PathwayPart:
    """A part marked earned by ``facts``, which also name it and give its credits where the
    pathway did not (a ``related`` part is known only by its id)."""
    named = part.name != _name_from_id(part.achievement_id)
    return replace(part, earned=True, name=part.name if named else facts.name or part.name,
                   credits=part.credits if part.credits is not None else _credits(facts.credits_available),
                   credits_earned=_credits(facts.credits_earned))


def _same_issuer(expected: Party | None, actual: Party | None) -> bool:
    return expected is None or not expected.id or (actual is not None and actual.id == expected.id)


# -- where a credential says its pathway is published ----------------------------------------------

def pathway_document_urls(doc: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The pathway documents a credential names (``otherIdentifier`` entries of type
    :data:`PATHWAY_DOCUMENT_TYPE` on its achievement, or on a CLR's achievements and parts), kept
    only when on the issuer's own origin: a badge cannot send the wallet to someone else's host."""
    if not isinstance(doc, Mapping):
        return ()
    if isinstance(doc.get("vc"), Mapping):
        doc = doc["vc"]
    issuer_origin = _issuer_origin(read_facts(doc).issuer)
    if not issuer_origin:
        return ()
    urls = []
    for achievement in _achievements_named(doc):
        for entry in as_list(achievement.get("otherIdentifier"))[:MAX_PARTS]:
            if isinstance(entry, Mapping) and text_of(entry.get("identifierType")) == PATHWAY_DOCUMENT_TYPE:
                url = text_of(entry.get("identifier"))
                if _origin(url) == issuer_origin:
                    urls.append(url)
    return tuple(dict.fromkeys(urls))


def _achievements_named(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The credential's achievement(s), and a CLR's parts' achievements."""
    subject = first_mapping(doc.get("credentialSubject"))
    found = as_list(subject.get("achievement"))[:MAX_PARTS]
    for part in as_list(subject.get("verifiableCredential"))[:MAX_PARTS]:
        if isinstance(part, Mapping):
            found += as_list(first_mapping(part.get("credentialSubject")).get("achievement"))[:1]
    return [a for a in found if isinstance(a, Mapping)]


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("https", "http") or not parts.netloc or "@" in parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _issuer_origin(issuer: Party | None) -> str:
    """The issuer's own origin: its did:web's host (did:web §3.2), its https id, or else (a did:key
    issuer) the ``url`` of the Profile it signed."""
    if issuer is None:
        return ""
    if issuer.id.startswith("did:web:"):
        from ._did.web import did_web_to_url
        from ._errors import KeyResolutionError

        try:
            return _origin(did_web_to_url(issuer.id))
        except KeyResolutionError:
            return ""
    if issuer.id.startswith(("https://", "http://")):
        return _origin(issuer.id)
    return _origin(issuer.url) if issuer.id.startswith("did:") else ""

"""Skolemized JSON-LD and canonical blank node labels, for selective disclosure suites.

W3C vc-di-ecdsa 1.0 §3.4 "Selective Disclosure Functions": to tell which canonical statements a
JSON pointer selects, every blank node of the document is first given a URN (skolemization,
§3.4.7 skolemizeExpandedJsonLd / §3.4.8 skolemizeCompactJsonLd), so that a selection of the
document converts to RDF with the same node identities; the URNs are turned back into blank
nodes in the N-Quads (§3.4.6 deskolemizeNQuads, §3.4.9 toDeskolemizedNQuads). RDF Dataset
Canonicalization's canonical identifier map (input label -> ``_:c14nN``, RDFC-1.0 §4.4) is what
the label map functions (§3.4.1, §3.4.3, §3.4.4) rename.

Expansion is safe mode with bundled contexts only, canonicalization runs under the work budget of
the verification under way, exactly as for every other RDFC suite (see ``credentials._jsonld``).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._errors import MalformedError
from ._canon import _expand_checked, _options, guarded
from ._rdfc import DEFAULT_ROUNDS, Budget, Quad, _Canonicalizer, current_budget, to_quads
from ._safe import FastProcessor

# §3.4.9: any scheme will do as long as skolemization and deskolemization use the same one.
URN_PREFIX = "urn:custom-scheme:"
_SKOLEM_TERM_PREFIX = "<" + URN_PREFIX

# Keywords whose values are node objects (or arrays of them) in expanded JSON-LD; every other
# keyword's value is copied as it is (a @reverse map is not a node; neither is a @list object).
_NODE_KEYWORDS = frozenset({"@graph", "@included", "@list", "@set"})


@dataclass(frozen=True)
class Skolemized:
    """A document whose every node has an IRI: expanded, and compacted with its own @context."""

    expanded: list[Any]
    compact: dict[str, Any]


def _skolemize(expanded: list[Any], prefix: str, counter: list[int]) -> list[Any]:
    """§3.4.7 skolemizeExpandedJsonLd: an ``@id`` for each node that lacks one, a URN for each
    blank node identifier (``_:b0`` -> ``urn:custom-scheme:b0``)."""
    out: list[Any] = []
    for element in expanded:
        if not isinstance(element, dict) or "@value" in element:
            out.append(copy.deepcopy(element))
            continue
        node: dict[str, Any] = {}
        for prop, value in element.items():
            if prop.startswith("@") and prop not in _NODE_KEYWORDS:
                node[prop] = copy.deepcopy(value)
            elif isinstance(value, list):
                node[prop] = _skolemize(value, prefix, counter)
            else:
                node[prop] = _skolemize([value], prefix, counter)[0]
        if "@list" not in element:  # a list object is not a node: it takes no @id
            ident = node.get("@id")
            if ident is None:
                node["@id"] = f"{prefix}_{counter[0]}"
                counter[0] += 1
            elif isinstance(ident, str) and ident.startswith("_:"):
                node["@id"] = URN_PREFIX + ident[2:]
        out.append(node)
    return out


def _skolemize_compact(document: Mapping[str, Any]) -> Skolemized:
    # §3.4.8 skolemizeCompactJsonLd: a random part keeps the new URNs apart from any IRI the
    # document already uses.
    prefix = f"{URN_PREFIX}_{uuid.uuid4().hex}"
    expanded = _skolemize(_expand_checked(dict(document)), prefix, [0])
    options = {**_options(), "skipExpansion": True, "compactArrays": True}
    context = {"@context": copy.deepcopy(document.get("@context"))}
    compact = FastProcessor().compact(copy.deepcopy(expanded), context, options)
    if not isinstance(compact, dict) or "@graph" in compact:
        raise MalformedError("the credential is not one JSON-LD object, so parts of it cannot be selected")
    return Skolemized(expanded, dict(compact))


def skolemize_compact(document: Mapping[str, Any]) -> Skolemized:
    """The skolemized expanded and compact forms of a compact JSON-LD document (§3.4.8)."""
    return guarded("skolemization", lambda: _skolemize_compact(document))


def _deskolemize(term: str) -> str:
    if term.startswith(_SKOLEM_TERM_PREFIX) and term.endswith(">"):
        return "_:" + term[len(_SKOLEM_TERM_PREFIX):-1]
    return term


def _deskolemized(quads: list[Quad]) -> list[Quad]:
    return [(_deskolemize(s), p, _deskolemize(o), _deskolemize(g) if g else g) for s, p, o, g in quads]


def deskolemized_quads(document: Mapping[str, Any] | list[Any]) -> list[Quad]:
    """§3.4.9 toDeskolemizedNQuads: the document's RDF with its URNs back as blank nodes.

    ``document`` is an expanded document (a list) or a compact one (an object, expanded here in
    safe mode). Terms are replaced whole, so a literal that merely contains a URN stays as it is.
    """

    def run() -> list[Quad]:
        expanded = document if isinstance(document, list) else _expand_checked(dict(document))
        return _deskolemized(to_quads(expanded))

    return guarded("conversion to RDF", run)


def rdf_quads(document: Mapping[str, Any]) -> list[Quad]:
    """The document's RDF (JSON-LD 1.1 Deserialize JSON-LD to RDF, safe mode), not canonicalized."""
    return guarded("conversion to RDF", lambda: to_quads(_expand_checked(dict(document))))


def canonical_id_map(quads: list[Quad], hash_name: str = "sha256") -> dict[str, str]:
    """RDFC-1.0's canonical issuer: each blank node of ``quads`` -> its ``_:c14nN`` label, in the
    order the labels were issued (RDFC-1.0 §4.4.3), under the verification's work budget."""

    def run() -> dict[str, str]:
        canonicalizer = _Canonicalizer(quads, hash_name, current_budget() or Budget(DEFAULT_ROUNDS))
        canonicalizer.run()
        return dict(canonicalizer.canonical.issued)

    return guarded("canonicalization", run)
